// Terminal tables of a backtest's counts.
#include "adapters/cli/backtest_table.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_format.h"
#include "frontdoor/codes.h"

namespace frontdoor {

namespace {

std::string RouteName(v1::Route::Code route) {
  return route == v1::Route::ROUTE_UNSPECIFIED ? "(none)" : std::string(NameOf(route));
}

std::string LevelName(int level) {
  return level == 0 ? "(none)" : "level " + std::to_string(level);
}

// Right-aligned columns at least 12 wide; "." where nothing was counted.
template <typename Key>
std::string Table(const std::map<std::pair<Key, Key>, BacktestCell>& cells,
                  std::string (*name)(Key)) {
  std::set<Key> rows, columns;
  for (const auto& [key, cell] : cells) {
    rows.insert(key.first);
    columns.insert(key.second);
  }
  size_t width = 12;
  for (Key k : rows) width = std::max(width, name(k).size() + 2);
  for (Key k : columns) width = std::max(width, name(k).size() + 2);
  auto pad = [width](const std::string& s) {
    return std::string(width - std::min(width, s.size()), ' ') + s;
  };
  std::string out = pad("then \\ now");
  for (Key c : columns) out += pad(name(c));
  out += "\n";
  for (Key r : rows) {
    out += pad(name(r));
    for (Key c : columns) {
      auto it = cells.find({r, c});
      out += pad(it == cells.end() ? "." : std::to_string(it->second.count));
    }
    out += "\n";
  }
  return out;
}

template <typename Key>
std::string Changes(const std::map<std::pair<Key, Key>, BacktestCell>& cells,
                    std::string (*name)(Key)) {
  std::string out;
  for (const auto& [key, cell] : cells) {
    if (key.first == key.second) continue;
    out += "  " + name(key.first) + " -> " + name(key.second) + ": " + std::to_string(cell.count) +
           " (e.g.";
    for (const std::string& id : cell.examples) out += " " + id;
    out += ")\n";
  }
  return out.empty() ? "  none\n" : out;
}

}  // namespace

std::string BacktestTables(const BacktestReport& report, std::string_view policy_label,
                           std::string_view policy_version) {
  std::string out = absl::StrFormat(
      "Backtest of \"%s\" (%s) against %d stored contacts, %.1f s\n"
      "Route changed for %d, level changed for %d.\n",
      std::string(policy_label), std::string(policy_version), report.contacts, report.seconds,
      report.route_changes, report.level_changes);
  out += "Recommended then by:";
  for (const auto& [version, count] : report.old_versions) {
    out += " " + (version.empty() ? std::string("(unknown)") : version) + " (" +
           std::to_string(count) + ")";
  }
  out += "\n\nRoutes (rows: recommended then; columns: under this policy)\n";
  out += Table<v1::Route::Code>(report.routes, &RouteName);
  out += "Route changes, with example contacts:\n";
  out += Changes<v1::Route::Code>(report.routes, &RouteName);
  out += "\nLevels (rows: then; columns: under this policy)\n";
  out += Table<int>(report.levels, &LevelName);
  out += "Level changes, with example contacts:\n";
  out += Changes<int>(report.levels, &LevelName);
  return out;
}

std::string BacktestProgress(uint64_t done, uint64_t total) {
  if (total == 0) return absl::StrFormat("\rbacktest: %d contacts", done);
  int percent = static_cast<int>(std::min<uint64_t>(100, done * 100 / total));
  std::string bar(static_cast<size_t>(percent / 4), '#');
  bar.resize(25, ' ');
  return absl::StrFormat("\rbacktest [%s] %3d%% %d/%d", bar, percent, done, total);
}

}  // namespace frontdoor
