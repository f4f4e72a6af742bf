// The steps several of a contact's commands share (see contact_steps.h).
#include "engine/contact_steps.h"

#include "engine/mash_checks.h"
#include "rules/letters.h"
#include "rules/rule_cases.h"

namespace frontdoor::steps {

v1::EventType::Code TypeOf(const v1::Event& e) {
  switch (e.body_case()) {
    case v1::Event::kContactReceived:
      return v1::EventType::CONTACT_RECEIVED;
    case v1::Event::kTimescaleStarted:
      return v1::EventType::TIMESCALE_STARTED;
    case v1::Event::kTimescaleStopped:
      return v1::EventType::TIMESCALE_STOPPED;
    case v1::Event::kTimescaleBreached:
      return v1::EventType::TIMESCALE_BREACHED;
    case v1::Event::kDecisionRecorded:
      return v1::EventType::DECISION_RECORDED;
    case v1::Event::kMashOutcomeRecorded:
      return v1::EventType::MASH_OUTCOME_RECORDED;
    case v1::Event::kContactClosed:
      return v1::EventType::CONTACT_CLOSED;
    case v1::Event::kLetterIssued:
      return v1::EventType::LETTER_ISSUED;
    case v1::Event::kEdtAlert:
      return v1::EventType::EDT_ALERT;
    case v1::Event::kTimescaleDueSoon:
      return v1::EventType::TIMESCALE_DUE_SOON;
    case v1::Event::kAuthorisationRequested:
      return v1::EventType::AUTHORISATION_REQUESTED;
    case v1::Event::kAuthorisationRecorded:
      return v1::EventType::AUTHORISATION_RECORDED;
    case v1::Event::kCheckRequested:
      return v1::EventType::CHECK_REQUESTED;
    case v1::Event::kCheckAnswered:
      return v1::EventType::CHECK_ANSWERED;
    case v1::Event::kCheckOverdue:
      return v1::EventType::CHECK_OVERDUE;
    case v1::Event::kRagChanged:
      return v1::EventType::RAG_CHANGED;
    case v1::Event::kContactLinked:
      return v1::EventType::CONTACT_LINKED;
    case v1::Event::BODY_NOT_SET:
      break;
  }
  return v1::EventType::EVENT_TYPE_UNSPECIFIED;
}

EventLog::EventLog(const v1::ContactRecord* state, std::string contact_id, TimePoint now,
                   const v1::Actor* actor)
    : contact_id_(std::move(contact_id)), now_(now), actor_(actor) {
  if (state != nullptr) state_ = *state;
}

void EventLog::Emit(v1::Event event) {
  event.set_contact_id(contact_id_);
  event.set_seq(state_.last_seq() + 1);
  event.set_id(contact_id_ + "-" + std::to_string(event.seq()));
  *event.mutable_at() = ToProto(now_);
  if (actor_ != nullptr) {
    event.set_actor(actor_->id());
    *event.mutable_caused_by() = *actor_;
  }
  event.set_type(TypeOf(event));
  Apply(state_, event);
  events_.push_back(std::move(event));
}

const v1::TimescaleSpec& MashSpec(const v1::Timescales& t, v1::Rag::Code rag) {
  switch (rag) {
    case v1::Rag::RED:
      if (t.has_mash_red()) return t.mash_red();
      break;
    case v1::Rag::AMBER:
      if (t.has_mash_amber()) return t.mash_amber();
      break;
    case v1::Rag::GREEN:
      if (t.has_mash_green()) return t.mash_green();
      break;
    default:
      break;
  }
  return t.mash();
}

void StartTimescale(EventLog& log, const char* name, TimePoint start, TimePoint due) {
  v1::Event e;
  auto* started = e.mutable_timescale_started();
  started->set_name(name);
  *started->mutable_started_at() = ToProto(start);
  *started->mutable_due_at() = ToProto(due);
  const v1::Timescales& timescales = log.state().timescales();
  int warn_minutes = timescales.has_warn_before_minutes() ? timescales.warn_before_minutes()
                                                          : kDefaultWarnBeforeMinutes;
  TimePoint warn = due - std::chrono::minutes(warn_minutes);
  if (warn_minutes > 0 && warn > log.now()) *started->mutable_warn_at() = ToProto(warn);
  log.Emit(std::move(e));
}

void StopTimescale(EventLog& log, const char* name) {
  const v1::Deadline* d = FindDeadline(log.contact(), name);
  if (d == nullptr) return;
  const auto due = d->due_at();
  const bool met = !d->breached() && log.now() <= FromProto(due);
  // Stopped late before its timer fired (the step came in the batch before
  // the timer's, e.g. right behind a clock step): the breach is raised here,
  // once, as the timer would have; the stop deletes the timer.
  if (!d->breached() && !met) {
    v1::Event b;
    b.mutable_timescale_breached()->set_name(name);
    *b.mutable_timescale_breached()->mutable_due_at() = due;
    log.Emit(std::move(b));
  }
  v1::Event e;
  auto* stopped = e.mutable_timescale_stopped();
  stopped->set_name(name);
  *stopped->mutable_due_at() = due;
  stopped->set_met(met);
  log.Emit(std::move(e));
}

namespace {

rules::LetterValues LetterValuesFor(const v1::ContactRecord& record) {
  rules::LetterValues values =
      rules::LetterValuesFor(record.contact(), FindDeadline(record.contact(), kDecisionTimescale));
  if (record.timescales().has_decision()) {
    values.decision_within = rules::DescribeTimescale(record.timescales().decision());
  }
  values.emergency_duty_team_alerted = record.edt_alerted();
  return values;
}

}  // namespace

absl::Status IssueLetter(EventLog& log, const DecideInputs& in, v1::LetterKind::Code kind,
                         const std::string& template_name) {
  const v1::ContactRecord& record = log.state();
  absl::StatusOr<rules::RenderedLetter> rendered =
      in.policy->RenderLetter(template_name, LetterValuesFor(record));
  if (!rendered.ok() && template_name != "outcome" && kind == v1::LetterKind::OUTCOME) {
    rendered = in.policy->RenderLetter("outcome", LetterValuesFor(record));
  }
  if (!rendered.ok()) return rendered.status();
  const v1::Contact& c = record.contact();
  v1::Event e;
  v1::Letter* letter = e.mutable_letter_issued()->mutable_letter();
  letter->set_id(c.id() + "-" + std::to_string(record.last_seq() + 1));
  letter->set_contact_id(c.id());
  letter->set_kind(kind);
  *letter->mutable_issued_at() = ToProto(log.now());
  letter->set_template_(template_name);
  letter->set_recipient_name(c.referrer().name());
  letter->set_recipient_organisation(c.referrer().organisation());
  letter->set_email(c.referrer().email());
  letter->set_phone(c.referrer().phone());
  letter->set_subject(std::move(rendered->subject));
  letter->set_body(std::move(rendered->body));
  letter->set_undeliverable(c.referrer().email().empty() && c.referrer().phone().empty());
  log.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status Close(EventLog& log, const DecideInputs& in, v1::Outcome::Code outcome,
                   const std::string& reason, bool as_recommended) {
  v1::Event e;
  e.mutable_contact_closed()->set_outcome(outcome);
  e.mutable_contact_closed()->set_reason(reason);
  log.Emit(std::move(e));
  const std::string& chosen = log.state().outcome_letter();
  return IssueLetter(log, in, v1::LetterKind::OUTCOME,
                     as_recommended && !chosen.empty() ? chosen : std::string("outcome"));
}

absl::Status Decided(EventLog& log, const DecideInputs& in, v1::FrontDoorDecision decision) {
  const v1::Contact& c = log.contact();
  if (decision.route() == v1::Route::MASH && decision.rag() == v1::Rag::RAG_UNSPECIFIED &&
      c.recommendation().route() == v1::Route::MASH) {
    decision.set_rag(c.recommendation().rag());
  }
  // An authorised decision keeps the time its triage worker made it.
  if (!decision.has_decided_at()) *decision.mutable_decided_at() = ToProto(log.now());
  bool as_recommended = decision.route() == c.recommendation().route();
  v1::Event e;
  *e.mutable_decision_recorded()->mutable_decision() = decision;
  log.Emit(std::move(e));
  if (decision.route() == v1::Route::MASH) {
    const v1::TimescaleSpec& spec = MashSpec(log.state().timescales(), decision.rag());
    StartTimescale(log, kMashTimescale, log.now(), in.calendar->DueAt(log.now(), spec));
    RequestChecks(log, in);
    return absl::OkStatus();
  }
  return Close(log, in, OutcomeOfRoute(decision.route()), decision.reason(), as_recommended);
}

std::string JoinReasons(const v1::Recommendation& r) {
  std::string out;
  for (const std::string& reason : r.reasons()) {
    if (!out.empty()) out += ' ';
    out += reason;
  }
  return out;
}

}  // namespace frontdoor::steps
