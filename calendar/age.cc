// Age arithmetic on calendar dates; no time zone is involved once the day
// is known.
#include "calendar/age.h"

#include <algorithm>

namespace frontdoor {

int AgeInMonths(std::chrono::year_month_day born, std::chrono::year_month_day on) {
  int months = (static_cast<int>(on.year()) - static_cast<int>(born.year())) * 12 +
               (static_cast<int>(static_cast<unsigned>(on.month())) -
                static_cast<int>(static_cast<unsigned>(born.month())));
  if (on.day() < born.day()) --months;
  return std::max(months, 0);
}

int AgeInYears(std::chrono::year_month_day born, std::chrono::year_month_day on) {
  return AgeInMonths(born, on) / 12;
}

}  // namespace frontdoor
