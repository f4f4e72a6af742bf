// The letter book over the store's `letters` family: one lock around each
// read-modify-write, the contact's history for letters not recorded yet,
// and page tokens "<issued ms>:<letter id>" for the post list.
#include "engine/letters.h"

#include <charconv>
#include <map>

#include "frontdoor/proto_time.h"
#include "frontdoor/status_macros.h"

namespace frontdoor {

namespace {

bool OnPostList(v1::LetterDeliveryState::Code state) {
  return state == v1::LetterDeliveryState::TO_POST || state == v1::LetterDeliveryState::FAILED;
}

std::string PostListToken(const v1::LetterDelivery& l) {
  return std::to_string(FromProto(l.issued_at()).time_since_epoch().count()) + ":" +
         l.letter_id();
}

std::optional<Store::PostListPosition> ParsePostListToken(std::string_view token) {
  size_t colon = token.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == token.size()) {
    return std::nullopt;
  }
  int64_t ms = 0;
  const char* end = token.data() + colon;
  auto [p, ec] = std::from_chars(token.data(), end, ms);
  if (ec != std::errc() || p != end || ms < 0 || ms > kLatestInstant.time_since_epoch().count()) {
    return std::nullopt;
  }
  return Store::PostListPosition{TimePoint(Millis(ms)), std::string(token.substr(colon + 1))};
}

}  // namespace

LetterBook::LetterBook(Store& store) : store_(store) {}

v1::LetterDelivery LetterBook::Unrecorded(const v1::Letter& letter) {
  v1::LetterDelivery view;
  view.set_letter_id(letter.id());
  view.set_contact_id(letter.contact_id());
  view.set_kind(letter.kind());
  *view.mutable_issued_at() = letter.issued_at();
  *view.mutable_updated_at() = letter.issued_at();
  if (letter.email().empty()) {
    view.set_state(v1::LetterDeliveryState::TO_POST);
    view.set_channel("post");
  } else {
    view.set_state(v1::LetterDeliveryState::QUEUED);
  }
  *view.mutable_letter() = letter;
  return view;
}

absl::StatusOr<v1::LetterDelivery> LetterBook::Settle(const v1::Letter& letter,
                                                      const Outcome& outcome, TimePoint now) {
  absl::MutexLock lock(&mu_);
  auto stored = store_.GetLetterDelivery(letter.id());
  if (!stored.ok()) return stored.status();
  v1::LetterDelivery next = stored->has_value() ? **stored : Unrecorded(letter);
  if (next.state() != v1::LetterDeliveryState::POSTED) {
    next.set_state(outcome.state);
    next.set_channel(outcome.channel);
  }
  next.set_attempts(outcome.attempts);
  next.set_last_error(outcome.last_error);
  if (!outcome.reference.empty()) next.set_reference(outcome.reference);
  *next.mutable_updated_at() = ToProto(now);
  *next.mutable_letter() = letter;
  RETURN_IF_ERROR(store_.PutLetterDelivery(next, stored->has_value() ? &**stored : nullptr));
  return next;
}

absl::StatusOr<v1::LetterDelivery> LetterBook::Bounced(std::string_view letter_id,
                                                       std::string_view reason, TimePoint now) {
  absl::MutexLock lock(&mu_);
  auto stored = store_.GetLetterDelivery(letter_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return absl::NotFoundError("no letter " + std::string(letter_id));
  const v1::LetterDelivery before = **stored;
  if (before.state() != v1::LetterDeliveryState::SENT) return before;
  v1::LetterDelivery next = before;
  next.set_state(v1::LetterDeliveryState::FAILED);
  next.set_last_error(std::string(reason));
  *next.mutable_updated_at() = ToProto(now);
  RETURN_IF_ERROR(store_.PutLetterDelivery(next, &before));
  return next;
}

absl::StatusOr<v1::LetterDelivery> LetterBook::MarkPosted(std::string_view letter_id,
                                                          const v1::Actor& by,
                                                          std::string_view note, TimePoint now) {
  absl::MutexLock lock(&mu_);
  auto stored = store_.GetLetterDelivery(letter_id);
  if (!stored.ok()) return stored.status();
  std::optional<v1::LetterDelivery> before = std::move(*stored);
  v1::LetterDelivery next;
  if (before) {
    next = *before;
  } else {
    // Not attempted yet: a letter with no address is on the post list
    // already as far as staff can see.
    auto found = Get(letter_id);
    if (!found.ok()) return found.status();
    if (!found->has_value()) return absl::NotFoundError("no letter " + std::string(letter_id));
    next = **found;
  }
  if (!OnPostList(next.state())) {
    return absl::FailedPreconditionError(
        "only a letter to send by post (TO_POST or FAILED) can be marked posted; this one is " +
        v1::LetterDeliveryState::Code_Name(next.state()));
  }
  next.set_state(v1::LetterDeliveryState::POSTED);
  next.set_channel("post");
  *next.mutable_posted_by() = by;
  next.set_posted_note(std::string(note));
  *next.mutable_updated_at() = ToProto(now);
  RETURN_IF_ERROR(store_.PutLetterDelivery(next, before ? &*before : nullptr));
  return next;
}

absl::StatusOr<std::optional<v1::LetterDelivery>> LetterBook::Get(
    std::string_view letter_id) const {
  auto stored = store_.GetLetterDelivery(letter_id);
  if (!stored.ok() || stored->has_value()) return stored;
  // "<contact id>-<seq>": the letter is in that contact's history.
  size_t dash = letter_id.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return std::nullopt;
  auto events = store_.GetEvents(letter_id.substr(0, dash));
  if (!events.ok()) return events.status();
  for (const v1::Event& e : *events) {
    if (e.has_letter_issued() && e.letter_issued().letter().id() == letter_id) {
      return std::optional<v1::LetterDelivery>(Unrecorded(e.letter_issued().letter()));
    }
  }
  return std::nullopt;
}

absl::StatusOr<v1::LetterDeliveryList> LetterBook::OfContact(std::string_view contact_id) const {
  auto recorded = store_.LetterDeliveriesOfContact(contact_id);
  if (!recorded.ok()) return recorded.status();
  std::map<std::string, v1::LetterDelivery> by_id;
  for (v1::LetterDelivery& l : *recorded) by_id.emplace(l.letter_id(), std::move(l));
  auto events = store_.GetEvents(contact_id);
  if (!events.ok()) return events.status();
  // In the history's order, as the letters were written.
  v1::LetterDeliveryList list;
  for (const v1::Event& e : *events) {
    if (!e.has_letter_issued()) continue;
    const v1::Letter& letter = e.letter_issued().letter();
    auto found = by_id.find(letter.id());
    if (found != by_id.end()) {
      *list.add_letters() = std::move(found->second);
      by_id.erase(found);
    } else {
      *list.add_letters() = Unrecorded(letter);
    }
  }
  return list;
}

absl::StatusOr<v1::LetterDeliveryList> LetterBook::ToPost(size_t limit,
                                                          std::string_view page_token) const {
  std::optional<Store::PostListPosition> after;
  if (!page_token.empty()) {
    after = ParsePostListToken(page_token);
    if (!after) return absl::InvalidArgumentError("page_token is not a token this server gave");
  }
  auto letters = store_.LettersToPost(limit + 1, after ? &*after : nullptr);
  if (!letters.ok()) return letters.status();
  v1::LetterDeliveryList list;
  for (size_t i = 0; i < letters->size() && i < limit; ++i) *list.add_letters() = (*letters)[i];
  if (letters->size() > limit && limit > 0) {
    list.set_next_page_token(PostListToken((*letters)[limit - 1]));
  }
  return list;
}

}  // namespace frontdoor
