// The durable queue in front of a channel (engine/deliveries.h): its Sink
// stores each wanted outbox entry as a QUEUED Delivery; its thread looks at
// the head of the pending index (oldest first), takes each contact's
// earliest pending delivery when it is due, sends it, and stores what came
// of it: DELIVERED, RETRYING with a jittered exponential backoff on the
// business clock, or DEAD (refused, gone, or retried for long enough). One
// mutex serialises this channel's writes, so the counts by state kept in
// memory and in the store agree.
#include "engine/deliveries.h"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <deque>
#include <random>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/thread_annotations.h"
#include "spdlog/spdlog.h"

namespace frontdoor {

namespace {

// How many latencies the figures' percentiles are taken over.
constexpr size_t kLatencySamples = 1024;
// The longest the thread sleeps without being woken: a safety net only.
constexpr Millis kLongestWait{60'000};
// Failed attempts in a row (to any deliveries) after which a channel is
// taken to be down.
constexpr int kDownAfter = 3;

bool Pending(v1::DeliveryState::Code state) {
  return state == v1::DeliveryState::QUEUED || state == v1::DeliveryState::RETRYING;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace

class DeliveryQueue::Impl final : public Sink {
 public:
  Impl(Store& store, Channel& channel, const Clock& clock, MetricsRegistry* metrics,
       DeliveryOptions options)
      : store_(store),
        channel_(channel),
        clock_(clock),
        options_(options),
        name_(channel.name()),
        rng_(std::random_device{}()) {
    if (metrics == nullptr) return;
    const std::string label = "channel=\"" + name_ + "\"";
    auto outcome = [&](const char* what) {
      return &metrics->GetCounter("frontdoor_deliveries_total",
                                  "Delivery attempts to receivers, by outcome",
                                  label + ",outcome=\"" + what + "\"");
    };
    delivered_ = outcome("delivered");
    retried_ = outcome("retry");
    refused_ = outcome("refused");
    gone_ = outcome("gone");
    expired_ = outcome("dead");
    pruned_ = &metrics->GetCounter("frontdoor_retention_removed_total",
                                   "Records and files removed by the retention rules",
                                   "what=\"deliveries\"");
    latency_ =
        &metrics->GetHistogram("frontdoor_delivery_latency_seconds",
                               "Time a receiver took to take a delivery", LatencyBuckets(), label);
    auto gauge = [&](const char* name, const char* help, v1::DeliveryState::Code state) {
      metrics->AddGauge(
          name, help,
          [this, state] {
            absl::MutexLock lock(&mu_);
            return static_cast<double>(counts_[state]);
          },
          label);
    };
    gauge("frontdoor_deliveries_queued", "Deliveries waiting for their first attempt",
          v1::DeliveryState::QUEUED);
    gauge("frontdoor_deliveries_retrying", "Deliveries waiting to be tried again",
          v1::DeliveryState::RETRYING);
    gauge("frontdoor_deliveries_dead", "Dead letters waiting for an admin",
          v1::DeliveryState::DEAD);
  }

  ~Impl() override { Stop(); }

  // ---- Sink (the Outbox's thread)
  std::string_view name() const override { return name_; }
  absl::Status Open() override {
    absl::MutexLock lock(&mu_);
    return LoadLocked();
  }
  bool Wants(const v1::Event& event) const override { return channel_.Wants(event); }
  absl::Status Deliver(absl::Span<const v1::OutboxEntry> entries) override {
    {
      absl::MutexLock lock(&mu_);
      if (auto s = LoadLocked(); !s.ok()) return s;
      Store::DeliveryWrite write;
      Store::DeliveryCounts counts = counts_;
      const TimePoint now = clock_.Now();
      for (const v1::OutboxEntry& entry : entries) {
        // Offered again after a crash or a failed page: it is stored already
        // and may have gone out; storing it afresh would send it twice.
        auto stored = store_.GetDelivery(name_, entry.seq());
        if (!stored.ok()) return stored.status();
        if (stored->has_value()) continue;
        v1::Delivery d;
        d.set_id(name_ + ":" + std::to_string(entry.seq()));
        d.set_channel(name_);
        d.set_seq(entry.seq());
        d.set_contact_id(entry.event().contact_id());
        d.set_event_id(entry.event().id());
        d.set_state(v1::DeliveryState::QUEUED);
        *d.mutable_queued_at() = ToProto(now);
        *d.mutable_next_attempt_at() = ToProto(now);
        *d.mutable_event() = entry.event();
        write.changes.emplace_back(std::move(d), v1::DeliveryState::DELIVERY_STATE_UNSPECIFIED);
        ++counts[v1::DeliveryState::QUEUED];
      }
      if (write.changes.empty()) return absl::OkStatus();
      write.counts = &counts;
      if (auto s = store_.WriteDeliveries(name_, write); !s.ok()) return s;
      counts_ = counts;
    }
    Wake();
    return absl::OkStatus();
  }

  // ---- The queue
  absl::Status Start() {
    {
      absl::MutexLock lock(&mu_);
      if (auto s = LoadLocked(); !s.ok()) return s;
    }
    if (auto s = channel_.Open(); !s.ok()) return s;
    {
      absl::MutexLock lock(&wake_mu_);
      stopping_ = false;
      woken_ = true;
    }
    thread_ = std::thread([this] {
      const std::string thread_name = "fd-q-" + name_.substr(0, 10);
      pthread_setname_np(pthread_self(), thread_name.c_str());
      Run();
    });
    return absl::OkStatus();
  }

  void Stop() {
    {
      absl::MutexLock lock(&wake_mu_);
      stopping_ = true;
    }
    wake_cv_.SignalAll();
    if (thread_.joinable()) thread_.join();
  }

  void Wake() {
    {
      absl::MutexLock lock(&wake_mu_);
      woken_ = true;
    }
    wake_cv_.Signal();
  }

  absl::StatusOr<size_t> SendDue() {
    std::optional<TimePoint> next;
    return Round(&next);
  }

  absl::StatusOr<v1::DeliveryList> List(v1::DeliveryState::Code state, std::string_view page_token,
                                        size_t limit) const {
    uint64_t after = 0;
    if (!page_token.empty()) {
      auto [end, ec] =
          std::from_chars(page_token.data(), page_token.data() + page_token.size(), after);
      if (ec != std::errc() || end != page_token.data() + page_token.size()) {
        return absl::InvalidArgumentError("page_token is not one this server gave");
      }
    }
    limit = std::max<size_t>(limit, 1);
    auto found = store_.Deliveries(name_, state, after, limit + 1);
    if (!found.ok()) return found.status();
    v1::DeliveryList list;
    for (size_t i = 0; i < found->size() && i < limit; ++i) {
      v1::Delivery& d = (*found)[i];
      d.clear_event();
      *list.add_deliveries() = std::move(d);
    }
    if (found->size() > limit) {
      list.set_next_page_token(std::to_string(list.deliveries(list.deliveries_size() - 1).seq()));
    }
    return list;
  }

  absl::Status Replay(uint64_t seq) {
    {
      absl::MutexLock lock(&mu_);
      if (auto s = LoadLocked(); !s.ok()) return s;
      auto stored = store_.GetDelivery(name_, seq);
      if (!stored.ok()) return stored.status();
      if (!stored->has_value()) {
        return absl::NotFoundError("no delivery " + name_ + ":" + std::to_string(seq));
      }
      v1::Delivery d = **std::move(stored);
      if (d.state() != v1::DeliveryState::DEAD) {
        return absl::FailedPreconditionError("delivery " + d.id() + " is not dead, it is " +
                                             v1::DeliveryState::Code_Name(d.state()));
      }
      const TimePoint now = clock_.Now();
      d.set_state(v1::DeliveryState::QUEUED);
      d.set_attempts(0);
      *d.mutable_queued_at() = ToProto(now);
      *d.mutable_next_attempt_at() = ToProto(now);
      d.clear_finished_at();
      Store::DeliveryCounts counts = counts_;
      --counts[v1::DeliveryState::DEAD];
      ++counts[v1::DeliveryState::QUEUED];
      Store::DeliveryWrite write;
      write.changes.emplace_back(std::move(d), v1::DeliveryState::DEAD);
      write.counts = &counts;
      write.clear_mark = mark_.has_value();
      if (auto s = store_.WriteDeliveries(name_, write); !s.ok()) return s;
      counts_ = counts;
      if (mark_) spdlog::info("deliveries to {} enabled again by a replay", name_);
      mark_.reset();
    }
    Wake();
    return absl::OkStatus();
  }

  Figures GetFigures() {
    absl::MutexLock lock(&mu_);
    Figures f;
    if (auto s = LoadLocked(); !s.ok()) return f;
    f.queued = counts_[v1::DeliveryState::QUEUED];
    f.retrying = counts_[v1::DeliveryState::RETRYING];
    f.delivered = counts_[v1::DeliveryState::DELIVERED];
    f.dead = counts_[v1::DeliveryState::DEAD];
    std::vector<double> samples(latencies_.begin(), latencies_.end());
    f.latency_p50_ms = Percentile(samples, 0.5);
    f.latency_p99_ms = Percentile(samples, 0.99);
    if (mark_) {
      f.disabled = true;
      f.disabled_reason = mark_->disabled_reason();
      if (mark_->has_disabled_at()) f.disabled_at = FromProto(mark_->disabled_at());
    }
    return f;
  }

 private:
  // Reads the counts and the disabled mark once.
  absl::Status LoadLocked() EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (loaded_) return absl::OkStatus();
    auto counts = store_.GetDeliveryCounts(name_);
    if (!counts.ok()) return counts.status();
    auto mark = store_.GetChannelMark(name_);
    if (!mark.ok()) return mark.status();
    counts_ = *counts;
    mark_ = *std::move(mark);
    loaded_ = true;
    if (mark_) spdlog::warn("deliveries to {} are disabled: {}", name_, mark_->disabled_reason());
    return absl::OkStatus();
  }

  bool Stopping() {
    absl::MutexLock lock(&wake_mu_);
    return stopping_;
  }

  bool Disabled() {
    absl::MutexLock lock(&mu_);
    return mark_.has_value();
  }

  // The wait before the retry after the `attempts`th failure.
  Millis Backoff(uint32_t attempts) {
    double wait = static_cast<double>(options_.first_retry.count());
    const double cap = static_cast<double>(options_.max_retry.count());
    for (uint32_t i = 1; i < attempts && wait < cap; ++i) wait *= 2;
    wait = std::min(wait, cap);
    std::uniform_real_distribution<double> spread(-options_.jitter, options_.jitter);
    wait *= 1 + spread(rng_);
    return Millis(std::max<int64_t>(1, static_cast<int64_t>(wait)));
  }

  // One round: the due heads of the pending index, each sent once. `next`:
  // when the earliest head that was not due falls due.
  //
  // A receiver that is down is not hammered with every waiting delivery:
  // after kDownAfter failures in a row the channel is down, and each round
  // sends only its oldest due delivery, as a probe, when that probe's own
  // backoff has passed. When a probe gets through, every waiting delivery
  // is due at once (a catch-up), so recovery does not wait for each one's
  // backoff.
  // Deletes the DELIVERED deliveries that finished keep_delivered ago, in
  // seq order, stopping at the first that is younger (so one finished late
  // after a long retry keeps those after it a little longer, never
  // shorter), at most once per prune_every. A delivered delivery never
  // changes again, so reading them outside mu_ is safe.
  absl::Status PruneDelivered() {
    if (options_.keep_delivered <= Millis(0)) return absl::OkStatus();
    const TimePoint now = clock_.Now();
    if (now < next_prune_at_) return absl::OkStatus();
    // Also after a failure: looked at again next time, not every round.
    next_prune_at_ = now + options_.prune_every;
    const TimePoint cutoff = now - options_.keep_delivered;
    constexpr size_t kPage = 512;
    uint64_t after = 0;
    for (;;) {
      auto page = store_.Deliveries(name_, v1::DeliveryState::DELIVERED, after, kPage);
      if (!page.ok()) return page.status();
      Store::DeliveryWrite write;
      bool young = false;
      for (v1::Delivery& d : *page) {
        if (!d.has_finished_at() || FromProto(d.finished_at()) > cutoff) {
          young = true;
          break;
        }
        write.removed.push_back(std::move(d));
      }
      if (!write.removed.empty()) {
        absl::MutexLock lock(&mu_);
        Store::DeliveryCounts counts = counts_;
        uint64_t& delivered = counts[v1::DeliveryState::DELIVERED];
        delivered -= std::min<uint64_t>(delivered, write.removed.size());
        write.counts = &counts;
        if (auto s = store_.WriteDeliveries(name_, write); !s.ok()) return s;
        counts_ = counts;
        if (pruned_) pruned_->Increment(write.removed.size());
        after = write.removed.back().seq();
      }
      if (young || page->size() < kPage) break;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<size_t> Round(std::optional<TimePoint>* next) {
    {
      absl::MutexLock lock(&mu_);
      if (auto s = LoadLocked(); !s.ok()) return s;
    }
    if (auto s = PruneDelivered(); !s.ok()) {
      spdlog::error("deliveries to {}: deleting delivered ones: {}", name_, s.ToString());
    }
    {
      absl::MutexLock lock(&mu_);
      if (mark_) return 0;
    }
    const TimePoint now = clock_.Now();
    if (paused_until_ && now < *paused_until_) {
      *next = *paused_until_;
      return 0;
    }
    paused_until_.reset();
    const bool catch_up = catch_up_;
    std::vector<uint64_t> due;
    std::unordered_set<std::string> seen;
    uint64_t after = 0;
    for (;;) {
      auto page = store_.PendingDeliveries(name_, after, 4096);
      if (!page.ok()) return page.status();
      for (const Store::PendingDelivery& p : *page) {
        // Only a contact's earliest pending delivery may go.
        if (!seen.insert(p.contact_id).second) continue;
        if (p.next_attempt_at <= now || catch_up) {
          due.push_back(p.seq);
        } else if (!*next || p.next_attempt_at < **next) {
          *next = p.next_attempt_at;
        }
        if (due.size() >= options_.window) break;
      }
      if (page->size() < 4096 || due.size() >= options_.window) break;
      after = page->back().seq;
    }
    // A catch-up cut short by the window goes on in the next round.
    if (catch_up && due.size() < options_.window) catch_up_ = false;
    size_t attempts = 0;
    for (uint64_t seq : due) {
      if (Stopping() || Disabled()) break;
      if (failures_in_a_row_ >= kDownAfter && attempts > 0) break;
      auto stored = store_.GetDelivery(name_, seq);
      if (!stored.ok()) return stored.status();
      if (!stored->has_value() || !Pending((*stored)->state())) continue;
      v1::Delivery d = **std::move(stored);
      const auto started = std::chrono::steady_clock::now();
      SendResult result = channel_.Send(d);
      const auto took =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
      ++attempts;
      auto settled = Settle(std::move(d), result, took);
      if (!settled.ok()) return settled.status();
      if (result.kind == SendResult::Kind::kRetry) {
        if (++failures_in_a_row_ == kDownAfter) {
          spdlog::warn("{} looks down ({} failures in a row): probing with one delivery at a time",
                       name_, kDownAfter);
        }
        if (failures_in_a_row_ >= kDownAfter && settled->has_next_attempt_at()) {
          paused_until_ = FromProto(settled->next_attempt_at());
        }
      } else {
        if (failures_in_a_row_ >= kDownAfter) {
          spdlog::info("{} answers again: catching up", name_);
          catch_up_ = true;
        }
        failures_in_a_row_ = 0;
      }
      channel_.Settled(*settled);
    }
    if (paused_until_ && (!*next || *paused_until_ < **next)) *next = *paused_until_;
    return attempts;
  }

  // Stores what the attempt came to.
  absl::StatusOr<v1::Delivery> Settle(v1::Delivery d, const SendResult& result, double took_ms) {
    absl::MutexLock lock(&mu_);
    const TimePoint now = clock_.Now();
    const v1::DeliveryState::Code was = d.state();
    d.set_attempts(d.attempts() + 1);
    d.set_last_error(result.error);
    if (!result.reference.empty()) d.set_reference(result.reference);
    std::optional<v1::Subscription> mark;
    auto die = [&](Counter* counter) {
      d.set_state(v1::DeliveryState::DEAD);
      d.clear_next_attempt_at();
      *d.mutable_finished_at() = ToProto(now);
      if (counter) counter->Increment();
    };
    switch (result.kind) {
      case SendResult::Kind::kDelivered:
        d.set_state(v1::DeliveryState::DELIVERED);
        d.clear_next_attempt_at();
        *d.mutable_finished_at() = ToProto(now);
        d.set_latency_ms(static_cast<uint32_t>(std::lround(took_ms)));
        d.clear_last_error();
        if (delivered_) delivered_->Increment();
        if (latency_) latency_->Observe(took_ms / 1000.0);
        latencies_.push_back(took_ms);
        if (latencies_.size() > kLatencySamples) latencies_.pop_front();
        break;
      case SendResult::Kind::kRetry:
        if (now - FromProto(d.queued_at()) >= options_.retry_for) {
          die(expired_);
          spdlog::warn("delivery {} is dead after {} attempts: {}", d.id(), d.attempts(),
                       result.error);
        } else {
          d.set_state(v1::DeliveryState::RETRYING);
          *d.mutable_next_attempt_at() = ToProto(now + Backoff(d.attempts()));
          if (retried_) retried_->Increment();
        }
        break;
      case SendResult::Kind::kNotYet:
        if (now - FromProto(d.queued_at()) >= options_.retry_for) {
          d.set_state(v1::DeliveryState::DELIVERED);
          d.clear_next_attempt_at();
          *d.mutable_finished_at() = ToProto(now);
          d.set_last_error("gave up asking: " + result.error);
          if (delivered_) delivered_->Increment();
        } else {
          d.set_state(v1::DeliveryState::RETRYING);
          *d.mutable_next_attempt_at() = ToProto(now + Backoff(d.attempts()));
        }
        break;
      case SendResult::Kind::kRefused:
        die(refused_);
        spdlog::warn("delivery {} was refused and is dead: {}", d.id(), result.error);
        break;
      case SendResult::Kind::kGone:
        die(gone_);
        mark.emplace();
        mark->set_name(name_);
        mark->set_disabled(true);
        mark->set_disabled_reason(result.error.empty() ? "410 Gone" : result.error);
        *mark->mutable_disabled_at() = ToProto(now);
        spdlog::warn("{} answered gone: its deliveries are disabled until a replay", name_);
        break;
    }
    Store::DeliveryCounts counts = counts_;
    --counts[was];
    ++counts[d.state()];
    Store::DeliveryWrite write;
    write.changes.emplace_back(d, was);
    write.counts = &counts;
    write.mark = mark;
    if (auto s = store_.WriteDeliveries(name_, write); !s.ok()) return s;
    counts_ = counts;
    if (mark) mark_ = std::move(mark);
    return d;
  }

  void Run() {
    Millis failure_wait{100};
    for (;;) {
      {
        absl::MutexLock lock(&wake_mu_);
        if (stopping_) return;
        woken_ = false;
      }
      std::optional<TimePoint> next;
      auto sent = Round(&next);
      Millis wait = kLongestWait;
      if (!sent.ok()) {
        spdlog::error("deliveries to {}: {}; trying again in {} ms", name_,
                      sent.status().ToString(), failure_wait.count());
        wait = failure_wait;
        failure_wait = std::min(failure_wait * 2, Millis(30'000));
      } else {
        failure_wait = Millis(100);
        if (*sent > 0) continue;
        // A manual clock moves only when told, and Wake says so; the system
        // clock is waited for.
        if (next && !clock_.IsManual()) {
          wait = std::clamp(std::chrono::duration_cast<Millis>(*next - clock_.Now()), Millis(1),
                            kLongestWait);
        }
      }
      absl::MutexLock lock(&wake_mu_);
      const absl::Time until = absl::Now() + absl::Milliseconds(wait.count());
      while (!woken_ && !stopping_) {
        if (wake_cv_.WaitWithDeadline(&wake_mu_, until)) break;
      }
    }
  }

  Store& store_;
  Channel& channel_;
  const Clock& clock_;
  const DeliveryOptions options_;
  const std::string name_;

  Counter* delivered_ = nullptr;
  Counter* retried_ = nullptr;
  Counter* refused_ = nullptr;
  Counter* gone_ = nullptr;
  Counter* expired_ = nullptr;
  Counter* pruned_ = nullptr;
  Histogram* latency_ = nullptr;

  // This channel's writes to the store, and what is kept of them.
  absl::Mutex mu_;
  bool loaded_ GUARDED_BY(mu_) = false;
  Store::DeliveryCounts counts_ GUARDED_BY(mu_){};
  std::optional<v1::Subscription> mark_ GUARDED_BY(mu_);
  std::deque<double> latencies_ GUARDED_BY(mu_);

  absl::Mutex wake_mu_;
  absl::CondVar wake_cv_;
  bool woken_ GUARDED_BY(wake_mu_) = false;
  bool stopping_ GUARDED_BY(wake_mu_) = false;

  // The sending thread's own (or the test's, driving SendDue).
  std::mt19937_64 rng_;
  int failures_in_a_row_ = 0;
  std::optional<TimePoint> paused_until_;
  bool catch_up_ = false;
  // PruneDelivered looks again at or after this (business clock).
  TimePoint next_prune_at_{};
  std::thread thread_;
};

DeliveryQueue::DeliveryQueue(Store& store, Channel& channel, const Clock& clock,
                             MetricsRegistry* metrics, DeliveryOptions options)
    : impl_(std::make_unique<Impl>(store, channel, clock, metrics, options)) {}

DeliveryQueue::~DeliveryQueue() = default;

Sink& DeliveryQueue::sink() { return *impl_; }
absl::Status DeliveryQueue::Start() { return impl_->Start(); }
void DeliveryQueue::Stop() { impl_->Stop(); }
void DeliveryQueue::Wake() { impl_->Wake(); }
absl::StatusOr<size_t> DeliveryQueue::SendDue() { return impl_->SendDue(); }

absl::StatusOr<v1::DeliveryList> DeliveryQueue::List(v1::DeliveryState::Code state,
                                                     std::string_view page_token,
                                                     size_t limit) const {
  return impl_->List(state, page_token, limit);
}

absl::Status DeliveryQueue::Replay(uint64_t seq) { return impl_->Replay(seq); }

DeliveryQueue::Figures DeliveryQueue::figures() const { return impl_->GetFigures(); }

}  // namespace frontdoor
