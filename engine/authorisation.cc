// Management oversight (see authorisation.h): holding a decision for a
// manager, and the manager's answer.
#include "engine/authorisation.h"

#include "frontdoor/codes.h"
#include "frontdoor/status_macros.h"

namespace frontdoor {

namespace {

bool IsBlank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

std::vector<FieldError> ValidateAuthorisation(const v1::AuthorisationRequest& request) {
  std::vector<FieldError> errors;
  if (request.outcome() == v1::AuthorisationOutcome::AUTHORISATION_OUTCOME_UNSPECIFIED) {
    errors.push_back({"outcome",
                      "Say whether you authorise the decision (AUTHORISED) or return it to the "
                      "triage worker (RETURNED)",
                      0});
  }
  if (request.outcome() == v1::AuthorisationOutcome::RETURNED && IsBlank(request.note())) {
    errors.push_back(
        {"note", "Say why you are returning the decision: the triage worker reads it", 0});
  }
  if (request.note().size() > 5'000) {
    errors.push_back({"note", "must be at most 5000 characters", 0});
  }
  return errors;
}

absl::StatusOr<bool> HoldForAuthorisation(steps::EventLog& log, const DecideInputs& in,
                                          const v1::FrontDoorDecision& decision) {
  if (decision.automatic()) return false;
  std::string why =
      in.policy->AuthorisationNeeded(log.contact().recommendation(), decision.route());
  if (why.empty()) return false;
  v1::Event e;
  v1::AuthorisationRequested& requested = *e.mutable_authorisation_requested();
  *requested.mutable_decision() = decision;
  *requested.mutable_decision()->mutable_decided_at() = ToProto(log.now());
  requested.set_why(std::move(why));
  log.Emit(std::move(e));
  v1::TimescaleSpec spec;
  if (log.state().timescales().has_authorisation()) {
    spec = log.state().timescales().authorisation();
  } else {
    // A contact that arrived before the policy had this timescale.
    spec.set_working_hours(kDefaultAuthorisationWorkingHours);
  }
  steps::StartTimescale(log, kAuthorisationTimescale, log.now(),
                        in.calendar->DueAt(log.now(), spec));
  return true;
}

absl::StatusOr<std::vector<v1::Event>> DecideAuthorisation(const v1::ContactRecord& state,
                                                           const RecordAuthorisation& cmd,
                                                           const DecideInputs& in) {
  const v1::Contact& c = state.contact();
  if (c.state() != v1::ContactState::AWAITING_AUTHORISATION) {
    return absl::FailedPreconditionError("the contact is " + std::string(NameOf(c.state())) +
                                         ", not AWAITING_AUTHORISATION: no decision on it is "
                                         "waiting for a manager");
  }
  if (std::vector<FieldError> errors = ValidateAuthorisation(cmd.authorisation); !errors.empty()) {
    return absl::InvalidArgumentError(errors.front().field + " " + errors.front().message);
  }
  if (cmd.actor.id() == c.authorisation().decision().decided_by()) {
    return absl::PermissionDeniedError(
        "you made this decision, so another manager must authorise it or return it: nobody "
        "authorises their own decision");
  }
  steps::EventLog log(&state, cmd.contact_id, in.now, &cmd.actor);
  {
    v1::Event e;
    e.mutable_authorisation_recorded()->set_outcome(cmd.authorisation.outcome());
    e.mutable_authorisation_recorded()->set_note(cmd.authorisation.note());
    log.Emit(std::move(e));
  }
  steps::StopTimescale(log, kAuthorisationTimescale);
  if (cmd.authorisation.outcome() == v1::AuthorisationOutcome::AUTHORISED) {
    // Taken from the state as it was: Apply keeps it, but the copy is plain.
    RETURN_IF_ERROR(steps::Decided(log, in, c.authorisation().decision()));
    return log.Take();
  }
  // Returned: a fresh decision timescale from the policy, counted from now,
  // so the worker has the policy's time to decide again; the time already
  // spent shows in the first decision's result and the authorisation's.
  steps::StartTimescale(log, kDecisionTimescale, log.now(),
                        in.calendar->DueAt(log.now(), log.state().timescales().decision()));
  return log.Take();
}

}  // namespace frontdoor
