// The calendar's arithmetic. Every question is answered in Europe/London
// local time (calendar/london_time.h, the OS tz database), and every
// answer converted back to UTC, so British Summer Time starts and ends
// where the database says rather than where this file would guess. Office
// hours never straddle a clock change (changes happen at 01:00 and 02:00),
// so a working day is always closes - opens long. The bank holidays file is
// read with Boost.JSON.
#include "calendar/calendar.h"

#include <cctype>
#include <fstream>
#include <sstream>

#include "boost/json/parse.hpp"
#include "boost/json/value.hpp"
#include "calendar/london_time.h"

namespace frontdoor {

namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::minutes;
using std::chrono::sys_days;

// No deadline is further than this from its start: a guard against a
// calendar that has no working days at all.
constexpr int kMaxDaysAhead = 3660;

}  // namespace

std::optional<minutes> ParseClock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (size_t i : {0u, 1u, 3u, 4u}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  int h = (text[0] - '0') * 10 + (text[1] - '0');
  int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
  return minutes(h * 60 + m);
}

std::optional<std::chrono::weekday> ParseWeekday(std::string_view text) {
  static constexpr std::string_view kDays[] = {"SUNDAY",   "MONDAY", "TUESDAY", "WEDNESDAY",
                                               "THURSDAY", "FRIDAY", "SATURDAY"};
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (unsigned d = 0; d < 7; ++d) {
    if (upper == kDays[d]) return std::chrono::weekday(d);
  }
  return std::nullopt;
}

absl::StatusOr<Calendar> Calendar::Make(const v1::OfficeHours& hours,
                                        std::vector<std::chrono::year_month_day> holidays) {
  Calendar calendar;
  if (!hours.opens().empty()) {
    auto opens = ParseClock(hours.opens());
    if (!opens) {
      return absl::InvalidArgumentError("office_hours.opens: \"" + hours.opens() +
                                        "\" is not a time: write HH:MM, e.g. 09:00");
    }
    calendar.opens_ = *opens;
  }
  if (!hours.closes().empty()) {
    auto closes = ParseClock(hours.closes());
    if (!closes) {
      return absl::InvalidArgumentError("office_hours.closes: \"" + hours.closes() +
                                        "\" is not a time: write HH:MM, e.g. 17:00");
    }
    calendar.closes_ = *closes;
  }
  if (calendar.closes_ <= calendar.opens_) {
    return absl::InvalidArgumentError("office_hours.closes: must be after office_hours.opens");
  }
  for (int i = 0; i < hours.days_size(); ++i) {
    std::optional<std::chrono::weekday> day = ParseWeekday(hours.days(i));
    if (!day) {
      return absl::InvalidArgumentError("office_hours.days[" + std::to_string(i) + "]: \"" +
                                        hours.days(i) + "\" is not a day: write MONDAY to SUNDAY");
    }
    calendar.open_weekdays_.insert(day->c_encoding());
  }
  if (calendar.open_weekdays_.empty()) calendar.open_weekdays_ = {1, 2, 3, 4, 5};
  for (const auto& day : holidays) {
    if (!day.ok()) return absl::InvalidArgumentError("a bank holiday is not a real date");
    calendar.holidays_.insert(sys_days(day));
  }
  return calendar;
}

absl::StatusOr<std::vector<std::chrono::year_month_day>> Calendar::LoadBankHolidays(
    const std::filesystem::path& path, const std::string& division) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(path.string() + ": cannot read the bank holidays file");
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(text.str(), ec);
  if (!ec && !root.is_object()) ec = boost::json::make_error_code(boost::json::error::syntax);
  if (ec) {
    return absl::InvalidArgumentError(path.string() +
                                      ": not JSON in the GOV.UK bank holidays "
                                      "format: " +
                                      ec.message());
  }
  const boost::json::value* section = root.as_object().if_contains(division);
  if (section == nullptr || !section->is_object()) {
    return absl::InvalidArgumentError(path.string() + ": has no \"" + division + "\" division");
  }
  const boost::json::value* events = section->as_object().if_contains("events");
  if (events == nullptr || !events->is_array()) {
    return absl::InvalidArgumentError(path.string() + ": " + division + " has no events list");
  }
  std::vector<std::chrono::year_month_day> days_off;
  int index = 0;
  for (const boost::json::value& event : events->as_array()) {
    std::string where =
        path.string() + ": " + division + ".events[" + std::to_string(index++) + "]";
    if (!event.is_object()) return absl::InvalidArgumentError(where + ": not an object");
    const boost::json::value* date_field = event.as_object().if_contains("date");
    if (date_field == nullptr || !date_field->is_string()) {
      return absl::InvalidArgumentError(where + ".date: missing");
    }
    std::string_view date_text = date_field->as_string();
    auto day = ParseIsoDate(date_text);
    if (!day) {
      return absl::InvalidArgumentError(where + ".date: \"" + std::string(date_text) +
                                        "\" is not a date (YYYY-MM-DD)");
    }
    days_off.push_back(*day);
  }
  return days_off;
}

bool Calendar::IsWorkingDay(std::chrono::year_month_day local_date) const {
  sys_days day(local_date);
  return open_weekdays_.contains(std::chrono::weekday(day).c_encoding()) &&
         !holidays_.contains(day);
}

std::chrono::year_month_day Calendar::LocalDate(TimePoint t) const { return LondonDate(t); }

TimePoint Calendar::StartOfLocalDay(std::chrono::year_month_day local_date) const {
  return FromLondon(sys_days(local_date).time_since_epoch());
}

bool Calendar::IsOpen(TimePoint t) const {
  Millis local = ToLondon(t);
  days day = floor<days>(local);
  Millis time_of_day = local - day;
  return IsWorkingDay(std::chrono::year_month_day(sys_days(day))) && time_of_day >= opens_ &&
         time_of_day < closes_;
}

TimePoint Calendar::NextOpening(TimePoint t) const {
  if (IsOpen(t)) return t;
  Millis local = ToLondon(t);
  days day = floor<days>(local);
  if (!(IsWorkingDay(std::chrono::year_month_day(sys_days(day))) && local - day < opens_)) {
    day += days(1);
    for (int i = 0; i < kMaxDaysAhead && !IsWorkingDay(std::chrono::year_month_day(sys_days(day)));
         ++i) {
      day += days(1);
    }
  }
  return FromLondon(day + opens_);
}

TimePoint Calendar::DueAt(TimePoint start, const v1::TimescaleSpec& spec) const {
  switch (spec.length_case()) {
    case v1::TimescaleSpec::kHours:
      return start + std::chrono::hours(spec.hours());
    case v1::TimescaleSpec::kWorkingHours: {
      if (spec.working_hours() <= 0) return start;
      Millis remaining = std::chrono::hours(spec.working_hours());
      TimePoint at = NextOpening(start);
      for (int i = 0; i < kMaxDaysAhead; ++i) {
        TimePoint close = FromLondon(floor<days>(ToLondon(at)) + closes_);
        Millis left_today = close - at;
        // Due at the close rather than the next opening when the hours run
        // out exactly at the end of a day.
        if (remaining <= left_today) return at + remaining;
        remaining -= left_today;
        at = NextOpening(close);
      }
      return at + remaining;
    }
    case v1::TimescaleSpec::kWorkingDays: {
      days day = floor<days>(ToLondon(start));
      for (int counted = 0, i = 0; counted < spec.working_days() && i < kMaxDaysAhead; ++i) {
        day += days(1);
        if (IsWorkingDay(std::chrono::year_month_day(sys_days(day)))) ++counted;
      }
      return FromLondon(day + closes_);
    }
    case v1::TimescaleSpec::LENGTH_NOT_SET:
      break;
  }
  return start;
}

}  // namespace frontdoor
