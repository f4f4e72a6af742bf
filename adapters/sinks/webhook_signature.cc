// Standard Webhooks signatures with OpenSSL's one-shot HMAC and its base64
// (EVP_EncodeBlock / EVP_DecodeBlock).
#include "adapters/sinks/webhook_signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>


namespace frontdoor {

namespace {

constexpr std::string_view kSecretPrefix = "whsec_";

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data,
                          static_cast<int>(size));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace

absl::StatusOr<std::string> DecodeWebhookSecret(std::string_view secret) {
  if (secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
    return absl::InvalidArgumentError("a webhook secret must start with whsec_");
  }
  std::string_view text = secret.substr(kSecretPrefix.size());
  // EVP_DecodeBlock takes whole quanta only and counts the padding as data.
  if (text.empty() || text.size() % 4 != 0) {
    return absl::InvalidArgumentError("a webhook secret's key must be base64 after whsec_");
  }
  std::string key(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(key.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) {
    return absl::InvalidArgumentError("a webhook secret's key must be base64 after whsec_");
  }
  size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  key.resize(static_cast<size_t>(n) - padding);
  if (key.empty()) return absl::InvalidArgumentError("a webhook secret's key is empty");
  return key;
}

std::string SignWebhook(std::string_view key, std::string_view id, int64_t timestamp,
                        std::string_view body) {
  std::string content;
  content.reserve(id.size() + body.size() + 24);
  content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &mac_size);
  return "v1," + Base64(mac, mac_size);
}

std::string WebhookSignatureHeader(const std::vector<std::string>& keys, std::string_view id,
                                   int64_t timestamp, std::string_view body) {
  std::string header;
  for (const std::string& key : keys) {
    if (!header.empty()) header += ' ';
    header += SignWebhook(key, id, timestamp, body);
  }
  return header;
}

}  // namespace frontdoor
