// Standard Webhooks signing (https://www.standardwebhooks.com): each
// delivery carries `webhook-id`, `webhook-timestamp` and `webhook-signature`,
// the last a space-separated list of `v1,<base64 HMAC-SHA256 of
// "<id>.<timestamp>.<body>">`, one per secret in force (two during a
// rotation). Secrets are written `whsec_<base64 of the key>`. The HMAC and
// the base64 are OpenSSL's; nothing here is hand-written crypto.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace frontdoor {

// The key bytes of a `whsec_<base64>` secret. InvalidArgument (never
// quoting the secret) when the prefix is missing, the base64 is bad or the
// key is empty.
absl::StatusOr<std::string> DecodeWebhookSecret(std::string_view secret);

// "v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>".
std::string SignWebhook(std::string_view key, std::string_view id, int64_t timestamp,
                        std::string_view body);

// The `webhook-signature` header: one signature per key, space-separated,
// in the keys' order.
std::string WebhookSignatureHeader(const std::vector<std::string>& keys, std::string_view id,
                                   int64_t timestamp, std::string_view body);

}  // namespace frontdoor
