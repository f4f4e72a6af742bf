// A child's age as the front door counts it: whole months or whole years
// from the date of birth to a day (the Europe/London date a contact was
// received), the way a person says it. One definition serves the rules'
// age conditions, the letters' "aged 7" and the reports' age column.
#pragma once

#include <chrono>

namespace frontdoor {

// Whole months from `born` to `on`: a child born on 15 March is 1 month old
// on 15 April and still 0 on 14 April; one born on 31 January is 1 month old
// on 1 March. 0 when `on` is before `born` (a date of birth in the future
// counts as a newborn, never a negative age).
int AgeInMonths(std::chrono::year_month_day born, std::chrono::year_month_day on);

// Whole years from `born` to `on`: AgeInMonths / 12, so a child born on
// 29 February turns 1 on 1 March of a common year.
int AgeInYears(std::chrono::year_month_day born, std::chrono::year_month_day on);

}  // namespace frontdoor
