// GOV.UK Notify over libcurl: the key parsed once, a fresh JWT (libjwt) per
// request, the body written with boost::json, the answer's notification id
// read back. Errors carry the HTTP status or curl's error, never Notify's
// message (it can quote the address).
#include "adapters/sinks/notify.h"

#include <curl/curl.h>
#include <jwt.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

#include "boost/json.hpp"

namespace frontdoor {

namespace {

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

size_t Collect(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  size_t n = size * count;
  if (out->size() + n > (64u << 10)) return 0;  // Notify's answers are small
  out->append(data, n);
  return n;
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

SendResult Failure(SendResult::Kind kind, std::string error) {
  return {.kind = kind, .error = std::move(error), .reference = {}};
}

}  // namespace

absl::StatusOr<NotifyKey> ParseNotifyKey(std::string_view api_key) {
  // The key name may itself hold '-': the two UUIDs are read from the end.
  if (api_key.size() < 74 || api_key[api_key.size() - 37] != '-' ||
      api_key[api_key.size() - 74] != '-') {
    return absl::InvalidArgumentError(
        "not a Notify API key: expected <key name>-<service id>-<secret key>");
  }
  NotifyKey key{.service_id = std::string(api_key.substr(api_key.size() - 73, 36)),
                .secret = std::string(api_key.substr(api_key.size() - 36))};
  if (!IsUuid(key.service_id) || !IsUuid(key.secret)) {
    return absl::InvalidArgumentError(
        "not a Notify API key: the service id and secret key must be UUIDs");
  }
  return key;
}

absl::StatusOr<std::string> NotifyToken(const NotifyKey& key, TimePoint now) {
  jwt_t* jwt = nullptr;
  if (jwt_new(&jwt) != 0) return absl::InternalError("jwt_new failed");
  std::unique_ptr<jwt_t, decltype(&jwt_free)> owned(jwt, jwt_free);
  long iat = static_cast<long>(
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  if (jwt_add_grant(jwt, "iss", key.service_id.c_str()) != 0 ||
      jwt_add_grant_int(jwt, "iat", iat) != 0 ||
      jwt_set_alg(jwt, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(key.secret.data()),
                  static_cast<int>(key.secret.size())) != 0) {
    return absl::InternalError("cannot make the Notify token");
  }
  char* token = jwt_encode_str(jwt);
  if (token == nullptr) return absl::InternalError("cannot sign the Notify token");
  std::string out(token);
  std::free(token);
  return out;
}

std::string NotifyRequestBody(const v1::Letter& letter, std::string_view template_id) {
  boost::json::object body;
  body["email_address"] = letter.email();
  body["template_id"] = template_id;
  body["personalisation"] = boost::json::object{{"subject", letter.subject()},
                                                {"body", letter.body()}};
  body["reference"] = letter.id();
  return boost::json::serialize(body);
}

NotifyTransport::NotifyTransport(NotifyConfig config, const Clock& real_clock)
    : config_(std::move(config)), real_clock_(real_clock) {}

NotifyTransport::~NotifyTransport() {
  if (curl_ != nullptr) curl_easy_cleanup(curl_);
}

absl::Status NotifyTransport::Open() {
  InitCurlOnce();
  std::ifstream in(config_.api_key_file, std::ios::binary);
  if (!in) {
    return absl::NotFoundError("email.notify.api_key_file: cannot read " +
                               config_.api_key_file.string());
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string api_key = text.str();
  while (!api_key.empty() && std::isspace(static_cast<unsigned char>(api_key.back()))) {
    api_key.pop_back();
  }
  auto key = ParseNotifyKey(api_key);
  if (!key.ok()) {
    return absl::InvalidArgumentError("email.notify.api_key_file: " +
                                      std::string(key.status().message()));
  }
  key_ = std::move(*key);
  curl_ = curl_easy_init();
  if (curl_ == nullptr) return absl::InternalError("email.notify: curl_easy_init failed");
  return absl::OkStatus();
}

SendResult NotifyTransport::Send(const v1::Letter& letter) {
  auto token = NotifyToken(key_, real_clock_.Now());
  if (!token.ok()) return Failure(SendResult::Kind::kRetry, std::string(token.status().message()));
  std::string body = NotifyRequestBody(letter, config_.email_template_id);
  std::string url = config_.base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/v2/notifications/email";
  std::string answer;
  CURL* c = curl_;
  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30'000L);
  if (!config_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config_.ca_file.c_str());
  std::string auth = "Authorization: Bearer " + *token;
  curl_slist* headers = curl_slist_append(nullptr, auth.c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "User-Agent: frontdoor");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) return Failure(SendResult::Kind::kRetry, std::string("notify: ") + curl_easy_strerror(rc));
  std::string error = "notify " + std::to_string(status);
  if (status == 201) {
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(answer, ec);
    std::string id;
    if (!ec && parsed.is_object()) {
      if (const auto* v = parsed.as_object().if_contains("id"); v != nullptr && v->is_string()) {
        id = std::string(v->as_string());
      }
    }
    return {.kind = SendResult::Kind::kDelivered, .error = {}, .reference = id};
  }
  if (status == 429 || status >= 500) return Failure(SendResult::Kind::kRetry, error);
  // 400 (a bad address, a bad template), 403 (a bad or revoked key), and any
  // other answer Notify does not document: tried again, it would fail again.
  return Failure(SendResult::Kind::kRefused, error);
}

}  // namespace frontdoor
