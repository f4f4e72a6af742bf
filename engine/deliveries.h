// Deliveries to receivers that answer for each event: the durable queue in
// front of every webhook subscription and of email. The queue's Sink takes
// the events its Channel wants from the outbox (engine/outbox.h) and stores
// each as a Delivery in the store's `deliveries` family, so the outbox
// cursor moves on at once; then the queue's own thread sends them one at a
// time, oldest first, and never a contact's event before that contact's
// earlier ones. A failed attempt is retried with exponential backoff and
// jitter for as long as the options say (24 hours and more); after that,
// or on a refusal for good, the delivery is a dead letter that an admin can
// replay. A receiver that answers "gone" disables its channel. A slow or
// dead receiver holds up only its own queue.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/clock.h"
#include "engine/metrics.h"
#include "engine/sink.h"
#include "engine/store.h"
#include "frontdoor/v1/delivery.pb.h"

namespace frontdoor {

// What one attempt came to.
struct SendResult {
  enum class Kind {
    kDelivered,  // the receiver has it
    kRetry,      // timeout, 5xx, connection error: try again later
    kRefused,    // refused for good (a 4xx other than 410, a bad address): dead now
    kGone,       // 410 Gone: dead, and the channel is disabled
    // The receiver answered, but the thing asked about is not settled yet
    // (Notify: a letter still "sending"): asked again after the backoff,
    // never counted as the receiver failing; once retry_for has passed the
    // delivery is DELIVERED (nothing more to ask), `error` kept.
    kNotYet,
  };
  Kind kind = Kind::kDelivered;
  // What went wrong, for the dead-letter list and the log: a status code
  // or a transport error, never the receiver's body or personal data.
  std::string error;
  // What the receiver called it (Notify's notification id, an SMTP reply).
  std::string reference;
};

// A receiver: a webhook subscription, an email sender. Send runs on the
// queue's own thread only, and bounds its own time (a timeout per attempt).
class Channel {
 public:
  virtual ~Channel() = default;
  // Stable and unique among channels: "email", or the subscription's name.
  // Keys the outbox cursor ("cursor/<name>"), the deliveries and metrics.
  virtual std::string_view name() const = 0;
  // Whether this channel takes `event` (its types, its organisation).
  virtual bool Wants(const v1::Event& event) const = 0;
  // Called once before the first Send. Errors stop the server starting.
  virtual absl::Status Open() { return absl::OkStatus(); }
  virtual SendResult Send(const v1::Delivery& delivery) = 0;
  // After each attempt's outcome is stored: the delivery as it now stands
  // (email keeps each letter's state from it).
  virtual void Settled(const v1::Delivery& delivery) { (void)delivery; }
};

struct DeliveryOptions {
  // The wait before the first retry, doubled after each further failure
  // up to max_retry, each wait jittered by up to ±jitter of itself.
  Millis first_retry{5'000};
  Millis max_retry{2 * 3'600'000};
  double jitter = 0.25;
  // A delivery that has failed for this long since it was queued dies at
  // its next failure. Default: 25 hours (at least 24, as promised).
  Millis retry_for{25 * 3'600'000};
  // Deliveries looked at per round (the head of the queue).
  size_t window = 512;
  // A DELIVERED delivery is deleted from the store this long after it
  // finished (business clock), oldest first; zero: kept forever. QUEUED,
  // RETRYING and DEAD ones are never deleted (a dead letter waits for an
  // admin). Default: 30 days (config delivered_retention_days).
  Millis keep_delivered{Millis(30LL * 24 * 3'600'000)};
  // How often the queue looks for delivered ones to delete. Default: 1 hour.
  Millis prune_every{3'600'000};
};

class DeliveryQueue {
 public:
  // `clock` times retries and dead letters (the business clock: manual in
  // tests, moved with POST /v1/admin/clock). All references outlive the
  // queue; `metrics` may be null.
  DeliveryQueue(Store& store, Channel& channel, const Clock& clock, MetricsRegistry* metrics,
                DeliveryOptions options = {});
  ~DeliveryQueue();
  DeliveryQueue(const DeliveryQueue&) = delete;
  DeliveryQueue& operator=(const DeliveryQueue&) = delete;

  // The outbox sink that stores the channel's deliveries: give it to an
  // Outbox (with the server's shared OutboxCursors).
  Sink& sink();

  // Opens the channel and starts the sending thread.
  absl::Status Start();
  // Finishes the attempt in hand and stops. Idempotent.
  void Stop();
  // Something may have become due (a commit, the clock moved): look again.
  void Wake();

  // One round on the caller's thread, for tests: deletes the delivered
  // deliveries past keep_delivered (when prune_every has passed since it
  // last looked), then sends what is due; returns how many attempts were
  // made. Not while the thread runs.
  absl::StatusOr<size_t> SendDue();

  // Deliveries of this channel in `state` (all states when unspecified),
  // oldest first, after `page_token`.
  absl::StatusOr<v1::DeliveryList> List(v1::DeliveryState::Code state,
                                        std::string_view page_token, size_t limit) const;
  // Sends a dead delivery again from its first attempt, and enables the
  // channel again if a 410 had disabled it. NotFound; FailedPrecondition
  // when it is not dead.
  absl::Status Replay(uint64_t seq);

  // The channel's figures and state, for GET /v1/admin/subscriptions.
  struct Figures {
    uint64_t queued = 0, retrying = 0, delivered = 0, dead = 0;
    double latency_p50_ms = 0, latency_p99_ms = 0;
    bool disabled = false;
    std::string disabled_reason;
    std::optional<TimePoint> disabled_at;
  };
  Figures figures() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frontdoor
