// Decide and Apply for one contact. Decide works on a scratch copy of the
// state (steps::EventLog), applying each event as it is made, so that a
// later event in the same command (an outcome letter after an automatic
// decision) sees what the earlier ones did, exactly as a replay would. The
// steps commands share live in contact_steps.cc; Apply, every event kind's
// effect on the state, stays here in one switch.
#include "engine/contact_machine.h"

#include <algorithm>

#include "engine/authorisation.h"
#include "engine/contact_steps.h"
#include "engine/contact_validation.h"
#include "engine/mash_checks.h"
#include "frontdoor/codes.h"
#include "frontdoor/status_macros.h"
#include "rules/facts.h"
#include "rules/letters.h"

namespace frontdoor {

namespace {

using steps::Close;
using steps::Decided;
using steps::EventLog;
using steps::JoinReasons;
using steps::StartTimescale;
using steps::StopTimescale;

absl::StatusOr<std::vector<v1::Event>> DecideSubmit(const SubmitContact& cmd,
                                                    const DecideInputs& in) {
  if (in.new_contact_id.empty()) return absl::InvalidArgumentError("no id for the new contact");
  const v1::ContactSubmission& s = cmd.submission;
  // The engine checks what it is given, whoever gives it.
  RETURN_IF_ERROR(CheckSubmission(s, in.now, in.calendar->LocalDate(in.now)));
  TimePoint received = s.has_received_at() ? FromProto(s.received_at()) : in.now;
  rules::Facts facts = rules::FactsFor(s, received, in.prior, *in.calendar);
  const bool out_of_hours = facts.out_of_hours;
  v1::Event e;
  v1::ContactReceived& r = *e.mutable_contact_received();
  *r.mutable_submission() = s;
  *r.mutable_prior() = in.prior;
  for (const std::string& id : in.person_ids) r.add_person_ids(id);
  for (const v1::IdentityReview& review : in.identity_reviews) *r.add_identity_reviews() = review;
  for (const std::string& id : in.open_contacts) r.add_linked_contacts(id);
  r.set_submitted_by(cmd.actor.id());
  r.set_submitted_by_organisation(cmd.organisation);
  *r.mutable_received_at() = ToProto(received);
  r.set_out_of_hours(out_of_hours);
  // The explanation is not kept (see ContactReceived), so none is built.
  rules::Evaluation evaluation = in.policy->EvaluateFast(facts);
  const bool automatic = evaluation.recommendation.automatic() &&
                         evaluation.recommendation.route() != v1::Route::ROUTE_UNSPECIFIED &&
                         in.identity_reviews.empty();
  *r.mutable_recommendation() = std::move(evaluation.recommendation);
  *r.mutable_timescales() = std::move(evaluation.timescales);
  r.set_outcome_letter(evaluation.outcome_letter);

  EventLog log(nullptr, in.new_contact_id, in.now, &cmd.actor);
  log.Emit(std::move(e));
  const v1::Recommendation& rec = log.contact().recommendation();
  if (evaluation.urgent && out_of_hours) {
    v1::Event alert_event;
    auto* alert = alert_event.mutable_edt_alert();
    alert->set_reason(s.immediate_risk()
                          ? "A child may be at immediate risk of significant harm and the "
                            "contact arrived outside office hours."
                          : "The policy treats this contact as urgent and it arrived outside "
                            "office hours.");
    alert->set_rule_id(rec.rule_id());
    alert->set_rag(rec.rag());
    log.Emit(std::move(alert_event));
  }
  if (!automatic) {
    // A non-urgent contact out of hours may start its clock at the next
    // opening, when the partnership's policy says so.
    TimePoint start = received;
    if (out_of_hours && !evaluation.urgent &&
        in.policy->spec().office_hours().decision_clock_starts_at_opening()) {
      start = in.calendar->NextOpening(received);
    }
    StartTimescale(log, kDecisionTimescale, start,
                   in.calendar->DueAt(start, log.state().timescales().decision()));
  }
  RETURN_IF_ERROR(IssueLetter(log, in, v1::LetterKind::ACKNOWLEDGEMENT, "acknowledgement"));
  if (automatic) {
    v1::FrontDoorDecision decision;
    decision.set_route(rec.route());
    decision.set_rag(rec.route() == v1::Route::MASH ? rec.rag() : v1::Rag::RAG_UNSPECIFIED);
    decision.set_reason(JoinReasons(rec));
    decision.set_decided_by("policy");
    decision.set_automatic(true);
    if (rec.route() == v1::Route::EXISTING_CASE) decision.set_team(in.prior.open_case().team());
    RETURN_IF_ERROR(Decided(log, in, std::move(decision)));
  }
  return log.Take();
}

absl::StatusOr<std::vector<v1::Event>> DecideDecision(const v1::ContactRecord& state,
                                                      const RecordDecision& cmd,
                                                      const DecideInputs& in) {
  if (state.contact().state() != v1::ContactState::AWAITING_DECISION) {
    return absl::FailedPreconditionError(
        "the contact is " + std::string(NameOf(state.contact().state())) +
        ", not AWAITING_DECISION: a front-door decision has already been made");
  }
  // EXISTING_CASE passes the contact to the team of a case open now for one
  // of its children (the processor looks, into in.prior); without one there
  // is no team to pass it to.
  if (cmd.decision.route() == v1::Route::EXISTING_CASE && !in.prior.has_open_case()) {
    return InvalidField("route",
                        "is EXISTING_CASE, but none of the contact's children has an open case "
                        "(PUT /v1/open-cases/{case_id} records one): choose another route");
  }
  EventLog log(&state, cmd.contact_id, in.now, &cmd.actor);
  StopTimescale(log, kDecisionTimescale);
  v1::FrontDoorDecision decision;
  decision.set_route(cmd.decision.route());
  decision.set_reason(cmd.decision.reason());
  decision.set_rag(cmd.decision.rag());
  decision.set_decided_by(cmd.actor.id());
  if (decision.route() == v1::Route::EXISTING_CASE) decision.set_team(in.prior.open_case().team());
  ASSIGN_OR_RETURN(bool held, HoldForAuthorisation(log, in, decision));
  if (!held) RETURN_IF_ERROR(Decided(log, in, std::move(decision)));
  return log.Take();
}

absl::StatusOr<std::vector<v1::Event>> DecideMashOutcome(const v1::ContactRecord& state,
                                                         const RecordMashOutcome& cmd,
                                                         const DecideInputs& in) {
  if (state.contact().state() != v1::ContactState::IN_MASH) {
    return absl::FailedPreconditionError(
        "the contact is " + std::string(NameOf(state.contact().state())) + ", not IN_MASH");
  }
  EventLog log(&state, cmd.contact_id, in.now, &cmd.actor);
  RETURN_IF_ERROR(steps::SettleUnansweredChecks(log, cmd.outcome.unanswered_checks_reason()));
  StopTimescale(log, kMashTimescale);
  {
    v1::Event e;
    auto* recorded = e.mutable_mash_outcome_recorded();
    recorded->set_outcome(cmd.outcome.outcome());
    recorded->set_reason(cmd.outcome.reason());
    recorded->set_team(cmd.outcome.team());
    log.Emit(std::move(e));
  }
  RETURN_IF_ERROR(Close(log, in, OutcomeOfMash(cmd.outcome.outcome()), cmd.outcome.reason(),
                        /*as_recommended=*/false));
  return log.Take();
}

std::vector<v1::Event> DecideLink(const v1::ContactRecord& state, const LinkContact& cmd,
                                  const DecideInputs& in) {
  EventLog log(&state, cmd.contact_id, in.now, &cmd.actor);
  v1::Event e;
  e.mutable_contact_linked()->set_linked_contact_id(cmd.linked_contact_id);
  e.mutable_contact_linked()->set_linked_route(cmd.linked_route);
  log.Emit(std::move(e));
  return log.Take();
}

std::vector<v1::Event> DecideTimer(const v1::ContactRecord& state, const FireTimer& cmd,
                                   const DecideInputs& in) {
  std::string_view name = cmd.name;
  if (auto agency = AgencyOfCheckTimer(name)) return DecideCheckTimer(state, cmd, *agency, in);
  if (name.ends_with(kDueSoonSuffix)) {
    name.remove_suffix(std::string_view(kDueSoonSuffix).size());
    const v1::Deadline* d = FindDeadline(state.contact(), name);
    if (d == nullptr || d->breached() || d->due_soon() || !d->has_warn_at() ||
        FromProto(d->warn_at()) != cmd.due_at) {
      return {};
    }
    EventLog log(&state, cmd.contact_id, in.now, nullptr);
    v1::Event e;
    e.mutable_timescale_due_soon()->set_name(std::string(name));
    *e.mutable_timescale_due_soon()->mutable_due_at() = d->due_at();
    log.Emit(std::move(e));
    return log.Take();
  }
  const v1::Deadline* d = FindDeadline(state.contact(), cmd.name);
  // A step finished in time deletes its timer in the same batch, so a timer
  // without an open, unbreached deadline due at the same moment is stale.
  if (d == nullptr || d->breached() || FromProto(d->due_at()) != cmd.due_at) return {};
  EventLog log(&state, cmd.contact_id, in.now, nullptr);
  v1::Event e;
  e.mutable_timescale_breached()->set_name(cmd.name);
  *e.mutable_timescale_breached()->mutable_due_at() = d->due_at();
  log.Emit(std::move(e));
  return log.Take();
}

}  // namespace

v1::Actor KeyActor(std::string name, std::string organisation) {
  v1::Actor actor;
  actor.set_kind(v1::Actor::KEY);
  actor.set_id(name);
  actor.set_name(std::move(name));
  actor.set_organisation(std::move(organisation));
  return actor;
}

const std::string& CommandContactId(const ContactCommand& command) {
  static const std::string kNone;
  return std::visit(
      [](const auto& c) -> const std::string& {
        if constexpr (std::is_same_v<std::decay_t<decltype(c)>, SubmitContact>) {
          return kNone;
        } else {
          return c.contact_id;
        }
      },
      command);
}

absl::StatusOr<std::vector<v1::Event>> Decide(const v1::ContactRecord* state,
                                              const ContactCommand& command,
                                              const DecideInputs& in) {
  if (in.policy == nullptr || in.calendar == nullptr) {
    return absl::InvalidArgumentError("Decide needs a policy and a calendar");
  }
  if (const auto* submit = std::get_if<SubmitContact>(&command)) {
    return DecideSubmit(*submit, in);
  }
  if (state == nullptr) {
    return absl::NotFoundError("no contact " + CommandContactId(command));
  }
  if (const auto* decision = std::get_if<RecordDecision>(&command)) {
    return DecideDecision(*state, *decision, in);
  }
  if (const auto* outcome = std::get_if<RecordMashOutcome>(&command)) {
    return DecideMashOutcome(*state, *outcome, in);
  }
  if (const auto* answer = std::get_if<AnswerCheck>(&command)) {
    return DecideCheckAnswer(*state, *answer, in);
  }
  if (const auto* change = std::get_if<ChangeRag>(&command)) {
    return DecideRagChange(*state, *change, in);
  }
  if (const auto* authorisation = std::get_if<RecordAuthorisation>(&command)) {
    return DecideAuthorisation(*state, *authorisation, in);
  }
  if (const auto* link = std::get_if<LinkContact>(&command)) return DecideLink(*state, *link, in);
  return DecideTimer(*state, std::get<FireTimer>(command), in);
}

const v1::Deadline* FindDeadline(const v1::Contact& c, std::string_view name) {
  for (const auto& d : c.deadlines()) {
    if (d.name() == name) return &d;
  }
  return nullptr;
}

rules::Facts FactsOf(const v1::ContactReceived& received, const Calendar& calendar) {
  // Replays use the value stored when the contact arrived, whatever the
  // calendar says now.
  return rules::FactsFor(received.submission(), FromProto(received.received_at()), received.prior(),
                         calendar, received.out_of_hours());
}

void Apply(v1::ContactRecord& state, const v1::Event& e) {
  v1::Contact& c = *state.mutable_contact();
  switch (e.body_case()) {
    case v1::Event::kContactReceived: {
      const v1::ContactReceived& r = e.contact_received();
      const v1::ContactSubmission& s = r.submission();
      c.set_id(e.contact_id());
      c.set_state(v1::ContactState::AWAITING_DECISION);
      *c.mutable_received_at() = r.received_at();
      *c.mutable_recommendation() = r.recommendation();
      *c.mutable_prior() = r.prior();
      c.set_submitted_by(r.submitted_by());
      c.set_submitted_by_organisation(r.submitted_by_organisation());
      *c.mutable_person_ids() = r.person_ids();
      c.set_external_ref(s.external_ref());
      c.set_channel(s.channel());
      c.set_source(s.source());
      if (s.has_referrer()) *c.mutable_referrer() = s.referrer();
      if (s.has_consent()) *c.mutable_consent() = s.consent();
      *c.mutable_children() = s.children();
      *c.mutable_concerns() = s.concerns();
      if (s.has_immediate_risk()) c.set_immediate_risk(s.immediate_risk());
      c.set_narrative(s.narrative());
      c.set_what_would_help(s.what_would_help());
      *c.mutable_identity_reviews() = r.identity_reviews();
      *c.mutable_linked_contacts() = r.linked_contacts();
      *state.mutable_timescales() = r.timescales();
      state.set_outcome_letter(r.outcome_letter());
      break;
    }
    case v1::Event::kTimescaleStarted: {
      v1::Deadline* d = c.add_deadlines();
      d->set_name(e.timescale_started().name());
      *d->mutable_due_at() = e.timescale_started().due_at();
      *d->mutable_started_at() = e.timescale_started().started_at();
      d->set_breached(false);
      if (e.timescale_started().has_warn_at())
        *d->mutable_warn_at() = e.timescale_started().warn_at();
      break;
    }
    case v1::Event::kTimescaleStopped: {
      auto* deadlines = c.mutable_deadlines();
      for (int i = 0; i < deadlines->size(); ++i) {
        const v1::Deadline& d = deadlines->Get(i);
        if (d.name() != e.timescale_stopped().name()) continue;
        v1::TimescaleResult* result = c.add_results();
        result->set_name(d.name());
        *result->mutable_started_at() = d.started_at();
        *result->mutable_due_at() = d.due_at();
        *result->mutable_finished_at() = e.at();
        result->set_met(e.timescale_stopped().met());
        deadlines->DeleteSubrange(i, 1);
        break;
      }
      break;
    }
    case v1::Event::kTimescaleDueSoon:
      for (auto& d : *c.mutable_deadlines()) {
        if (d.name() == e.timescale_due_soon().name()) d.set_due_soon(true);
      }
      break;
    case v1::Event::kTimescaleBreached:
      for (auto& d : *c.mutable_deadlines()) {
        if (d.name() == e.timescale_breached().name()) {
          d.set_breached(true);
          *d.mutable_breached_at() = e.at();
        }
      }
      break;
    case v1::Event::kDecisionRecorded: {
      const v1::FrontDoorDecision& d = e.decision_recorded().decision();
      *c.mutable_decision() = d;
      // Who decided is the event's cause; the policy's own decision has none.
      // An authorised decision already names its triage worker, not the manager.
      if (!d.automatic() && e.has_caused_by() && !d.has_decided_by_actor()) {
        *c.mutable_decision()->mutable_decided_by_actor() = e.caused_by();
      }
      if (d.route() == v1::Route::MASH) {
        c.set_state(v1::ContactState::IN_MASH);
        *c.mutable_mash()->mutable_entered_at() = e.at();
        c.mutable_mash()->set_rag(d.rag());
      }
      break;
    }
    case v1::Event::kMashOutcomeRecorded: {
      v1::MashWork& m = *c.mutable_mash();
      m.set_outcome(e.mash_outcome_recorded().outcome());
      m.set_reason(e.mash_outcome_recorded().reason());
      m.set_team(e.mash_outcome_recorded().team());
      *m.mutable_completed_at() = e.at();
      m.set_completed_by(e.actor());
      if (e.has_caused_by()) *m.mutable_completed_by_actor() = e.caused_by();
      break;
    }
    case v1::Event::kContactClosed:
      c.set_state(v1::ContactState::CLOSED);
      c.set_outcome(e.contact_closed().outcome());
      *c.mutable_closed_at() = e.at();
      break;
    case v1::Event::kAuthorisationRequested: {
      const v1::AuthorisationRequested& r = e.authorisation_requested();
      c.set_state(v1::ContactState::AWAITING_AUTHORISATION);
      v1::Authorisation& a = *c.mutable_authorisation();
      a.Clear();
      *a.mutable_decision() = r.decision();
      if (e.has_caused_by()) *a.mutable_decision()->mutable_decided_by_actor() = e.caused_by();
      *a.mutable_requested_at() = e.at();
      a.set_why(r.why());
      break;
    }
    case v1::Event::kAuthorisationRecorded: {
      const v1::AuthorisationRecorded& r = e.authorisation_recorded();
      v1::Authorisation& a = *c.mutable_authorisation();
      a.set_outcome(r.outcome());
      a.set_note(r.note());
      *a.mutable_answered_at() = e.at();
      a.set_answered_by(e.actor());
      if (e.has_caused_by()) *a.mutable_answered_by_actor() = e.caused_by();
      // Authorised, the decision's own DECISION_RECORDED follows.
      if (r.outcome() == v1::AuthorisationOutcome::RETURNED) {
        c.set_state(v1::ContactState::AWAITING_DECISION);
      }
      break;
    }
    case v1::Event::kCheckRequested: {
      v1::Check* check = c.add_checks();
      check->set_agency(e.check_requested().agency());
      *check->mutable_requested_at() = e.at();
      *check->mutable_due_at() = e.check_requested().due_at();
      check->set_state(v1::CheckState::REQUESTED);
      break;
    }
    case v1::Event::kCheckAnswered: {
      const v1::CheckAnswered& r = e.check_answered();
      // The latest check asked of the agency.
      if (v1::Check* check = FindCheck(c, r.agency())) {
        check->set_state(r.state());
        check->set_summary(r.summary());
        if (r.has_risk_indicated()) {
          check->set_risk_indicated(r.risk_indicated());
        } else {
          check->clear_risk_indicated();
        }
        check->set_reason(r.reason());
        *check->mutable_answered_at() = e.at();
        check->set_answered_by(e.actor());
        if (e.has_caused_by()) *check->mutable_answered_by_actor() = e.caused_by();
      }
      break;
    }
    case v1::Event::kCheckOverdue:
      if (v1::Check* check = FindCheck(c, e.check_overdue().agency())) check->set_overdue(true);
      break;
    case v1::Event::kRagChanged: {
      const v1::RagChanged& r = e.rag_changed();
      c.mutable_mash()->set_rag(r.to());
      for (auto& d : *c.mutable_deadlines()) {
        if (d.name() != kMashTimescale || !r.has_mash_due_at()) continue;
        *d.mutable_due_at() = r.mash_due_at();
        // The warning moves with the deadline, and may be raised again.
        if (r.has_mash_warn_at()) {
          *d.mutable_warn_at() = r.mash_warn_at();
        } else {
          d.clear_warn_at();
        }
        d.set_due_soon(false);
      }
      for (const v1::CheckRequested& due : r.checks_due()) {
        v1::Check* check = FindCheck(c, due.agency());
        if (check == nullptr) continue;
        *check->mutable_due_at() = due.due_at();
        // A later due time is a new chance to answer in time.
        if (FromProto(due.due_at()) > FromProto(e.at())) check->clear_overdue();
      }
      break;
    }
    case v1::Event::kContactLinked: {
      const std::string& other = e.contact_linked().linked_contact_id();
      if (std::find(c.linked_contacts().begin(), c.linked_contacts().end(), other) ==
          c.linked_contacts().end()) {
        c.add_linked_contacts(other);
      }
      break;
    }
    case v1::Event::kLetterIssued:
    case v1::Event::kEdtAlert:
      state.set_edt_alerted(true);
      break;
    case v1::Event::BODY_NOT_SET:
      break;
  }
  state.set_last_seq(e.seq());
}

v1::Outcome::Code OutcomeOfRoute(v1::Route::Code route) {
  switch (route) {
    case v1::Route::SIGNPOST:
      return v1::Outcome::SIGNPOSTED;
    case v1::Route::EARLY_HELP:
      return v1::Outcome::EARLY_HELP;
    case v1::Route::SOCIAL_CARE_ASSESSMENT:
      return v1::Outcome::SOCIAL_CARE_ASSESSMENT;
    case v1::Route::STRATEGY_DISCUSSION:
      return v1::Outcome::STRATEGY_DISCUSSION;
    case v1::Route::EXISTING_CASE:
      return v1::Outcome::EXISTING_CASE;
    case v1::Route::NFA:
      return v1::Outcome::NFA;
    case v1::Route::RETURN_TO_REFERRER:
      return v1::Outcome::RETURNED_TO_REFERRER;
    default:
      return v1::Outcome::OUTCOME_UNSPECIFIED;
  }
}

v1::Outcome::Code OutcomeOfMash(v1::MashOutcome::Code outcome) {
  switch (outcome) {
    case v1::MashOutcome::SOCIAL_CARE_ASSESSMENT:
      return v1::Outcome::SOCIAL_CARE_ASSESSMENT;
    case v1::MashOutcome::STRATEGY_DISCUSSION:
      return v1::Outcome::STRATEGY_DISCUSSION;
    case v1::MashOutcome::EARLY_HELP:
      return v1::Outcome::EARLY_HELP;
    case v1::MashOutcome::SIGNPOST:
      return v1::Outcome::SIGNPOSTED;
    case v1::MashOutcome::NFA:
      return v1::Outcome::NFA;
    default:
      return v1::Outcome::OUTCOME_UNSPECIFIED;
  }
}

}  // namespace frontdoor
