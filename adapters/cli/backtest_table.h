// How `frontdoor rules backtest` shows its counts on a terminal: a head
// naming the policy, tables of the routes and levels recommended then
// (rows) against those under the policy tested (columns), the changes with
// example contacts, and the progress line shown while it runs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/backtest.h"

namespace frontdoor {

// The whole report; `policy_label` and `policy_version` name the policy the
// contacts were replayed against.
std::string BacktestTables(const BacktestReport& report, std::string_view policy_label,
                           std::string_view policy_version);

// One progress line, starting with "\r" so that each overwrites the last: a
// count when `total` is 0 (not known), otherwise a bar and a percentage.
std::string BacktestProgress(uint64_t done, uint64_t total);

}  // namespace frontdoor
