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
#include "spdlog/spdlog.h"

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

long NotifyTransport::Request(const std::string& url, const std::string* post_body,
                              std::string* answer, std::string* error) {
  auto token = NotifyToken(key_, real_clock_.Now());
  if (!token.ok()) {
    *error = std::string(token.status().message());
    return 0;
  }
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
  if (post_body != nullptr) headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "User-Agent: frontdoor");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  if (post_body != nullptr) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post_body->size()));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    *error = std::string("notify: ") + curl_easy_strerror(rc);
    return 0;
  }
  return status;
}

namespace {

std::string BaseUrl(const NotifyConfig& config) {
  std::string url = config.base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// A string field of a JSON object answer; empty when there is none.
std::string AnswerField(const std::string& answer, const char* field) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(answer, ec);
  if (ec || !parsed.is_object()) return {};
  const auto* v = parsed.as_object().if_contains(field);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->as_string());
}

}  // namespace

SendResult NotifyTransport::Send(const v1::Letter& letter) {
  std::string body = NotifyRequestBody(letter, config_.email_template_id);
  std::string answer, failure;
  long status = Request(BaseUrl(config_) + "/v2/notifications/email", &body, &answer, &failure);
  if (status == 0) return Failure(SendResult::Kind::kRetry, failure);
  std::string error = "notify " + std::to_string(status);
  if (status == 201) {
    return {.kind = SendResult::Kind::kDelivered, .error = {}, .reference = AnswerField(answer, "id")};
  }
  if (status == 429 || status >= 500) return Failure(SendResult::Kind::kRetry, error);
  // 400 (a bad address, a bad template), 403 (a bad or revoked key), and any
  // other answer Notify does not document: tried again, it would fail again.
  return Failure(SendResult::Kind::kRefused, error);
}

SendResult NotifyTransport::Status(std::string_view notification_id) {
  // Notify's ids are UUIDs: nothing else goes into the URL.
  if (!IsUuid(notification_id)) {
    return Failure(SendResult::Kind::kRefused, "notify: the notification id is not a UUID");
  }
  std::string answer, failure;
  long status = Request(BaseUrl(config_) + "/v2/notifications/" + std::string(notification_id),
                        nullptr, &answer, &failure);
  if (status == 0) return Failure(SendResult::Kind::kRetry, failure);
  std::string error = "notify " + std::to_string(status);
  if (status == 200) {
    std::string said = AnswerField(answer, "status");
    if (said.empty()) return Failure(SendResult::Kind::kRetry, "notify 200 without a status");
    return {.kind = SendResult::Kind::kDelivered, .error = {}, .reference = said};
  }
  if (status == 429 || status >= 500) return Failure(SendResult::Kind::kRetry, error);
  return Failure(SendResult::Kind::kRefused, error);
}

NotifyStatusChannel::NotifyStatusChannel(NotifyConfig config, LetterBook& book,
                                         const Clock& clock, const Clock& real_clock)
    : book_(book), clock_(clock), client_(std::move(config), real_clock) {}

bool NotifyStatusChannel::Wants(const v1::Event& event) const {
  return event.has_letter_issued() && !event.letter_issued().letter().email().empty();
}

SendResult NotifyStatusChannel::Send(const v1::Delivery& delivery) {
  const v1::Letter& letter = delivery.event().letter_issued().letter();
  auto stored = book_.Get(letter.id());
  if (!stored.ok()) return Failure(SendResult::Kind::kRetry, "letter book: unavailable");
  if (!stored->has_value() || (*stored)->state() == v1::LetterDeliveryState::QUEUED) {
    return Failure(SendResult::Kind::kNotYet, "not sent yet");
  }
  const v1::LetterDelivery& l = **stored;
  // Failed already, posted, or sent another way: nothing to ask Notify.
  if (l.state() != v1::LetterDeliveryState::SENT || l.channel() != "notify" ||
      l.reference().empty()) {
    return {.kind = SendResult::Kind::kDelivered, .error = {}, .reference = {}};
  }
  SendResult said = client_.Status(l.reference());
  if (said.kind != SendResult::Kind::kDelivered) return said;
  const std::string& status = said.reference;
  if (status == "permanent-failure" || status == "temporary-failure" ||
      status == "technical-failure") {
    auto failed = book_.Bounced(letter.id(), "notify: " + status, clock_.Now());
    if (!failed.ok()) return Failure(SendResult::Kind::kRetry, "letter book: not stored");
    spdlog::info("notify-status: letter {} failed after it was sent ({}): on the post list",
                 letter.id(), status);
    return said;
  }
  if (status == "delivered") return said;
  return Failure(SendResult::Kind::kNotYet, "notify: " + status);
}

DeliveryOptions NotifyStatusOptions(const NotifyConfig& config) {
  DeliveryOptions options;
  options.first_retry = Millis(5 * 60'000);
  options.max_retry = Millis(6 * 3'600'000);
  options.retry_for = Millis(int64_t{config.status_check_hours} * 3'600'000);
  return options;
}

}  // namespace frontdoor
