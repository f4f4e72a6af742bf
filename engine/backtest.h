// Replaying stored contacts against another policy: what each contact
// arrived with (its CONTACT_RECEIVED facts, including what was known of its
// children then) is evaluated again, and the old and new routes and levels
// are counted against each other, with example contacts for every change.
// Read-only; run it on a secondary store while the server keeps working.
// The counts are data; adapters/cli/backtest_table.h lays them out.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "calendar/calendar.h"
#include "engine/store.h"
#include "rules/policy.h"

namespace frontdoor {

struct BacktestOptions {
  // Only contacts received on these days (Europe/London), both included.
  // Default: every stored contact.
  std::optional<std::chrono::year_month_day> from;
  std::optional<std::chrono::year_month_day> to;
  // Example contact ids kept per changed cell. Default: 3.
  size_t examples = 3;
  // Called now and then with contacts done and the total expected (0 when
  // not known). Default: none.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct BacktestCell {
  uint64_t count = 0;
  std::vector<std::string> examples;
};

struct BacktestReport {
  uint64_t contacts = 0;
  uint64_t route_changes = 0;
  uint64_t level_changes = 0;
  // (route then, route now) and (level then, level now).
  std::map<std::pair<v1::Route::Code, v1::Route::Code>, BacktestCell> routes;
  std::map<std::pair<int, int>, BacktestCell> levels;
  // The rules versions that made the recommendations, and how many each.
  std::map<std::string, uint64_t> old_versions;
  double seconds = 0;
};

absl::StatusOr<BacktestReport> Backtest(const Store& store, const rules::Policy& policy,
                                        const Calendar& calendar,
                                        const BacktestOptions& options = {});

}  // namespace frontdoor
