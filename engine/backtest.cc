// Counting how a policy would have routed the contacts already stored.
#include "engine/backtest.h"

#include "engine/contact_machine.h"
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

}  // namespace

absl::StatusOr<BacktestReport> Backtest(const Store& store, const rules::Policy& policy,
                                        const Calendar& calendar, const BacktestOptions& options) {
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
        calendar.StartOfLocalDay(year_month_day(sys_days(to) + days(1))), [&](std::string_view id) {
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
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace frontdoor
