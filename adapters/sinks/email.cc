// The email channel: which letters it takes, what it does with each, and how
// a delivery's state becomes the letter's (engine/letters.h).
#include "adapters/sinks/email.h"

#include "adapters/sinks/notify.h"
#include "adapters/sinks/smtp.h"
#include "spdlog/spdlog.h"

namespace frontdoor {

namespace {

// A letter email can be tried for: it has an address.
bool HasAddress(const v1::Letter& letter) { return !letter.email().empty(); }

}  // namespace

EmailChannel::EmailChannel(LetterBook& book, const Clock& clock,
                           std::unique_ptr<LetterTransport> transport)
    : book_(book), clock_(clock), transport_(std::move(transport)) {}

bool EmailChannel::Wants(const v1::Event& event) const { return event.has_letter_issued(); }

absl::Status EmailChannel::Open() {
  if (transport_ == nullptr) {
    spdlog::info("email: none configured; letters stay in the spool, those without an email "
                 "address go on the post list");
    return absl::OkStatus();
  }
  return transport_->Open();
}

SendResult EmailChannel::Send(const v1::Delivery& delivery) {
  const v1::Letter& letter = delivery.event().letter_issued().letter();
  // Nothing to attempt: Settled puts it on the post list, or counts it sent
  // by the spool.
  if (!HasAddress(letter) || transport_ == nullptr) {
    return {.kind = SendResult::Kind::kDelivered, .error = {}, .reference = {}};
  }
  SendResult result = transport_->Send(letter);
  if (result.kind == SendResult::Kind::kGone) result.kind = SendResult::Kind::kRefused;
  return result;
}

void EmailChannel::Settled(const v1::Delivery& delivery) {
  const v1::Letter& letter = delivery.event().letter_issued().letter();
  LetterBook::Outcome outcome;
  outcome.attempts = delivery.attempts();
  outcome.last_error = delivery.last_error();
  outcome.reference = delivery.reference();
  std::string transport = transport_ != nullptr ? std::string(transport_->name()) : "spool";
  switch (delivery.state()) {
    case v1::DeliveryState::DELIVERED:
      if (!HasAddress(letter)) {
        outcome.state = v1::LetterDeliveryState::TO_POST;
        outcome.channel = "post";
        outcome.attempts = 0;
      } else {
        outcome.state = v1::LetterDeliveryState::SENT;
        outcome.channel = transport;
      }
      break;
    case v1::DeliveryState::DEAD:
      outcome.state = v1::LetterDeliveryState::FAILED;
      outcome.channel = transport;
      break;
    default:
      outcome.state = v1::LetterDeliveryState::QUEUED;
      outcome.channel = transport;
      break;
  }
  if (auto stored = book_.Settle(letter, outcome, clock_.Now()); !stored.ok()) {
    // The delivery itself is stored; the letter's view catches up at its
    // next attempt. The id only, never the letter.
    spdlog::warn("email: letter {} state not stored: {}", letter.id(),
                 std::string(stored.status().message()));
  }
}

absl::StatusOr<std::unique_ptr<LetterTransport>> MakeLetterTransport(
    const std::optional<EmailConfig>& email, const Clock& real_clock) {
  if (!email) return std::unique_ptr<LetterTransport>();
  if (email->smtp) return std::unique_ptr<LetterTransport>(new SmtpTransport(*email->smtp));
  if (email->notify) {
    return std::unique_ptr<LetterTransport>(new NotifyTransport(*email->notify, real_clock));
  }
  return absl::InvalidArgumentError("email: needs smtp or notify");
}

std::string LetterHtml(const v1::Letter& letter) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>";
  auto escape = [&out](std::string_view text) {
    for (char c : text) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out.push_back(c);
      }
    }
  };
  escape(letter.subject());
  out += "</title></head>\n<body>\n<p>";
  std::string_view body = letter.body();
  size_t i = 0;
  while (i < body.size()) {
    size_t nl = body.find('\n', i);
    std::string_view line = body.substr(i, nl == std::string_view::npos ? nl : nl - i);
    escape(line);
    if (nl == std::string_view::npos) break;
    i = nl + 1;
    if (i < body.size() && body[i] == '\n') {
      while (i < body.size() && body[i] == '\n') ++i;
      if (i < body.size()) out += "</p>\n<p>";
    } else if (i < body.size()) {
      out += "<br>\n";
    }
  }
  out += "</p>\n</body></html>\n";
  return out;
}

}  // namespace frontdoor
