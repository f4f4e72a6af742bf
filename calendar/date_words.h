// Dates and times as letters and reports write them, in Europe/London
// (calendar/london_time.h): "24 November 2026", "09:30 on 25 November 2026",
// "March 2027", "24/11/2026". English month names whatever the process
// locale. Thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "frontdoor/proto_time.h"

namespace frontdoor {

// "24 November 2026": the London date at `t`.
std::string FormatLongDate(TimePoint t);
// "24 November 2026".
std::string FormatLongDate(std::chrono::year_month_day day);

// "09:30 on 25 November 2026": London time at `t`, to the minute.
std::string FormatTimeOnDate(TimePoint t);

// "March 2027": for a baby's expected month of birth.
std::string FormatMonthAndYear(std::chrono::year_month_day day);

// "24/11/2026": the day first, as English forms and returns write dates.
std::string FormatDayMonthYear(std::chrono::year_month_day day);

}  // namespace frontdoor
