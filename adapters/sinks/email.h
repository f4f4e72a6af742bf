// Letters by email: the delivery channel "email" (engine/deliveries.h) that
// takes every `org.frontdoor.letter.issued` event and hands the letter to a
// transport, SMTP (smtp.h) or GOV.UK Notify (notify.h), and keeps each
// letter's state in the LetterBook (engine/letters.h) after every attempt.
// A letter with no email address is not attempted: it goes on the list of
// letters to send by post (TO_POST). With no `email:` in the config there is
// no transport: letters with an address count as SENT through the channel
// "spool" (the spool folder has them, as always), the others are TO_POST.
// A letter refused for good, or still failing after the queue's retries,
// is FAILED and goes on the post list too. Only the letter's own rendered
// text goes out: it never holds the narrative. Nothing here logs an
// address, a name or a letter's text.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "adapters/http/config.h"
#include "engine/clock.h"
#include "engine/deliveries.h"
#include "engine/letters.h"
#include "frontdoor/v1/events.pb.h"

namespace frontdoor {

// Sends one letter to its recipient's email address. Send runs on the
// email queue's thread only and bounds its own time.
class LetterTransport {
 public:
  virtual ~LetterTransport() = default;
  // "smtp" or "notify": the channel a sent letter shows.
  virtual std::string_view name() const = 0;
  // Reads its files, checks its settings. Errors stop the server starting.
  virtual absl::Status Open() { return absl::OkStatus(); }
  // kDelivered with the server's reference, kRetry, or kRefused; never kGone.
  virtual SendResult Send(const v1::Letter& letter) = 0;
};

class EmailChannel final : public Channel {
 public:
  // `transport` null: no email configured (see above). `book` and `clock`
  // (the business clock, for the letters' updated_at) outlive the channel.
  EmailChannel(LetterBook& book, const Clock& clock, std::unique_ptr<LetterTransport> transport);

  std::string_view name() const override { return "email"; }
  bool Wants(const v1::Event& event) const override;
  absl::Status Open() override;
  SendResult Send(const v1::Delivery& delivery) override;
  void Settled(const v1::Delivery& delivery) override;

 private:
  LetterBook& book_;
  const Clock& clock_;
  const std::unique_ptr<LetterTransport> transport_;
};

// The transport the config names (smtp or notify); null when `email` is
// absent. `real_clock` stamps Notify's tokens (Notify checks them against
// the real time, also under --clock manual).
absl::StatusOr<std::unique_ptr<LetterTransport>> MakeLetterTransport(
    const std::optional<EmailConfig>& email, const Clock& real_clock);

// The letter's text as HTML: every character escaped, paragraphs at blank
// lines, line breaks kept.
std::string LetterHtml(const v1::Letter& letter);

}  // namespace frontdoor
