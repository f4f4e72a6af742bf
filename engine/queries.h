// The questions the front door answers about what it holds, for any adapter
// (HTTP, a webhook sink, the CLI, a replica): what a partner may see of a
// contact, the worklist filtered and paged, a dry run of the policy on a
// form, the explanation of a stored contact's recommendation, and the RAG a
// contact carries now. Reads only: nothing here changes the store, and none
// of it knows how the answer travels.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "calendar/calendar.h"
#include "engine/active_policy.h"
#include "engine/contact_machine.h"
#include "engine/policy_library.h"
#include "engine/store.h"
#include "engine/urgency.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/thread_annotations.h"
#include "frontdoor/tree_reader.h"
#include "frontdoor/v1/api.pb.h"
#include "frontdoor/v1/contact.pb.h"

namespace frontdoor {

// The RAG a contact carries now: the MASH's while it is in the MASH, the
// policy's recommendation before that.
v1::Rag::Code CurrentRag(const v1::Contact& contact);

// What a partner may see of a contact: its progress, not the front door's
// working or other agencies' information.
v1::Contact PartnerView(const v1::Contact& contact);
// Whether a partner's key called `partner`, of `organisation`, may see the
// contact at all: only what its organisation submitted, through any of its
// keys. A contact stored before organisations were recorded is seen by the
// key that submitted it.
bool PartnerMaySee(const v1::Contact& contact, std::string_view partner,
                   std::string_view organisation);

// A worklist row: the contact without its long texts and explanation, with
// its urgency (engine/urgency.h, which also gives WorklistRank).
v1::Contact WorklistView(const v1::Contact& contact);

// The source of each contact the worklist has read, remembered so that the
// source filter skips other sources' rows without loading them: a contact's
// source is set when it is received and never changes, so what is
// remembered is never stale. At most `capacity` contacts are remembered;
// past that it starts again empty. Thread-safe.
class WorklistSources {
 public:
  explicit WorklistSources(size_t capacity = 1'000'000) : capacity_(capacity) {}
  std::optional<v1::Source::Code> Find(const std::string& contact_id) const;
  void Remember(const std::string& contact_id, v1::Source::Code source);

 private:
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::unordered_map<std::string, v1::Source::Code> sources_ GUARDED_BY(mu_);
};

// One page of a worklist: which queue, optionally only contacts from one
// source or of one current RAG, at most `limit` rows, read on after
// `after` (the previous page's cursor).
struct WorklistQuery {
  Queue queue = Queue::kTriage;
  size_t limit = 100;
  std::optional<Store::WorklistEntry> after;
  std::optional<v1::Source::Code> source;
  std::optional<v1::Rag::Code> rag;
  // Sources already known; null: every row is loaded to read its source.
  WorklistSources* sources = nullptr;
};
// The rows (worklist views, most urgent first: immediate risk, then red,
// amber, green and unrated, soonest deadline inside each) and, when the page is
// full, the token of the page after it. The queue's name is the caller's.
absl::StatusOr<v1::Worklist> ReadWorklist(const Store& store, const WorklistQuery& query);
// The page token that reads on after `entry`, and back again; nullopt for
// a token this server did not give.
std::string WorklistPageToken(const Store::WorklistEntry& entry);
std::optional<Store::WorklistEntry> ParseWorklistPageToken(std::string_view token);

// GET /v1/breaches pages the same way: the token reads on after `last`
// (its due_at, contact_id and timescale), and back again; nullopt for a
// token this server did not give.
std::string BreachPageToken(const v1::Breach& last);
std::optional<v1::Breach> ParseBreachPageToken(std::string_view token);

// Who asks for a dry run. Staff see what is known of the children; a
// partner's dry run looks at the form alone, because what other agencies
// told the front door is not a partner's to learn.
enum class DryRunAudience { kStaff, kPartner };
struct DryRun {
  // Non-empty when the form was refused; then nothing was evaluated.
  std::vector<FieldError> errors;
  // What the policy would recommend; `prior` only for staff.
  v1::Evaluation evaluation;
};
// What the active policy would recommend for `submission` received `now`
// (or at its received_at), without storing anything or making anyone new.
// Errors: the store's.
absl::StatusOr<DryRun> EvaluateDryRun(const Store& store, const ActivePolicy& active,
                                      const v1::ContactSubmission& submission, TimePoint now,
                                      DryRunAudience audience);

// Why the policy recommended what it did for a stored contact, worked out
// again from what the contact arrived with and the policy version that
// decided. Errors: NotFound for a version the library does not have;
// DataLoss when the contact has no CONTACT_RECEIVED event.
absl::StatusOr<v1::Explanation> ExplainContact(const Store& store, PolicyLibrary& library,
                                               const Calendar& calendar,
                                               const v1::Contact& contact);

// The letters recording `command` (a RecordDecision or RecordMashOutcome) on
// `record` would send now, worked out by Decide on a copy: nothing is
// stored. A decision that would wait for a manager shows the letters it
// sends once authorised. Errors: Decide's (FailedPrecondition when the
// contact is not in the state the command needs, InvalidArgument).
absl::StatusOr<std::vector<v1::Letter>> PreviewLetters(const v1::ContactRecord& record,
                                                       const ContactCommand& command,
                                                       const ActivePolicy& active, TimePoint now);

}  // namespace frontdoor
