// WebhookChannel over libcurl: one easy handle per subscription, reused
// across attempts so the connection to the receiver is kept alive; the
// receiver's body is read and thrown away, never logged.
#include "adapters/sinks/webhook.h"

#include <curl/curl.h>

#include <chrono>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "adapters/sinks/cloudevents.h"
#include "adapters/sinks/webhook_signature.h"
#include "frontdoor/v1/codes.pb.h"
#include "spdlog/spdlog.h"

namespace frontdoor {

struct WebhookChannel::Curl {
  ~Curl() {
    if (handle != nullptr) curl_easy_cleanup(handle);
  }
  CURL* handle = nullptr;
};

namespace {

// Receivers' answers are not ours to read or keep.
size_t Discard(char* /*data*/, size_t size, size_t count, void* /*user*/) { return size * count; }

struct Headers {
  ~Headers() { curl_slist_free_all(list); }
  void Add(const std::string& header) { list = curl_slist_append(list, header.c_str()); }
  curl_slist* list = nullptr;
};

bool IsCheckEvent(const v1::Event& e) { return e.has_check_requested() || e.has_check_overdue(); }

int AgencyOf(const v1::Event& e) {
  return e.has_check_requested() ? e.check_requested().agency() : e.check_overdue().agency();
}

}  // namespace

WebhookChannel::WebhookChannel(SubscriptionConfig config, std::vector<int> agencies,
                               const Store& store, const Clock& clock)
    : config_(std::move(config)),
      events_(config_.events.begin(), config_.events.end()),
      agencies_(agencies.begin(), agencies.end()),
      store_(store),
      clock_(clock) {}

WebhookChannel::~WebhookChannel() = default;

absl::Status WebhookChannel::Open() {
  keys_.clear();
  for (const std::string& secret : config_.secrets) {
    auto key = DecodeWebhookSecret(secret);
    if (!key.ok()) {
      return absl::InvalidArgumentError("subscription " + config_.name + ": " +
                                        std::string(key.status().message()));
    }
    keys_.push_back(*std::move(key));
  }
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = std::make_unique<Curl>();
  curl_->handle = curl_easy_init();
  if (curl_->handle == nullptr) return absl::InternalError("curl_easy_init failed");
  CURL* h = curl_->handle;
  curl_easy_setopt(h, CURLOPT_URL, config_.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!config_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, config_.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.timeout.count()));
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "frontdoor-webhooks/1");
  return absl::OkStatus();
}

std::string WebhookChannel::OrganisationOf(const v1::Event& e) const {
  if (e.has_contact_received()) {
    const auto& received = e.contact_received();
    return received.submitted_by_organisation().empty() ? received.submitted_by()
                                                        : received.submitted_by_organisation();
  }
  auto record = store_.GetContact(e.contact_id());
  if (!record.ok()) {
    spdlog::warn("webhook {}: cannot read contact {}: {}", config_.name, e.contact_id(),
                 std::string(record.status().message()));
    return {};
  }
  if (!record->has_value()) return {};
  const v1::Contact& contact = (*record)->contact();
  // Contacts stored before organisations were recorded: the key's name is
  // its organisation by default (adapters/http/config.h).
  return contact.submitted_by_organisation().empty() ? contact.submitted_by()
                                                     : contact.submitted_by_organisation();
}

bool WebhookChannel::Wants(const v1::Event& e) const {
  const std::string type = CloudEventType(e);
  if (type == "org.frontdoor.event") return false;  // not one that leaves the building
  if (!events_.empty() && !events_.contains(type)) return false;
  if (config_.organisation.empty()) return true;
  // A check is the agency's business, whoever sent the contact.
  if (IsCheckEvent(e)) return agencies_.contains(AgencyOf(e));
  return OrganisationOf(e) == config_.organisation;
}

std::string WebhookChannel::BodyFor(const v1::Event& e) const {
  // Only an organisation's own subscription sees its contacts (Wants), so
  // one with an organisation is the referrer's; any other gets no names.
  if (!e.has_letter_issued() || !config_.organisation.empty()) return ToCloudEventJson(e);
  v1::Event stripped = e;
  v1::Letter& letter = *stripped.mutable_letter_issued()->mutable_letter();
  letter.clear_recipient_name();
  letter.clear_email();
  letter.clear_phone();
  letter.clear_body();
  return ToCloudEventJson(stripped);
}

SendResult WebhookChannel::Send(const v1::Delivery& delivery) {
  if (curl_ == nullptr || curl_->handle == nullptr) {
    return SendResult{.kind = SendResult::Kind::kRetry, .error = "not open", .reference = ""};
  }
  const v1::Event& event = delivery.event();
  const std::string body = BodyFor(event);
  const std::string& id = event.id().empty() ? delivery.event_id() : event.id();
  const int64_t timestamp =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();

  Headers headers;
  headers.Add("Content-Type: application/cloudevents+json");
  headers.Add("webhook-id: " + id);
  headers.Add(absl::StrCat("webhook-timestamp: ", timestamp));
  headers.Add("webhook-signature: " + WebhookSignatureHeader(keys_, id, timestamp, body));
  headers.Add("Expect:");  // no 100-continue round trip

  CURL* h = curl_->handle;
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  const CURLcode code = curl_easy_perform(h);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, nullptr);
  if (code != CURLE_OK) {
    std::string error = code == CURLE_OPERATION_TIMEDOUT
                            ? absl::StrCat("timed out after ", config_.timeout.count(), " ms")
                            : curl_easy_strerror(code);
    return SendResult{.kind = SendResult::Kind::kRetry, .error = error, .reference = ""};
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  std::string error = absl::StrCat("HTTP ", status);
  if (status >= 200 && status < 300) {
    return SendResult{.kind = SendResult::Kind::kDelivered, .error = "", .reference = error};
  }
  if (status == 410) return SendResult{.kind = SendResult::Kind::kGone, .error = error, .reference = ""};
  if (status >= 400 && status < 500 && status != 408 && status != 429) {
    return SendResult{.kind = SendResult::Kind::kRefused, .error = error, .reference = ""};
  }
  // 5xx, 408 and 429 (the receiver asks for time), and anything odd.
  return SendResult{.kind = SendResult::Kind::kRetry, .error = error, .reference = ""};
}

v1::Subscription SubscriptionView(const SubscriptionConfig& config) {
  v1::Subscription view;
  view.set_name(config.name);
  view.set_url(config.url);
  for (const std::string& type : config.events) view.add_events(type);
  if (!config.organisation.empty()) view.set_organisation(config.organisation);
  view.set_secrets(static_cast<uint32_t>(config.secrets.size()));
  return view;
}

std::vector<std::unique_ptr<Channel>> MakeWebhookChannels(const ServerConfig& config,
                                                          const Store& store, const Clock& clock) {
  std::vector<std::unique_ptr<Channel>> channels;
  for (const SubscriptionConfig& subscription : config.subscriptions) {
    std::vector<int> agencies;
    for (const ApiKeyConfig& key : config.api_keys) {
      v1::Source::Code code;
      if (!subscription.organisation.empty() && key.organisation == subscription.organisation &&
          !key.agency.empty() && v1::Source::Code_Parse(key.agency, &code)) {
        agencies.push_back(code);
      }
    }
    channels.push_back(
        std::make_unique<WebhookChannel>(subscription, std::move(agencies), store, clock));
  }
  return channels;
}

}  // namespace frontdoor
