// Date wording through date/tz's `format`, with the classic locale so that
// %B is the English month name. A day of the month is written without a
// leading zero ("4 March"), which no strftime flag gives, so the zero is
// taken off.
#include "calendar/date_words.h"

#include <locale>

#include "calendar/london_time.h"
#include "date/date.h"

namespace frontdoor {

namespace {

// The London local time at `t` as a local_time, which `format` writes
// without a zone.
date::local_time<Millis> LocalTime(TimePoint t) { return date::local_time<Millis>(ToLondon(t)); }

date::local_days LocalDays(std::chrono::year_month_day day) {
  return date::local_days(std::chrono::sys_days(day).time_since_epoch());
}

std::string WithoutLeadingZero(std::string text) {
  if (text.size() > 1 && text[0] == '0') text.erase(0, 1);
  return text;
}

}  // namespace

std::string FormatLongDate(TimePoint t) {
  return WithoutLeadingZero(date::format(std::locale::classic(), "%d %B %Y",
                                         std::chrono::floor<date::days>(LocalTime(t))));
}

std::string FormatLongDate(std::chrono::year_month_day day) {
  return WithoutLeadingZero(date::format(std::locale::classic(), "%d %B %Y", LocalDays(day)));
}

std::string FormatTimeOnDate(TimePoint t) {
  date::local_time<Millis> local = LocalTime(t);
  return date::format(std::locale::classic(), "%H:%M on ", local) +
         WithoutLeadingZero(date::format(std::locale::classic(), "%d %B %Y",
                                         std::chrono::floor<date::days>(local)));
}

std::string FormatMonthAndYear(std::chrono::year_month_day day) {
  return date::format(std::locale::classic(), "%B %Y", LocalDays(day));
}

std::string FormatDayMonthYear(std::chrono::year_month_day day) {
  return date::format(std::locale::classic(), "%d/%m/%Y", LocalDays(day));
}

}  // namespace frontdoor
