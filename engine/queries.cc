// The read-only questions of queries.h, answered from the store and the
// policy in force.
#include "engine/queries.h"

#include <charconv>

#include "engine/contact_machine.h"
#include "engine/contact_validation.h"
#include "engine/people.h"
#include "engine/urgency.h"
#include "frontdoor/status_macros.h"
#include "rules/facts.h"
#include "rules/policy.h"

namespace frontdoor {

v1::Rag::Code CurrentRag(const v1::Contact& c) {
  return c.state() == v1::ContactState::IN_MASH ? c.mash().rag() : c.recommendation().rag();
}

v1::Contact PartnerView(const v1::Contact& c) {
  v1::Contact view;
  view.set_id(c.id());
  view.set_state(c.state());
  view.set_outcome(c.outcome());
  *view.mutable_received_at() = c.received_at();
  *view.mutable_deadlines() = c.deadlines();
  if (c.has_closed_at()) *view.mutable_closed_at() = c.closed_at();
  view.set_external_ref(c.external_ref());
  view.set_channel(c.channel());
  view.set_source(c.source());
  return view;
}

bool PartnerMaySee(const v1::Contact& contact, std::string_view partner,
                   std::string_view organisation) {
  if (contact.submitted_by_organisation().empty()) return contact.submitted_by() == partner;
  return contact.submitted_by_organisation() == organisation;
}

v1::Contact WorklistView(const v1::Contact& c) {
  v1::Contact view = c;
  view.clear_narrative();
  view.clear_what_would_help();
  view.clear_explanation();
  *view.mutable_urgency() = UrgencyOf(c);
  return view;
}

namespace {
// A page token's instant: one a Timestamp can hold, so that a forged token
// cannot reach past year 9999.
bool IsTokenInstant(int64_t ms) {
  return ms >= 0 && ms <= kLatestInstant.time_since_epoch().count();
}
}  // namespace

std::string WorklistPageToken(const Store::WorklistEntry& entry) {
  return std::to_string(entry.rank) + ":" +
         std::to_string(entry.due_at.time_since_epoch().count()) + ":" + entry.contact_id;
}

std::optional<Store::WorklistEntry> ParseWorklistPageToken(std::string_view token) {
  // "<rank>:<due ms>:<contact id>".
  auto number = [&token](auto& value) {
    size_t colon = token.find(':');
    if (colon == std::string_view::npos) return false;
    const char* end = token.data() + colon;
    auto [p, ec] = std::from_chars(token.data(), end, value);
    if (ec != std::errc() || p != end) return false;
    token.remove_prefix(colon + 1);
    return true;
  };
  int rank = 0;
  int64_t ms = 0;
  if (!number(rank) || rank < 0 || rank > 255 || !number(ms) || !IsTokenInstant(ms)) {
    return std::nullopt;
  }
  return Store::WorklistEntry{std::string(token), TimePoint(Millis(ms)), rank};
}

std::string BreachPageToken(const v1::Breach& last) {
  return std::to_string(FromProto(last.due_at()).time_since_epoch().count()) + ":" +
         last.contact_id() + ":" + last.timescale();
}

std::optional<v1::Breach> ParseBreachPageToken(std::string_view token) {
  // "<due ms>:<contact id>:<timescale>"; contact ids hold no colon.
  size_t first = token.find(':');
  if (first == std::string_view::npos) return std::nullopt;
  size_t second = token.find(':', first + 1);
  if (second == std::string_view::npos || second == first + 1) return std::nullopt;
  int64_t ms = 0;
  auto [p, ec] = std::from_chars(token.data(), token.data() + first, ms);
  if (ec != std::errc() || p != token.data() + first || !IsTokenInstant(ms)) return std::nullopt;
  v1::Breach cursor;
  *cursor.mutable_due_at() = ToProto(TimePoint(Millis(ms)));
  cursor.set_contact_id(std::string(token.substr(first + 1, second - first - 1)));
  cursor.set_timescale(std::string(token.substr(second + 1)));
  return cursor;
}

std::optional<v1::Source::Code> WorklistSources::Find(const std::string& contact_id) const {
  absl::MutexLock lock(&mu_);
  auto it = sources_.find(contact_id);
  if (it == sources_.end()) return std::nullopt;
  return it->second;
}

void WorklistSources::Remember(const std::string& contact_id, v1::Source::Code source) {
  absl::MutexLock lock(&mu_);
  if (sources_.size() >= capacity_) sources_.clear();
  sources_.emplace(contact_id, source);
}

absl::StatusOr<v1::Worklist> ReadWorklist(const Store& store, const WorklistQuery& query) {
  v1::Worklist list;
  std::optional<Store::WorklistEntry> cursor = query.after;
  // A RAG filter reads the key's rank instead of every contact: entries are
  // rewritten whenever a contact's rank changes, so outside immediate risk
  // (rank 0, any RAG) only the RAG's own rank can match, and the read seeks
  // past the others instead of loading them.
  // -1: no RAG filter, or a RAG with no rank of its own (read every rank).
  const int only_rank = query.rag ? RankOfRag(*query.rag).value_or(-1) : -1;
  // Filters drop rows, so read on until the page is full or the list ends.
  const size_t page = query.limit;
  auto full = [&] { return static_cast<size_t>(list.contacts_size()) == page; };
  for (;;) {
    if (only_rank >= 0 && cursor && cursor->rank != kRankImmediateRisk && cursor->rank < only_rank) {
      // Before the first key of the rank: no entry has an empty contact id.
      cursor = Store::WorklistEntry{"", TimePoint(Millis(0)), only_rank};
    }
    auto entries = store.Worklist(query.queue, page, cursor ? &*cursor : nullptr);
    if (!entries.ok()) return entries.status();
    bool done = entries->size() < page;
    bool seek = false;
    for (const auto& entry : *entries) {
      if (only_rank >= 0 && entry.rank > only_rank) {
        done = true;
        break;
      }
      cursor = entry;
      if (only_rank >= 0 && entry.rank != kRankImmediateRisk && entry.rank != only_rank) {
        seek = true;
        break;
      }
      if (query.source && query.sources != nullptr) {
        auto known = query.sources->Find(entry.contact_id);
        if (known && *known != *query.source) continue;
      }
      auto record = store.GetContact(entry.contact_id);
      if (!record.ok()) return record.status();
      if (!record->has_value()) continue;
      const v1::Contact& c = (*record)->contact();
      if (query.sources != nullptr) query.sources->Remember(c.id(), c.source());
      if (query.source && c.source() != *query.source) continue;
      if (query.rag && CurrentRag(c) != *query.rag) continue;
      *list.add_contacts() = WorklistView(c);
      if (full()) break;
    }
    if (full()) {
      list.set_next_page_token(WorklistPageToken(*cursor));
      break;
    }
    if (done && !seek) break;
  }
  return list;
}

absl::StatusOr<DryRun> EvaluateDryRun(const Store& store, const ActivePolicy& active,
                                      const v1::ContactSubmission& submission, TimePoint now,
                                      DryRunAudience audience) {
  DryRun out;
  out.errors =
      ValidateSubmission(submission, now, active.calendar->LocalDate(now), SubmissionUse::kDryRun);
  if (!out.errors.empty()) return out;
  TimePoint received = submission.has_received_at() ? FromProto(submission.received_at()) : now;
  v1::Prior prior;
  if (audience == DryRunAudience::kStaff) {
    // Read only: a dry run makes no one new.
    PeopleBook people(store, nullptr);
    auto person_ids = people.Resolve(submission.children());
    if (!person_ids.ok()) return person_ids.status();
    auto found = people.PriorOf(*person_ids, received);
    if (!found.ok()) return found.status();
    prior = std::move(*found);
  }
  rules::Facts facts = rules::FactsFor(submission, received, std::move(prior), *active.calendar);
  rules::Evaluation evaluation = active.policy->Evaluate(facts);
  v1::Evaluation& e = out.evaluation;
  *e.mutable_recommendation() = std::move(evaluation.recommendation);
  *e.mutable_explanation() = std::move(evaluation.explanation);
  e.set_urgent(evaluation.urgent);
  e.set_out_of_hours(facts.out_of_hours);
  if (audience == DryRunAudience::kStaff) *e.mutable_prior() = std::move(facts.prior);
  return out;
}

absl::StatusOr<v1::Explanation> ExplainContact(const Store& store, PolicyLibrary& library,
                                               const Calendar& calendar,
                                               const v1::Contact& contact) {
  auto received = store.GetEvent(contact.id(), 1);
  if (!received.ok()) return received.status();
  if (!received->has_value() || !(*received)->has_contact_received()) {
    return absl::DataLossError("contact " + contact.id() + " has no CONTACT_RECEIVED event");
  }
  auto policy = library.Get(contact.recommendation().rules_version());
  if (!policy.ok()) return policy.status();
  const v1::ContactReceived& facts = (*received)->contact_received();
  return (*policy)->Evaluate(FactsOf(facts, calendar)).explanation;
}

absl::StatusOr<std::vector<v1::Letter>> PreviewLetters(const v1::ContactRecord& record,
                                                       const ContactCommand& command,
                                                       const ActivePolicy& active, TimePoint now) {
  DecideInputs in;
  in.now = now;
  in.policy = active.policy.get();
  in.calendar = active.calendar.get();
  // For EXISTING_CASE: the open case known when the contact arrived (the
  // decision itself looks at the cases open when it is made).
  in.prior = record.contact().prior();
  v1::ContactRecord state = record;
  std::vector<v1::Letter> letters;
  auto follow = [&](const ContactCommand& next) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<v1::Event> events, Decide(&state, next, in));
    for (v1::Event& e : events) {
      Apply(state, e);
      if (e.has_letter_issued())
        letters.push_back(std::move(*e.mutable_letter_issued()->mutable_letter()));
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(follow(command));
  if (state.contact().state() == v1::ContactState::AWAITING_AUTHORISATION) {
    RecordAuthorisation authorised;
    authorised.contact_id = record.contact().id();
    authorised.authorisation.set_outcome(v1::AuthorisationOutcome::AUTHORISED);
    authorised.actor = KeyActor("letter-preview");
    RETURN_IF_ERROR(follow(authorised));
  }
  return letters;
}

}  // namespace frontdoor
