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
#pragma once

#include <string>
#include <string_view>

#include "adapters/http/config.h"
#include "adapters/sinks/email.h"
#include "engine/clock.h"

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

 private:
  const NotifyConfig config_;
  const Clock& real_clock_;
  NotifyKey key_;
  // Kept for keep-alive between letters.
  CURL* curl_ = nullptr;
};

}  // namespace frontdoor
