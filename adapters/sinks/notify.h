// Letters through GOV.UK Notify's REST API: `POST {base_url}/v2/notifications/email`
// with the referrer's `email_address`, the config's `template_id` (a Notify
// email template whose subject is ((subject)) and whose body is ((body))),
// `personalisation: {subject, body}` from the letter and `reference` = the
// letter id, authorised by `Authorization: Bearer <JWT>`: HS256 over
// {"iss": <service id>, "iat": <now, seconds>} with the secret key, both taken
// from the API key ("<key name>-<service id>-<secret key>") as Notify's
// documentation says, made with libjwt, one per request. 201 is sent (the
// reference is Notify's notification id); 400 and 403 are refusals for good
// (a bad address, a bad key); 429 and 5xx, timeouts and connection errors
// are tried again. HTTPS with certificate checks (`ca_file` for tests); an
// http:// base URL only on loopback.
//
// Notify's 201 means accepted, not delivered: an email can still bounce.
// The channel "notify-status" (NotifyStatusChannel) asks
// `GET {base_url}/v2/notifications/{id}` for each letter Notify took, on
// the business clock, from when it is issued for `status_check_hours`:
// `delivered` ends the asking; `permanent-failure`, `temporary-failure`
// and `technical-failure` (Notify has stopped trying) make the letter
// FAILED, with "notify: <status>" as its last_error, so it goes on the post
// list; `created`, `sending` and `pending` are asked again later.
#pragma once

#include <string>
#include <string_view>

#include "adapters/http/config.h"
#include "adapters/sinks/email.h"
#include "engine/clock.h"
#include "engine/deliveries.h"
#include "engine/letters.h"

typedef void CURL;

namespace frontdoor {

// The parts of a Notify API key.
struct NotifyKey {
  std::string service_id;
  std::string secret;
};
// "<key name>-<service id>-<secret key>", the last two UUIDs. InvalidArgument
// when it is not one (the key is never in the message).
absl::StatusOr<NotifyKey> ParseNotifyKey(std::string_view api_key);

// The bearer token for a request at `now`.
absl::StatusOr<std::string> NotifyToken(const NotifyKey& key, TimePoint now);

// The JSON body of one letter's request.
std::string NotifyRequestBody(const v1::Letter& letter, std::string_view template_id);

class NotifyTransport final : public LetterTransport {
 public:
  // `real_clock` stamps the tokens' iat.
  NotifyTransport(NotifyConfig config, const Clock& real_clock);
  ~NotifyTransport() override;
  NotifyTransport(const NotifyTransport&) = delete;
  NotifyTransport& operator=(const NotifyTransport&) = delete;

  std::string_view name() const override { return "notify"; }
  absl::Status Open() override;
  SendResult Send(const v1::Letter& letter) override;

  // Notify's status of a notification (`GET /v2/notifications/{id}`):
  // kDelivered with the status ("delivered", "sending", ...) as the
  // reference; kRetry on a timeout, 429 or 5xx; kRefused otherwise.
  SendResult Status(std::string_view notification_id);

 private:
  // One request; the HTTP status, or 0 with `error` set when curl failed.
  long Request(const std::string& url, const std::string* post_body, std::string* answer,
               std::string* error);

  const NotifyConfig config_;
  const Clock& real_clock_;
  NotifyKey key_;
  // Kept for keep-alive between letters.
  CURL* curl_ = nullptr;
};

// The channel name of the status checks (a delivery queue of its own).
inline constexpr std::string_view kNotifyStatusChannel = "notify-status";

// Asks Notify how each emailed letter went (see the top of this file), one
// delivery per letter issued with an email address; a letter not sent yet
// is asked about again later, one not sent through Notify needs nothing.
class NotifyStatusChannel final : public Channel {
 public:
  // `book` outlives the channel; `clock` is the business clock.
  NotifyStatusChannel(NotifyConfig config, LetterBook& book, const Clock& clock,
                      const Clock& real_clock);
  std::string_view name() const override { return kNotifyStatusChannel; }
  bool Wants(const v1::Event& event) const override;
  absl::Status Open() override { return client_.Open(); }
  SendResult Send(const v1::Delivery& delivery) override;

 private:
  LetterBook& book_;
  const Clock& clock_;
  NotifyTransport client_;
};

// The queue options of the status checks: first asked when the letter is
// issued, again 5 minutes later, then each wait doubled up to 6 hours, for
// `status_check_hours` in all.
DeliveryOptions NotifyStatusOptions(const NotifyConfig& config);

}  // namespace frontdoor
