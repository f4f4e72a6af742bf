// The front door's calendar: office hours in Europe/London, England and Wales
// bank holidays, and the arithmetic of timescales measured in clock hours,
// working hours or working days. All times in and out are UTC TimePoints;
// local time is only used inside, through the date/tz library, so both clock
// changes are handled by the time zone database rather than by us.
//
// A Calendar is immutable once made and safe to share between threads.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/v1/policy.pb.h"

namespace frontdoor {

// "HH:MM" (00:00 to 24:00) as minutes after midnight; nullopt for anything
// else ("9am", "9:00", "25:00"). Office hours in policies are written so.
std::optional<std::chrono::minutes> ParseClock(std::string_view text);

// "MONDAY" to "SUNDAY", in any case; nullopt for anything else.
std::optional<std::chrono::weekday> ParseWeekday(std::string_view text);

class Calendar {
 public:
  // Office hours as the policy gives them (empty fields take the defaults:
  // Monday to Friday, 09:00 to 17:00) and the days the office is shut.
  // Errors: InvalidArgument naming the bad field ("office_hours.opens").
  static absl::StatusOr<Calendar> Make(const v1::OfficeHours& hours,
                                       std::vector<std::chrono::year_month_day> holidays);

  // Reads the "england-and-wales" division of a file in the format of
  // https://www.gov.uk/bank-holidays.json (deploy/bank-holidays.json is
  // one). Errors: NotFound, InvalidArgument naming the file and the entry.
  static absl::StatusOr<std::vector<std::chrono::year_month_day>> LoadBankHolidays(
      const std::filesystem::path& path, const std::string& division = "england-and-wales");

  // Within office hours on a working day.
  bool IsOpen(TimePoint t) const;
  // `t` itself when open, otherwise the start of the next opening.
  TimePoint NextOpening(TimePoint t) const;
  // A working day: an office day that is not a bank holiday.
  bool IsWorkingDay(std::chrono::year_month_day local_date) const;
  // The date in Europe/London at `t`.
  std::chrono::year_month_day LocalDate(TimePoint t) const;
  // The instant a day begins in Europe/London (midnight local time).
  TimePoint StartOfLocalDay(std::chrono::year_month_day local_date) const;

  // When a step started at `start` with timescale `spec` is due. The
  // counting convention (written down in the README):
  // - hours: start + N hours, day and night.
  // - working_hours: N hours counted only while the office is open; a start
  //   outside office hours counts from the next opening.
  // - working_days: the close of business on the Nth working day after the
  //   day of `start` (a start on Friday with 1 working day is due at the
  //   Monday close, or Tuesday if Monday is a bank holiday).
  // A spec with no length set is treated as 0 hours.
  TimePoint DueAt(TimePoint start, const v1::TimescaleSpec& spec) const;

 private:
  Calendar() = default;

  std::chrono::minutes opens_{9 * 60};
  std::chrono::minutes closes_{17 * 60};
  std::set<unsigned> open_weekdays_;  // c_encoding: 0 = Sunday
  std::set<std::chrono::sys_days> holidays_;
};

}  // namespace frontdoor
