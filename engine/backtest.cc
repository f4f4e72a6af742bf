// Counting how a policy would have routed the contacts already stored.
#include "engine/backtest.h"

#include <cstdio>
#include <set>

#include "engine/contact_machine.h"
#include "frontdoor/codes.h"
#include "frontdoor/status_macros.h"

namespace frontdoor {

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

template <typename Key>
void Count(std::map<Key, BacktestCell>& cells, const Key& key, const std::string& id,
           size_t examples) {
  BacktestCell& cell = cells[key];
  ++cell.count;
  if (key.first != key.second && cell.examples.size() < examples) cell.examples.push_back(id);
}

std::string RouteName(v1::Route::Code route) {
  return route == v1::Route::ROUTE_UNSPECIFIED ? "(none)" : std::string(NameOf(route));
}

std::string LevelName(int level) { return level == 0 ? "(none)" : "level " + std::to_string(level); }

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
    out += "  " + name(key.first) + " -> " + name(key.second) + ": " +
           std::to_string(cell.count) + " (e.g.";
    for (const std::string& id : cell.examples) out += " " + id;
    out += ")\n";
  }
  return out.empty() ? "  none\n" : out;
}

}  // namespace

absl::StatusOr<BacktestReport> Backtest(const Store& store, const rules::Policy& policy,
                                        const Calendar& calendar,
                                        const BacktestOptions& options) {
  auto start = std::chrono::steady_clock::now();
  BacktestReport report;
  uint64_t total = 0;
  auto visit = [&](const v1::Event& event) {
    const v1::ContactReceived& received = event.contact_received();
    const v1::Rule* rule = policy.Decide(FactsOf(received, calendar));
    const v1::Recommendation& then = received.recommendation();
    v1::Route::Code now_route = rule ? rule->then().route() : v1::Route::ROUTE_UNSPECIFIED;
    int now_level = rule ? rule->then().level() : 0;
    Count(report.routes, std::pair{then.route(), now_route}, event.contact_id(), options.examples);
    Count(report.levels, std::pair{then.level(), now_level}, event.contact_id(), options.examples);
    report.route_changes += then.route() != now_route;
    report.level_changes += then.level() != now_level;
    ++report.old_versions[then.rules_version()];
    if (++report.contacts % 10000 == 0 && options.progress) {
      options.progress(report.contacts, total);
    }
    return true;
  };

  if (options.from || options.to) {
    year_month_day from = options.from.value_or(year_month_day(sys_days()));
    year_month_day to = options.to.value_or(
        year_month_day{std::chrono::year(9999), std::chrono::December, std::chrono::day(31)});
    if (sys_days(to) < sys_days(from)) {
      return absl::InvalidArgumentError("--to must not be before --from");
    }
    // One contact at a time: a long range costs time, not memory. The
    // total is not known in advance, so progress shows a count.
    absl::Status read = absl::OkStatus();
    RETURN_IF_ERROR(store.ForEachReceivedBetween(
        calendar.StartOfLocalDay(from),
        calendar.StartOfLocalDay(year_month_day(sys_days(to) + days(1))),
        [&](std::string_view id) {
          auto event = store.GetEvent(id, 1);
          if (!event.ok()) {
            read = event.status();
            return false;
          }
          if (event->has_value() && (*event)->has_contact_received()) visit(**event);
          return true;
        }));
    RETURN_IF_ERROR(read);
  } else {
    ASSIGN_OR_RETURN(total, store.GetCounter("contact"));
    RETURN_IF_ERROR(store.ForEachReceived(visit));
  }
  if (options.progress) options.progress(report.contacts, total);
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

std::string FormatBacktest(const BacktestReport& report, const rules::Policy& policy) {
  char head[512];
  std::snprintf(head, sizeof head,
                "Backtest of \"%s\" (%s) against %llu stored contacts, %.1f s\n"
                "Route changed for %llu, level changed for %llu.\n",
                policy.label().c_str(), policy.version().c_str(),
                static_cast<unsigned long long>(report.contacts), report.seconds,
                static_cast<unsigned long long>(report.route_changes),
                static_cast<unsigned long long>(report.level_changes));
  std::string out = head;
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

}  // namespace frontdoor
