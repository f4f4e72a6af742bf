// The letter book: how each letter to a referrer went out. The email
// channel (adapters/sinks/email.h) records a letter's state after every
// attempt (QUEUED while it retries, SENT, FAILED once emailing has failed
// for good, TO_POST when there is no email address); triage staff list the
// letters to send by post (TO_POST and FAILED, oldest first) and mark each
// POSTED once printed and sent. A letter the book has not heard of yet (its
// first attempt has not been made) is shown from the contact's history as
// QUEUED, or TO_POST when it has no email address. A SENT letter that
// bounces later (Notify's status, polled: adapters/sinks/notify.h) becomes
// FAILED too. Kept in the store's
// `letters` family. Thread-safe: the email channel's thread and the HTTP
// threads share one book.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "engine/clock.h"
#include "engine/store.h"
#include "frontdoor/v1/actor.pb.h"
#include "frontdoor/v1/delivery.pb.h"
#include "frontdoor/v1/events.pb.h"

namespace frontdoor {

class LetterBook {
 public:
  // `store` outlives the book.
  explicit LetterBook(Store& store);

  // What an attempt (or the lack of one) came to, for Settle.
  struct Outcome {
    v1::LetterDeliveryState::Code state = v1::LetterDeliveryState::QUEUED;
    // "smtp", "notify", "spool" or "post".
    std::string channel;
    uint32_t attempts = 0;
    std::string last_error;
    std::string reference;
  };
  // Records the letter's state after an attempt. A letter already POSTED
  // stays POSTED (someone has sent it by hand); its other fields move on.
  // Returns the letter as stored.
  absl::StatusOr<v1::LetterDelivery> Settle(const v1::Letter& letter, const Outcome& outcome,
                                            TimePoint now);

  // The email was accepted (SENT) but failed later (Notify's
  // permanent-failure, polled): the letter is FAILED with `reason` as its
  // last_error, and so on the post list. A letter in any other state is
  // left as it is (one POSTED by hand stays POSTED). NotFound when nothing is
  // recorded.
  absl::StatusOr<v1::LetterDelivery> Bounced(std::string_view letter_id,
                                             std::string_view reason, TimePoint now);

  // Someone printed and posted it. NotFound when there is no such letter;
  // FailedPrecondition unless it is TO_POST or FAILED.
  absl::StatusOr<v1::LetterDelivery> MarkPosted(std::string_view letter_id,
                                                const v1::Actor& by, std::string_view note,
                                                TimePoint now);

  // One letter, with its text; nullopt when none has that id.
  absl::StatusOr<std::optional<v1::LetterDelivery>> Get(std::string_view letter_id) const;
  // Every letter of the contact, in the order of its history, the not yet
  // recorded ones too.
  absl::StatusOr<v1::LetterDeliveryList> OfContact(std::string_view contact_id) const;
  // The letters to send by post (TO_POST and FAILED), oldest issued first,
  // at most `limit`, after `page_token` (from an earlier page's
  // next_page_token; InvalidArgument when it is not one).
  absl::StatusOr<v1::LetterDeliveryList> ToPost(size_t limit, std::string_view page_token) const;

  // The view of a letter not recorded yet: QUEUED, or TO_POST with no
  // email address.
  static v1::LetterDelivery Unrecorded(const v1::Letter& letter);

 private:
  Store& store_;
  // Serialises read-modify-write of a letter's state.
  mutable absl::Mutex mu_;
};

}  // namespace frontdoor
