// MASH checks with partner agencies and the MASH RAG re-rating: asking each
// agency the policy names when a contact enters MASH (one CHECK_REQUESTED
// each, due by the RAG), an agency's answer or MASH staff's (a phone answer,
// or not needed), a check's timer (CHECK_OVERDUE, the chaser), the checks a
// MASH outcome leaves unanswered, and a new RAG with the MASH deadline and
// the checks' due times worked out again. Pure like Decide; the commands are
// in contact_machine.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/contact_machine.h"
#include "frontdoor/tree_reader.h"

namespace frontdoor {

// A check's timer is "check/<AGENCY>", e.g. "check/POLICE".
inline constexpr char kCheckTimerPrefix[] = "check/";
std::string CheckTimerName(v1::Source::Code agency);
// The agency of a check timer's name; nullopt for any other timer.
std::optional<v1::Source::Code> AgencyOfCheckTimer(std::string_view timer_name);

// The contact's latest check asked of `agency`; null when none.
const v1::Check* FindCheck(const v1::Contact& contact, v1::Source::Code agency);
v1::Check* FindCheck(v1::Contact& contact, v1::Source::Code agency);
// The checks still REQUESTED, by agency code name ("POLICE, SCHOOLS").
std::vector<std::string> UnansweredAgencies(const v1::Contact& contact);

// What the request itself must say. `by_agency`: the agency's own partner
// answers (only ANSWERED, with summary and risk_indicated); otherwise MASH
// staff: ANSWERED by phone (summary, risk_indicated and, in `reason`, from
// whom) or NOT_NEEDED (a reason).
std::vector<FieldError> ValidateCheckAnswer(const v1::CheckAnswerRequest& answer, bool by_agency);
// A RED, AMBER or GREEN rating and a reason; `current` is the contact's
// MASH RAG now (the same again is refused).
std::vector<FieldError> ValidateRagChange(const v1::RagChangeRequest& change,
                                          v1::Rag::Code current);
// A MASH outcome leaving checks unanswered needs unanswered_checks_reason.
std::vector<FieldError> ValidateUnansweredChecks(const v1::Contact& contact,
                                                 const v1::MashOutcomeRequest& outcome);

namespace steps {

class EventLog;

// When a check asked on entering MASH at `entered` is due for `rag`: the
// policy's check timescale for the RAG, never after the MASH deadline
// `mash_due`; the MASH deadline itself when the policy sets none.
TimePoint CheckDueAt(const DecideInputs& in, v1::Rag::Code rag, TimePoint entered,
                     TimePoint mash_due);

// The contact has just entered MASH (its mash timescale open): one
// CHECK_REQUESTED for each agency the policy names for its concerns.
void RequestChecks(EventLog& log, const DecideInputs& in);

// Before a MASH outcome: InvalidArgument when checks are unanswered and
// `reason` is blank; otherwise each is marked NOT_NEEDED with the reason.
absl::Status SettleUnansweredChecks(EventLog& log, const std::string& reason);

}  // namespace steps

// The Decide functions of AnswerCheck, ChangeRag and a check's timer.
absl::StatusOr<std::vector<v1::Event>> DecideCheckAnswer(const v1::ContactRecord& state,
                                                         const AnswerCheck& cmd,
                                                         const DecideInputs& in);
absl::StatusOr<std::vector<v1::Event>> DecideRagChange(const v1::ContactRecord& state,
                                                       const ChangeRag& cmd,
                                                       const DecideInputs& in);
std::vector<v1::Event> DecideCheckTimer(const v1::ContactRecord& state, const FireTimer& cmd,
                                        v1::Source::Code agency, const DecideInputs& in);

}  // namespace frontdoor
