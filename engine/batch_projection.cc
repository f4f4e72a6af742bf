// Events in, index writes out: the projection of one event.
#include "engine/batch_projection.h"

#include "engine/contact_machine.h"
#include "engine/mash_checks.h"
#include "engine/queries.h"
#include "engine/urgency.h"
#include "frontdoor/codes.h"

namespace frontdoor {

namespace {

v1::Breach BreachOf(const v1::Contact& c, const v1::Deadline& d) {
  v1::Breach b;
  b.set_contact_id(c.id());
  b.set_timescale(d.name());
  *b.mutable_due_at() = d.due_at();
  *b.mutable_raised_at() = d.breached_at();
  b.set_source(c.source());
  b.set_rag(CurrentRag(c));
  return b;
}

void ProjectStarted(const v1::Contact& c, const v1::Event& e, EventProjection& out) {
  const auto& started = e.timescale_started();
  v1::Timer timer;
  timer.set_contact_id(e.contact_id());
  timer.set_name(started.name());
  *timer.mutable_due_at() = started.due_at();
  out.timers_set.push_back(timer);
  if (started.has_warn_at()) {
    timer.set_name(started.name() + kDueSoonSuffix);
    *timer.mutable_due_at() = started.warn_at();
    out.timers_set.push_back(std::move(timer));
  }
  if (auto q = QueueOfTimescale(started.name())) {
    out.worklist_added.push_back(
        {*q, WorklistRank(c), FromProto(started.due_at()), e.contact_id()});
  }
  out.tallies.push_back({"open/" + started.name(), +1});
}

void ProjectStopped(const v1::Contact& c, const v1::Event& e, EventProjection& out) {
  const auto& stopped = e.timescale_stopped();
  const TimePoint due = FromProto(stopped.due_at());
  out.timers_deleted.push_back({due, e.contact_id(), stopped.name()});
  if (auto q = QueueOfTimescale(stopped.name())) {
    out.worklist_removed.push_back({*q, WorklistRank(c), due, e.contact_id()});
  }
  out.tallies.push_back({"open/" + stopped.name(), -1});
  const v1::Deadline* d = FindDeadline(c, stopped.name());
  if (d != nullptr && d->has_warn_at()) {
    out.timers_deleted.push_back(
        {FromProto(d->warn_at()), e.contact_id(), stopped.name() + kDueSoonSuffix});
  }
  if (d != nullptr && d->breached()) {
    v1::Breach b = BreachOf(c, *d);
    *b.mutable_resolved_at() = e.at();
    out.breaches.push_back(std::move(b));
  }
}

Store::AgencyCheckEntry CheckEntry(const v1::Check& check, const std::string& contact_id) {
  return {check.agency(), check.state(), FromProto(check.due_at()), contact_id};
}

v1::Timer CheckTimer(const std::string& contact_id, v1::Source::Code agency,
                     const google::protobuf::Timestamp& due) {
  v1::Timer timer;
  timer.set_contact_id(contact_id);
  timer.set_name(CheckTimerName(agency));
  *timer.mutable_due_at() = due;
  return timer;
}

// A check asked: its timer and its place on the agency's list.
void ProjectCheckRequested(const v1::Event& e, EventProjection& out) {
  const auto& requested = e.check_requested();
  out.timers_set.push_back(CheckTimer(e.contact_id(), requested.agency(), requested.due_at()));
  out.checks_indexed.push_back({requested.agency(), v1::CheckState::REQUESTED,
                                FromProto(requested.due_at()), e.contact_id()});
}

// A check answered or not needed: its timer stops, it moves to its new state.
void ProjectCheckAnswered(const v1::Contact& c, const v1::Event& e, EventProjection& out) {
  const v1::Check* check = FindCheck(c, e.check_answered().agency());
  if (check == nullptr) return;
  out.timers_deleted.push_back(
      {FromProto(check->due_at()), e.contact_id(), CheckTimerName(check->agency())});
  out.checks_unindexed.push_back(CheckEntry(*check, e.contact_id()));
  v1::Check after = *check;
  after.set_state(e.check_answered().state());
  out.checks_indexed.push_back(CheckEntry(after, e.contact_id()));
}

// A new RAG: the mash timer, its warning and the worklist entry move to the
// new deadline; checks still waiting move to their new due times.
// (The worklist key is (queue, due, contact); should it gain an urgency
// rank, the rank of the contact before and after goes into the two refs.)
void ProjectRagChanged(const v1::Contact& c, const v1::Event& e, EventProjection& out) {
  const auto& changed = e.rag_changed();
  const v1::Deadline* d = FindDeadline(c, kMashTimescale);
  if (d != nullptr && changed.has_mash_due_at()) {
    const TimePoint old_due = FromProto(d->due_at());
    const TimePoint new_due = FromProto(changed.mash_due_at());
    out.timers_deleted.push_back({old_due, e.contact_id(), kMashTimescale});
    if (d->has_warn_at()) {
      out.timers_deleted.push_back({FromProto(d->warn_at()), e.contact_id(),
                                    std::string(kMashTimescale) + kDueSoonSuffix});
    }
    v1::Timer timer;
    timer.set_contact_id(e.contact_id());
    timer.set_name(kMashTimescale);
    *timer.mutable_due_at() = changed.mash_due_at();
    out.timers_set.push_back(timer);
    if (changed.has_mash_warn_at()) {
      timer.set_name(std::string(kMashTimescale) + kDueSoonSuffix);
      *timer.mutable_due_at() = changed.mash_warn_at();
      out.timers_set.push_back(std::move(timer));
    }
    if (auto q = QueueOfTimescale(kMashTimescale)) {
      // The rank follows the new RAG.
      v1::Contact after = c;
      after.mutable_mash()->set_rag(changed.to());
      out.worklist_removed.push_back({*q, WorklistRank(c), old_due, e.contact_id()});
      out.worklist_added.push_back({*q, WorklistRank(after), new_due, e.contact_id()});
    }
  }
  for (const v1::CheckRequested& due : changed.checks_due()) {
    const v1::Check* check = FindCheck(c, due.agency());
    if (check == nullptr) continue;
    out.timers_deleted.push_back(
        {FromProto(check->due_at()), e.contact_id(), CheckTimerName(check->agency())});
    out.timers_set.push_back(CheckTimer(e.contact_id(), due.agency(), due.due_at()));
    out.checks_unindexed.push_back(CheckEntry(*check, e.contact_id()));
    v1::Check after = *check;
    *after.mutable_due_at() = due.due_at();
    out.checks_indexed.push_back(CheckEntry(after, e.contact_id()));
  }
}

}  // namespace

std::string StateTally(v1::ContactState::Code state) {
  return "state/" + std::string(NameOf(state));
}

bool IsEmitted(const v1::Event& e) {
  switch (e.body_case()) {
    case v1::Event::kContactReceived:
    case v1::Event::kDecisionRecorded:
    case v1::Event::kCheckRequested:
    case v1::Event::kLetterIssued:
    case v1::Event::kTimescaleBreached:
    case v1::Event::kEdtAlert:
    case v1::Event::kContactClosed:
    case v1::Event::kCheckOverdue:
      return true;
    default:
      return false;
  }
}

EventProjection ProjectEvent(const v1::ContactRecord& before, const v1::Event& e) {
  EventProjection out;
  const v1::Contact& c = before.contact();
  switch (e.body_case()) {
    case v1::Event::kContactReceived: {
      const auto& received = e.contact_received();
      const TimePoint at = FromProto(received.received_at());
      out.received = at;
      out.people = PeopleLink{
          PeopleLink::kContact,
          std::vector<std::string>(received.person_ids().begin(), received.person_ids().end()), at};
      break;
    }
    case v1::Event::kContactClosed: {
      v1::Outcome::Code outcome = e.contact_closed().outcome();
      if (outcome == v1::Outcome::SOCIAL_CARE_ASSESSMENT ||
          outcome == v1::Outcome::STRATEGY_DISCUSSION) {
        out.people =
            PeopleLink{PeopleLink::kReferral,
                       std::vector<std::string>(c.person_ids().begin(), c.person_ids().end()),
                       FromProto(e.at())};
      }
      break;
    }
    case v1::Event::kTimescaleStarted:
      ProjectStarted(c, e, out);
      break;
    case v1::Event::kTimescaleStopped:
      ProjectStopped(c, e, out);
      break;
    case v1::Event::kTimescaleBreached: {
      if (const v1::Deadline* d = FindDeadline(c, e.timescale_breached().name())) {
        v1::Deadline breached = *d;
        *breached.mutable_breached_at() = e.at();
        out.breaches.push_back(BreachOf(c, breached));
        ++out.breaches_raised;
      }
      break;
    }
    case v1::Event::kCheckRequested:
      ProjectCheckRequested(e, out);
      break;
    case v1::Event::kCheckAnswered:
      ProjectCheckAnswered(c, e, out);
      break;
    case v1::Event::kRagChanged:
      ProjectRagChanged(c, e, out);
      break;
    default:
      break;
  }
  out.emitted = IsEmitted(e);
  return out;
}

}  // namespace frontdoor
