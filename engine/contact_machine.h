// The life of a contact as two pure functions (DESIGN.md principle 1):
// Decide turns a command and the contact's current state into the events
// that happen, and Apply folds one event into the state. Neither does I/O or
// reads a clock: everything they may look at is passed in, so the same
// history and the same policy always give the same state, and a contact's
// life can be replayed and tested without a server or a store.
//
//   AWAITING_DECISION --decision MASH--> IN_MASH --mash outcome--> CLOSED
//                                        (checks, RAG changes)
//          \--------------decision (any other route)-------------> CLOSED
//   AWAITING_DECISION --decision the policy holds--> AWAITING_AUTHORISATION
//          --AUTHORISED--> as the decision would have gone; --RETURNED--> AWAITING_DECISION
//
// Timescales: `decision` starts on receipt (or at the next opening, when the
// policy says so for non-urgent contacts out of hours) and `mash` when the
// contact enters MASH; `authorisation` while a decision waits for a manager
// (engine/authorisation.h). A timer firing while its step is open raises a breach
// once; finishing the step stops the timescale.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "calendar/calendar.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/v1/contact.pb.h"
#include "frontdoor/v1/events.pb.h"
#include "frontdoor/v1/store.pb.h"
#include "rules/policy.h"

namespace frontdoor {

inline constexpr char kDecisionTimescale[] = "decision";
inline constexpr char kMashTimescale[] = "mash";
inline constexpr char kAuthorisationTimescale[] = "authorisation";
// A timescale's warning timer is named "<timescale>/due-soon".
inline constexpr char kDueSoonSuffix[] = "/due-soon";
// Default warning window before a step is due (Timescales.warn_before_minutes).
inline constexpr int kDefaultWarnBeforeMinutes = 120;

// A machine client as a command names it: the key called `name`, of
// `organisation`. Tests and tools that act without a signed-in caller use it.
v1::Actor KeyActor(std::string name, std::string organisation = {});

struct SubmitContact {
  v1::ContactSubmission submission;
  // Who submitted it (a partner's key, a member of triage).
  v1::Actor actor;
  // Empty when the request carried no Idempotency-Key.
  std::string idempotency_key;
  // SHA-256 of the request body, to tell a replay from a conflicting reuse.
  std::string request_sha256;
  // The submitting key's organisation, whose partners may see the contact.
  std::string organisation = {};
};

struct RecordDecision {
  std::string contact_id;
  v1::DecisionRequest decision;
  v1::Actor actor;
};

struct RecordMashOutcome {
  std::string contact_id;
  v1::MashOutcomeRequest outcome;
  v1::Actor actor;
};

// A manager authorises a decision that waits for one, or returns it to
// triage (engine/authorisation.h).
struct RecordAuthorisation {
  std::string contact_id;
  v1::AuthorisationRequest authorisation;
  v1::Actor actor;
};

// A pending timer came due: a timescale's own ("decision") or its warning
// ("decision/due-soon").
struct FireTimer {
  std::string contact_id;
  std::string name;
  TimePoint due_at;
};

// A MASH check answered (engine/mash_checks.h): by the agency's own partner
// (`by_agency`), or by MASH staff, by phone or as not needed.
struct AnswerCheck {
  std::string contact_id;
  v1::Source::Code agency = v1::Source::SOURCE_UNSPECIFIED;
  v1::CheckAnswerRequest answer;
  v1::Actor actor;
  bool by_agency = false;
};

// MASH re-rates the work: the mash deadline (and the checks' due times) are
// worked out again for the new RAG.
struct ChangeRag {
  std::string contact_id;
  v1::RagChangeRequest change;
  v1::Actor actor;
};


// The Processor's own, in the batch that causes it: a later contact about
// the same child (`linked_contact_id`) arrived while this one was open, or a
// linked contact was decided (`linked_route` set). Always one CONTACT_LINKED.
struct LinkContact {
  std::string contact_id;
  std::string linked_contact_id;
  v1::Route::Code linked_route = v1::Route::ROUTE_UNSPECIFIED;
  v1::Actor actor;
};

using ContactCommand =
    std::variant<SubmitContact, RecordDecision, RecordMashOutcome, RecordAuthorisation, FireTimer,
                 AnswerCheck, ChangeRag, LinkContact>;

// The contact a command is about; empty for SubmitContact (a new contact).
const std::string& CommandContactId(const ContactCommand& command);

// What Decide may read besides the contact's state, all fixed by the caller.
struct DecideInputs {
  TimePoint now;
  const rules::Policy* policy = nullptr;
  const Calendar* calendar = nullptr;
  // SubmitContact only: the id the new contact gets, its children as the
  // front door knows them, and what was known about them. RecordDecision
  // with route EXISTING_CASE: `prior.open_case` is a case open now for one
  // of the contact's children, if any.
  std::string new_contact_id;
  std::vector<std::string> person_ids;
  v1::Prior prior;
  // Children an NHS number alone would have joined to someone with another
  // date of birth (PeopleBook::Resolve). A contact with any is never
  // decided automatically: a person checks who the child is first.
  std::vector<v1::IdentityReview> identity_reviews;
  // The contacts about the same children still open at the front door
  // (AWAITING_DECISION, AWAITING_AUTHORISATION, IN_MASH), oldest first.
  std::vector<std::string> open_contacts;
};

// The events a command causes, in order, each complete (id, contact_id, seq,
// at, actor, caused_by, type, body): `actor` is the command's actor's id and
// `caused_by` the actor in full; a timer's events have neither. `state` is
// null for a contact not yet stored.
// Errors: NotFound when the contact does not exist; FailedPrecondition when
// it is not in the state the command needs (a decision on a closed contact);
// PermissionDenied when a manager answers for a decision of their own;
// InvalidArgument for an unknown command shape, or for a submission that
// fails ValidateSubmission (the message names each field at fault). A timer
// for a step already finished yields no events (and no error): it only
// needs deleting.
absl::StatusOr<std::vector<v1::Event>> Decide(const v1::ContactRecord* state,
                                              const ContactCommand& command,
                                              const DecideInputs& in);

// The facts the policy looked at when the contact arrived, from its
// CONTACT_RECEIVED event (rules::FactsFor, with out_of_hours as stored then):
// the same for deciding, for explaining later and for backtests. Borrows
// `received`'s submission.
rules::Facts FactsOf(const v1::ContactReceived& received, const Calendar& calendar);

// Folds `event` into `state`. Events must come in seq order.
void Apply(v1::ContactRecord& state, const v1::Event& event);

// The contact's open timescale called `name`; null when there is none.
const v1::Deadline* FindDeadline(const v1::Contact& contact, std::string_view name);

// What the outcome letter says of a route that closes a contact.
v1::Outcome::Code OutcomeOfRoute(v1::Route::Code route);
v1::Outcome::Code OutcomeOfMash(v1::MashOutcome::Code outcome);

}  // namespace frontdoor
