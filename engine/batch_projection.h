// The batch projection: what one stored event writes besides itself. Given
// the contact as it was before the event, it names the timers to set and
// delete, the worklist and received-index entries, the breaches, the links
// in the people index, the index of MASH checks by agency, the changes to the
// open-timescale tallies and whether
// the event goes to the outbox. It is pure (no store, no clock, no I/O), so
// it can be tested on its own; the writer (processor.cc) turns its answer
// into the batch's WriteBatch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/store.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/v1/contact.pb.h"
#include "frontdoor/v1/events.pb.h"
#include "frontdoor/v1/store.pb.h"

namespace frontdoor {

// The counters the writer keeps in the store beside the contacts: contacts
// in each state and timescales still open, by kind.
inline constexpr const char* kTallyNames[] = {"state/AWAITING_DECISION",
                                              "state/IN_MASH",
                                              "state/CLOSED",
                                              "open/decision",
                                              "open/mash",
                                              "state/AWAITING_AUTHORISATION",
                                              "open/authorisation"};
// "state/<STATE>": the tally of contacts in `state`.
std::string StateTally(v1::ContactState::Code state);

// A pending timer by its key.
struct TimerRef {
  TimePoint due;
  std::string contact_id;
  std::string name;

  bool operator==(const TimerRef&) const = default;
};

// A contact's place on a worklist.
struct WorklistRef {
  Queue queue;
  // WorklistRank of the contact as it was before the event.
  int rank;
  TimePoint due;
  std::string contact_id;

  bool operator==(const WorklistRef&) const = default;
};

// Contacts and referrals are indexed under the people they are about.
struct PeopleLink {
  enum Kind { kContact, kReferral };
  Kind kind;
  std::vector<std::string> person_ids;
  TimePoint at;

  bool operator==(const PeopleLink&) const = default;
};

struct TallyChange {
  std::string name;
  int64_t change;

  bool operator==(const TallyChange&) const = default;
};

// What one event writes, apart from the event itself and the contact's new
// state (which the writer always stores).
struct EventProjection {
  // The received index (contacts by the time they arrived).
  std::optional<TimePoint> received;
  std::vector<v1::Timer> timers_set;
  std::vector<TimerRef> timers_deleted;
  std::vector<WorklistRef> worklist_added;
  std::vector<WorklistRef> worklist_removed;
  // Breaches to store: newly raised ones, and late steps now finished (with
  // resolved_at), which leave the open-breach index.
  std::vector<v1::Breach> breaches;
  // How many of `breaches` are newly raised.
  size_t breaches_raised = 0;
  std::optional<PeopleLink> people;
  std::vector<TallyChange> tallies;
  // The index of MASH checks by agency: entries to delete, then to add.
  std::vector<Store::AgencyCheckEntry> checks_unindexed;
  std::vector<Store::AgencyCheckEntry> checks_indexed;
  // The event leaves the building: it goes to the outbox.
  bool emitted = false;
};

// What `event` writes; `before` is the contact before the event is applied
// (empty for the event that creates it).
EventProjection ProjectEvent(const v1::ContactRecord& before, const v1::Event& event);

// Events that leave the building, into the outbox: acknowledgements
// (CONTACT_RECEIVED), decisions, MASH checks requested and overdue (the
// chaser), letters (also those with nowhere to go, for the post), breaches,
// out-of-hours alerts and closures. Each sink takes what it wants of them
// (Sink::Wants).
bool IsEmitted(const v1::Event& event);

}  // namespace frontdoor
