// A webhook subscription as a delivery Channel (engine/deliveries.h): each
// delivery is one POST of a structured-mode CloudEvent
// (`application/cloudevents+json`, adapters/sinks/cloudevents.h) signed as
// Standard Webhooks says (adapters/sinks/webhook_signature.h), over libcurl
// with one easy handle kept for keep-alive, HTTPS with the receiver's
// certificate checked (against `ca_file` when given). A 2xx is delivered,
// 410 gone, any other 4xx refused for good, and 5xx, timeouts and
// connection errors are tried again. What a subscription takes: its event
// types, and with an organisation only events about contacts that
// organisation sent plus the checks asked of its agency. A letter goes
// whole only to the referrer's own organisation's subscription; any other
// gets it without the recipient's name, email, phone and the letter's text.
// Nothing here logs a body.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "adapters/http/config.h"
#include "engine/clock.h"
#include "engine/deliveries.h"
#include "engine/store.h"

namespace frontdoor {

class WebhookChannel final : public Channel {
 public:
  // `agencies`: the Source codes (v1::Source::Code) of the api keys of the
  // subscription's organisation, whose check events it takes. `store`
  // answers which organisation sent a contact. `clock` stamps
  // webhook-timestamp: the real clock, since receivers compare it with
  // theirs. All references outlive the channel.
  WebhookChannel(SubscriptionConfig config, std::vector<int> agencies, const Store& store,
                 const Clock& clock);
  ~WebhookChannel() override;

  std::string_view name() const override { return config_.name; }
  bool Wants(const v1::Event& event) const override;
  // Decodes the secrets and makes the curl handle.
  absl::Status Open() override;
  SendResult Send(const v1::Delivery& delivery) override;

  // The body a delivery of `event` carries to this subscription: the
  // CloudEvent, its letter stripped unless the subscription is the
  // referrer's organisation's.
  std::string BodyFor(const v1::Event& event) const;

  const SubscriptionConfig& config() const { return config_; }

 private:
  // The organisation that sent the contact, from the event or the store.
  std::string OrganisationOf(const v1::Event& event) const;

  const SubscriptionConfig config_;
  const absl::flat_hash_set<std::string> events_;
  const absl::flat_hash_set<int> agencies_;
  const Store& store_;
  const Clock& clock_;
  // Set by Open; used on the queue's thread only.
  std::vector<std::string> keys_;
  struct Curl;
  std::unique_ptr<Curl> curl_;
};

// The config's view of a subscription for GET /v1/admin/subscriptions:
// name, url, events, organisation and how many secrets (never the secrets).
v1::Subscription SubscriptionView(const SubscriptionConfig& config);

// The subscriptions of `config` as channels, each with the agencies of its
// organisation's api keys.
std::vector<std::unique_ptr<Channel>> MakeWebhookChannels(const ServerConfig& config,
                                                          const Store& store, const Clock& clock);

}  // namespace frontdoor
