// Indicators and Annex A from the contacts received in a range of days.
// Each contact is counted in the week and day it arrived; timescale results
// come from the contact's own record of its finished steps.
#include "engine/reports.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "calendar/age.h"
#include "frontdoor/codes.h"
#include "frontdoor/status_macros.h"

namespace frontdoor {

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// Visits each contact received from `from` to `to` (both included), one at
// a time, so that a long range costs time, not memory.
absl::Status ForEachContactReceived(const Store& store, const Calendar& calendar,
                                    year_month_day from, year_month_day to,
                                    const std::function<void(const v1::ContactRecord&)>& visit) {
  if (!from.ok() || !to.ok() || sys_days(to) < sys_days(from)) {
    return absl::InvalidArgumentError("to must be a date on or after from");
  }
  TimePoint begin = calendar.StartOfLocalDay(from);
  TimePoint end = calendar.StartOfLocalDay(year_month_day(sys_days(to) + days(1)));
  size_t seen = 0;
  absl::Status failure = absl::OkStatus();
  RETURN_IF_ERROR(store.ForEachReceivedBetween(begin, end, [&](std::string_view id) {
    if (++seen > kMaxReportContacts) {
      failure =
          absl::InvalidArgumentError("the range holds too many contacts; choose a shorter one");
      return false;
    }
    auto record = store.GetContact(id);
    if (!record.ok()) {
      failure = record.status();
      return false;
    }
    if (record->has_value()) visit(**record);
    return true;
  }));
  return failure;
}

year_month_day MondayOf(year_month_day d) {
  sys_days day(d);
  unsigned since_monday = (std::chrono::weekday(day).c_encoding() + 6) % 7;
  return year_month_day(day - days(since_monday));
}

double ShareOf(int part, int whole) { return whole == 0 ? 0 : static_cast<double>(part) / whole; }

// Nearest-rank percentile of sorted values; 0 for none.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

double Hours(const google::protobuf::Timestamp& from, const google::protobuf::Timestamp& to) {
  return std::chrono::duration<double, std::ratio<3600>>(FromProto(to) - FromProto(from)).count();
}

bool IsReferral(v1::Outcome::Code outcome) {
  return outcome == v1::Outcome::SOCIAL_CARE_ASSESSMENT ||
         outcome == v1::Outcome::STRATEGY_DISCUSSION;
}

struct WeekTally {
  v1::Indicators::Week week;
  std::vector<double> hours_to_decision;
};

// One person's or key's decisions.
struct WorkerTally {
  v1::Actor actor;
  int decisions = 0;
  int in_time = 0;
};

void SetShare(v1::Indicators::Share* share, int within, int total) {
  share->set_total(total);
  share->set_within(within);
  share->set_share(ShareOf(within, total));
}

v1::Indicators::SourceCount SourceCountOf(v1::Source::Code source, int count) {
  v1::Indicators::SourceCount out;
  out.set_source(source);
  out.set_census(std::string(CensusOf(source)));
  out.set_label(std::string(LabelOf(source)));
  out.set_count(count);
  return out;
}

}  // namespace

absl::StatusOr<v1::Indicators> ComputeIndicators(const Store& store, const Calendar& calendar,
                                                 const v1::Targets& targets, year_month_day from,
                                                 year_month_day to) {
  v1::Indicators out;
  out.set_from(FormatIsoDate(from));
  out.set_to(FormatIsoDate(to));
  out.mutable_targets()->set_decided_within_timescale(
      targets.has_decided_within_timescale() ? targets.decided_within_timescale() : 0.95);
  out.mutable_targets()->set_mash_within_timescale(
      targets.has_mash_within_timescale() ? targets.mash_within_timescale() : 0.9);

  std::map<v1::Source::Code, int> by_source;
  std::map<sys_days, std::map<v1::Source::Code, int>> by_day;
  std::map<sys_days, WeekTally> weeks;
  std::map<v1::Outcome::Code, int> outcomes;
  int decided = 0, decided_in_time = 0, mash = 0, mash_in_time = 0, referrals = 0, re_referrals = 0;
  std::vector<double> hours_to_decision;
  std::map<std::string, WorkerTally> by_worker;

  int received = 0;
  RETURN_IF_ERROR(
      ForEachContactReceived(store, calendar, from, to, [&](const v1::ContactRecord& record) {
        ++received;
        const v1::Contact& c = record.contact();
        year_month_day day = calendar.LocalDate(FromProto(c.received_at()));
        WeekTally& week = weeks[sys_days(MondayOf(day))];
        week.week.set_contacts(week.week.contacts() + 1);
        ++by_source[c.source()];
        ++by_day[sys_days(day)][c.source()];
        switch (c.consent().status()) {
          case v1::ConsentStatus::GIVEN:
            out.mutable_consent()->set_given(out.consent().given() + 1);
            break;
          case v1::ConsentStatus::REFUSED:
            out.mutable_consent()->set_refused(out.consent().refused() + 1);
            break;
          case v1::ConsentStatus::NOT_SOUGHT:
            out.mutable_consent()->set_not_sought(out.consent().not_sought() + 1);
            break;
          default:
            break;
        }
        // A decision the policy made itself (an open case) is made on arrival.
        std::optional<std::pair<bool, double>> decision;
        if (c.decision().automatic()) {
          decision = {true, Hours(c.received_at(), c.decision().decided_at())};
        }
        for (const v1::TimescaleResult& result : c.results()) {
          if (result.name() == "decision") {
            decision = {result.met(), Hours(c.received_at(), result.finished_at())};
          } else if (result.name() == "mash") {
            ++mash;
            week.week.set_mash_completed(week.week.mash_completed() + 1);
            if (result.met()) {
              ++mash_in_time;
              week.week.set_mash_in_time(week.week.mash_in_time() + 1);
            }
          }
        }
        // A decision waiting for a manager is still the worker's decision.
        const v1::FrontDoorDecision& made =
            c.has_decision() ? c.decision() : c.authorisation().decision();
        if (decision && !made.automatic() && !made.decided_by().empty()) {
          WorkerTally& worker = by_worker[made.decided_by()];
          // The latest full record of who they are wins; a decision stored
          // before people had names knows only the id.
          if (made.has_decided_by_actor()) {
            worker.actor = made.decided_by_actor();
          } else if (worker.actor.id().empty()) {
            worker.actor.set_id(made.decided_by());
            worker.actor.set_name(made.decided_by());
          }
          ++worker.decisions;
          if (decision->first) ++worker.in_time;
        }
        if (decision) {
          ++decided;
          week.week.set_decided(week.week.decided() + 1);
          if (decision->first) {
            ++decided_in_time;
            week.week.set_decided_in_time(week.week.decided_in_time() + 1);
          }
          hours_to_decision.push_back(decision->second);
          week.hours_to_decision.push_back(decision->second);
        }
        if (c.state() == v1::ContactState::CLOSED) ++outcomes[c.outcome()];
        if (IsReferral(c.outcome())) {
          ++referrals;
          week.week.set_referrals(week.week.referrals() + 1);
          if (c.prior().referrals_12m() > 0) {
            ++re_referrals;
            week.week.set_re_referrals(week.week.re_referrals() + 1);
          }
        }
      }));

  // Breaches count in the week they were raised.
  TimePoint begin = calendar.StartOfLocalDay(from);
  TimePoint end = calendar.StartOfLocalDay(year_month_day(sys_days(to) + days(1)));
  RETURN_IF_ERROR(store.ForEachBreach([&](const v1::Breach& b) {
    TimePoint raised = FromProto(b.raised_at());
    if (raised >= begin && raised < end) {
      out.set_breaches_raised(out.breaches_raised() + 1);
      WeekTally& week = weeks[sys_days(MondayOf(calendar.LocalDate(raised)))];
      week.week.set_breaches(week.week.breaches() + 1);
    }
    return true;
  }));

  out.set_contacts_received(received);
  for (const auto& [source, count] : by_source) *out.add_by_source() = SourceCountOf(source, count);
  for (const auto& [day, sources] : by_day) {
    v1::Indicators::Day* d = out.add_by_day();
    d->set_date(FormatIsoDate(year_month_day(day)));
    for (const auto& [source, count] : sources) {
      d->set_total(d->total() + count);
      *d->add_by_source() = SourceCountOf(source, count);
    }
  }
  for (auto& [monday, tally] : weeks) {
    v1::Indicators::Week& w = tally.week;
    w.set_week_start(FormatIsoDate(year_month_day(monday)));
    w.set_decided_in_time_share(ShareOf(w.decided_in_time(), w.decided()));
    w.set_mash_in_time_share(ShareOf(w.mash_in_time(), w.mash_completed()));
    w.set_re_referral_rate(ShareOf(w.re_referrals(), w.referrals()));
    std::sort(tally.hours_to_decision.begin(), tally.hours_to_decision.end());
    w.set_median_hours_to_decision(Percentile(tally.hours_to_decision, 0.5));
    w.set_p90_hours_to_decision(Percentile(tally.hours_to_decision, 0.9));
    *out.add_by_week() = std::move(w);
  }
  SetShare(out.mutable_decided_within_timescale(), decided_in_time, decided);
  SetShare(out.mutable_mash_within_timescale(), mash_in_time, mash);
  for (const auto& [outcome, count] : outcomes) {
    v1::Indicators::OutcomeCount* o = out.add_outcomes();
    o->set_outcome(outcome);
    o->set_label(std::string(LabelOf(outcome)));
    o->set_count(count);
  }
  out.set_referrals(referrals);
  out.set_conversion_to_referral(ShareOf(referrals, received));
  out.set_re_referrals_12m(re_referrals);
  out.set_re_referral_rate(ShareOf(re_referrals, referrals));
  std::sort(hours_to_decision.begin(), hours_to_decision.end());
  out.mutable_time_to_decision_hours()->set_count(static_cast<int>(hours_to_decision.size()));
  out.mutable_time_to_decision_hours()->set_median(Percentile(hours_to_decision, 0.5));
  out.mutable_time_to_decision_hours()->set_p90(Percentile(hours_to_decision, 0.9));
  std::vector<v1::Indicators::WorkerDecisions> workers;
  for (auto& [id, tally] : by_worker) {
    v1::Indicators::WorkerDecisions& w = workers.emplace_back();
    *w.mutable_actor() = std::move(tally.actor);
    w.set_decisions(tally.decisions);
    w.set_in_time(tally.in_time);
    w.set_in_time_share(ShareOf(tally.in_time, tally.decisions));
  }
  // Most decisions first; ties by id, so the order never changes by chance.
  std::stable_sort(workers.begin(), workers.end(),
                   [](const auto& a, const auto& b) { return a.decisions() > b.decisions(); });
  for (auto& w : workers) *out.add_decisions_by_worker() = std::move(w);
  return out;
}

absl::StatusOr<std::vector<v1::AnnexAContact>> AnnexAContacts(const Store& store,
                                                              const Calendar& calendar,
                                                              year_month_day from,
                                                              year_month_day to) {
  std::vector<v1::AnnexAContact> rows;
  RETURN_IF_ERROR(
      ForEachContactReceived(store, calendar, from, to, [&](const v1::ContactRecord& record) {
        const v1::Contact& c = record.contact();
        year_month_day on = calendar.LocalDate(FromProto(c.received_at()));
        for (int i = 0; i < c.children_size(); ++i) {
          const v1::Child& child = c.children(i);
          v1::AnnexAContact row;
          // The child as the front door knows them across contacts.
          row.set_child_id(i < c.person_ids_size() ? c.person_ids(i)
                                                   : c.id() + "-" + std::to_string(i + 1));
          row.set_sex(child.sex() == v1::Sex::SEX_UNSPECIFIED ? v1::Sex::U : child.sex());
          if (child.birth_case() == v1::Child::kDateOfBirth) {
            if (auto dob = ParseIsoDate(child.date_of_birth())) {
              row.set_date_of_birth(FormatIsoDate(*dob));
              row.set_age_years(AgeInYears(*dob, on));
            }
          }
          row.set_date_of_contact(FormatIsoDate(on));
          row.set_source(c.source());
          rows.push_back(std::move(row));
        }
      }));
  return rows;
}

}  // namespace frontdoor
