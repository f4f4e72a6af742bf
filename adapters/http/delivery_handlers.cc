// The admin's view of deliveries to receivers that answer for each event
// (engine/deliveries.h): GET /v1/admin/deliveries lists them by state and
// channel, paged (ids, types, attempts and errors: never the event itself),
// POST /v1/admin/deliveries/{id}/replay sends a dead one again (and enables
// a channel a 410 disabled), GET /v1/admin/subscriptions shows each channel's
// settings from the config (never its secrets) with its figures.
#include <charconv>
#include <string>
#include <vector>

#include "adapters/http/handlers.h"
#include "adapters/http/query_params.h"
#include "adapters/sinks/cloudevents.h"
#include "frontdoor/v1/delivery.pb.h"

namespace frontdoor {

namespace http = boost::beast::http;

namespace {

// The channel named `name` among the deps'; null when there is none.
const DeliveryChannel* FindChannel(const ApiDependencies& deps, std::string_view name) {
  for (const DeliveryChannel& channel : deps.channels) {
    if (channel.queue != nullptr && channel.queue->sink().name() == name) return &channel;
  }
  return nullptr;
}

// "<channel>:<seq>", the delivery id (and the list's page token).
bool SplitDeliveryId(std::string_view id, std::string_view* channel, uint64_t* seq) {
  const size_t colon = id.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == id.size()) return false;
  std::string_view digits = id.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *seq);
  if (ec != std::errc() || end != digits.data() + digits.size()) return false;
  *channel = id.substr(0, colon);
  return true;
}

// A delivery as an admin sees it: its CloudEvents type from the stored
// event, which is then left out.
absl::Status FillView(const ApiDependencies& deps, v1::Delivery& delivery) {
  auto stored = deps.store->GetDelivery(delivery.channel(), delivery.seq());
  if (!stored.ok()) return stored.status();
  if (stored->has_value() && (*stored)->has_event()) {
    delivery.set_type(CloudEventType((*stored)->event()));
  }
  delivery.clear_event();
  return absl::OkStatus();
}

}  // namespace

HandlerResult GetDeliveries(const ApiDependencies& deps, Call& call) {
  std::vector<FieldError> errors;
  v1::DeliveryState::Code state = v1::DeliveryState::DELIVERY_STATE_UNSPECIFIED;
  if (auto text = QueryParam(call.query, "state")) {
    if (!v1::DeliveryState::Code_Parse(*text, &state) ||
        state == v1::DeliveryState::DELIVERY_STATE_UNSPECIFIED) {
      errors.push_back({"state", "must be QUEUED, RETRYING, DELIVERED or DEAD", 0});
    }
  }
  std::vector<const DeliveryChannel*> channels;
  auto channel_name = QueryParam(call.query, "channel");
  if (channel_name && !channel_name->empty()) {
    if (const DeliveryChannel* found = FindChannel(deps, *channel_name)) {
      channels.push_back(found);
    } else {
      errors.push_back({"channel", "no delivery channel has this name", 0});
    }
  } else {
    for (const DeliveryChannel& channel : deps.channels) channels.push_back(&channel);
  }
  auto limit = ReadLimit(call.query, errors);
  // The token is the id of the last delivery of the page before: its
  // channel, and the seq in it to go on after.
  size_t first = 0;
  std::string after;
  if (auto token = QueryParam(call.query, "page_token"); token && !token->empty()) {
    std::string_view token_channel;
    uint64_t seq = 0;
    bool known = SplitDeliveryId(*token, &token_channel, &seq);
    if (known) {
      known = false;
      for (size_t i = 0; i < channels.size(); ++i) {
        if (channels[i]->queue->sink().name() == token_channel) {
          first = i;
          after = std::to_string(seq);
          known = true;
        }
      }
    }
    if (!known) errors.push_back({"page_token", "is not a token this server gave", 0});
  }
  if (!errors.empty()) co_return InvalidRequest(call.version(), errors);

  std::vector<v1::Delivery> found;
  for (size_t i = first; i < channels.size() && found.size() <= *limit; ++i) {
    auto page = channels[i]->queue->List(state, i == first ? after : std::string(),
                                         *limit + 1 - found.size());
    if (!page.ok()) co_return FromStatus(call, page.status());
    for (auto& d : *page->mutable_deliveries()) found.push_back(std::move(d));
  }
  v1::DeliveryList list;
  for (size_t i = 0; i < found.size() && i < *limit; ++i) {
    if (auto s = FillView(deps, found[i]); !s.ok()) co_return FromStatus(call, s);
    *list.add_deliveries() = std::move(found[i]);
  }
  if (found.size() > *limit) {
    list.set_next_page_token(list.deliveries(list.deliveries_size() - 1).id());
  }
  co_return JsonAnswer(call, http::status::ok, list, /*list=*/true);
}

HandlerResult PostDeliveryReplay(const ApiDependencies& deps, Call& call) {
  const std::string& id = call.params.at(0);
  std::string_view channel_name;
  uint64_t seq = 0;
  const DeliveryChannel* channel = nullptr;
  if (SplitDeliveryId(id, &channel_name, &seq)) channel = FindChannel(deps, channel_name);
  if (channel == nullptr) {
    co_return MakeProblem(call.version(), http::status::not_found, "not-found", "Not found",
                          "no delivery has this id; ids are <channel>:<seq>");
  }
  absl::Status replayed = channel->queue->Replay(seq);
  if (replayed.code() == absl::StatusCode::kNotFound) {
    co_return MakeProblem(call.version(), http::status::not_found, "not-found", "Not found",
                          "no delivery has this id");
  }
  if (replayed.code() == absl::StatusCode::kFailedPrecondition) {
    co_return MakeProblem(call.version(), http::status::conflict, "delivery-not-dead",
                          "Only a dead delivery can be replayed", std::string(replayed.message()));
  }
  if (!replayed.ok()) co_return FromStatus(call, replayed);
  auto stored = deps.store->GetDelivery(channel_name, seq);
  if (!stored.ok()) co_return FromStatus(call, stored.status());
  v1::Delivery view = stored->value_or(v1::Delivery());
  if (view.has_event()) view.set_type(CloudEventType(view.event()));
  view.clear_event();
  co_return JsonAnswer(call, http::status::ok, view);
}

HandlerResult GetSubscriptions(const ApiDependencies& deps, Call& call) {
  v1::SubscriptionList list;
  for (const DeliveryChannel& channel : deps.channels) {
    if (channel.queue == nullptr) continue;
    // Email has no subscription in the config: its row has its name and
    // figures only.
    v1::Subscription s = channel.subscription.value_or(v1::Subscription());
    if (s.name().empty()) s.set_name(std::string(channel.queue->sink().name()));
    DeliveryQueue::Figures f = channel.queue->figures();
    s.set_disabled(f.disabled);
    s.set_disabled_reason(f.disabled_reason);
    if (f.disabled_at) *s.mutable_disabled_at() = ToProto(*f.disabled_at);
    s.set_delivered(f.delivered);
    s.set_retrying(f.retrying);
    s.set_dead(f.dead);
    s.set_queued(f.queued);
    s.set_latency_p50_ms(f.latency_p50_ms);
    s.set_latency_p99_ms(f.latency_p99_ms);
    *list.add_subscriptions() = std::move(s);
  }
  co_return JsonAnswer(call, http::status::ok, list, /*list=*/true);
}

}  // namespace frontdoor
