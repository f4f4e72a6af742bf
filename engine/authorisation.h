// Management oversight: a front-door decision that the policy holds for a
// manager (Policy.authorisation: below what the rules recommended, or on a
// listed route) does not take effect. The contact waits in
// AWAITING_AUTHORISATION, its `decision` timescale stopped (the worker has
// decided) and an `authorisation` timescale running, on the manager's
// worklist. A manager (never the one who decided) then authorises it, and it
// takes effect exactly as a direct decision would (closure and outcome
// letter, or MASH), or returns it to triage with a note: the contact awaits
// a decision again with a fresh `decision` timescale from the policy,
// counted from the return. Pure, like Decide.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "engine/contact_machine.h"
#include "engine/contact_steps.h"
#include "frontdoor/tree_reader.h"

namespace frontdoor {

// Default for Timescales.authorisation, when neither the policy nor a
// contact stored before it had one says.
inline constexpr int kDefaultAuthorisationWorkingHours = 4;

// The problems with a manager's answer, each naming its field: an outcome
// is required, and a note when the decision is returned.
std::vector<FieldError> ValidateAuthorisation(const v1::AuthorisationRequest& request);

// For DecideDecision: when the policy holds `decision` (a person's, not the
// policy's own), records AUTHORISATION_REQUESTED with why and starts the
// `authorisation` timescale, and returns true; otherwise emits nothing and
// returns false, and the caller records the decision.
absl::StatusOr<bool> HoldForAuthorisation(steps::EventLog& log, const DecideInputs& in,
                                          const v1::FrontDoorDecision& decision);

// A manager's answer. Errors: FailedPrecondition unless the contact is
// AWAITING_AUTHORISATION; PermissionDenied when the manager is the one who
// made the decision; InvalidArgument when ValidateAuthorisation fails.
absl::StatusOr<std::vector<v1::Event>> DecideAuthorisation(const v1::ContactRecord& state,
                                                           const RecordAuthorisation& cmd,
                                                           const DecideInputs& in);

}  // namespace frontdoor
