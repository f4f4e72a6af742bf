// The steps that several of a contact's commands share, for the Decide
// functions in contact_machine.cc and the files beside it (authorisation,
// MASH checks, RAG re-rating): the event log of one command, which applies
// each event as it is made so later steps see what earlier ones did, and the
// steps themselves (start or stop a timescale, issue a letter, close, record
// a front-door decision). Internal to the engine; pure like Decide.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "engine/contact_machine.h"

namespace frontdoor::steps {

// The event type that goes with an event's body.
v1::EventType::Code TypeOf(const v1::Event& e);

// Collects the events of one command and keeps a running state.
class EventLog {
 public:
  // `actor` is null for a timer. `state` is null for a new contact.
  EventLog(const v1::ContactRecord* state, std::string contact_id, TimePoint now,
           const v1::Actor* actor);

  // Completes `event` (id, contact_id, seq, at, actor, caused_by, type),
  // applies it and keeps it.
  void Emit(v1::Event event);

  const v1::ContactRecord& state() const { return state_; }
  const v1::Contact& contact() const { return state_.contact(); }
  TimePoint now() const { return now_; }
  std::vector<v1::Event> Take() { return std::move(events_); }

 private:
  const std::string contact_id_;
  const TimePoint now_;
  const v1::Actor* const actor_;
  v1::ContactRecord state_;
  std::vector<v1::Event> events_;
};

// The MASH timescale for a RAG rating: the rating's own when the policy sets
// one, else the plain `mash`.
const v1::TimescaleSpec& MashSpec(const v1::Timescales& t, v1::Rag::Code rag);

// Opens timescale `name` from `start`, due at `due`, with its warning time
// when the window fits.
void StartTimescale(EventLog& log, const char* name, TimePoint start, TimePoint due);
// Closes the open timescale `name`, met or not; nothing when none is open.
void StopTimescale(EventLog& log, const char* name);

// Renders the policy's letter `template_name` and issues it to the
// referrer. An outcome template that fails falls back to "outcome".
absl::Status IssueLetter(EventLog& log, const DecideInputs& in, v1::LetterKind::Code kind,
                         const std::string& template_name);

// Closes the contact with `outcome` and issues the outcome letter (the
// recommending rule's own letter when the route was as recommended).
absl::Status Close(EventLog& log, const DecideInputs& in, v1::Outcome::Code outcome,
                   const std::string& reason, bool as_recommended);

// Records a front-door decision and what follows from it: MASH starts its
// timescale; any other route closes the contact with an outcome letter.
absl::Status Decided(EventLog& log, const DecideInputs& in, v1::FrontDoorDecision decision);

// The recommendation's reasons as one paragraph.
std::string JoinReasons(const v1::Recommendation& r);

}  // namespace frontdoor::steps
