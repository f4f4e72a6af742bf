// The dispatcher's delivery loop: read a page after the cursor, hand it to
// the sink, move the cursor on, or back off and try the same page again.
#include "engine/outbox.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <string>

#include "spdlog/spdlog.h"

namespace frontdoor {

uint64_t OutboxCursors::Update(const std::string& sink, uint64_t cursor) {
  absl::MutexLock lock(&mu_);
  cursors_[sink] = cursor;
  uint64_t slowest = cursor;
  for (const auto& [name, at] : cursors_) slowest = std::min(slowest, at);
  return slowest;
}

Outbox::Outbox(Store& store, Sink& sink, const Clock& retry_clock, MetricsRegistry* metrics,
               OutboxOptions options)
    : store_(store),
      sink_(sink),
      retry_clock_(retry_clock),
      options_(options),
      backoff_(options.first_backoff) {
  if (metrics != nullptr) {
    const std::string label = "sink=\"" + std::string(sink_.name()) + "\"";
    delivered_ =
        &metrics->GetCounter("frontdoor_outbox_delivered_total", "Emitted events delivered", label);
    failures_ =
        &metrics->GetCounter("frontdoor_outbox_failures_total", "Failed delivery attempts", label);
    // Labelled like the counters: with several sinks, one unlabelled gauge
    // would be each Outbox's in turn.
    metrics->AddGauge(
        "frontdoor_outbox_backlog", "Emitted events not yet delivered",
        [this] {
          absl::MutexLock lock(&mu_);
          return static_cast<double>(committed_ - std::min(committed_, watch_.delivered()));
        },
        label);
    // Whether the sink is failing now, and when it last failed (Unix
    // seconds on the retry clock; 0: not since the start).
    metrics->AddGauge(
        "frontdoor_sink_failing", "1 while the sink's last delivery attempt failed",
        [this] { return watch_.health().failing ? 1.0 : 0.0; }, label);
    metrics->AddGauge(
        "frontdoor_sink_last_failure_timestamp_seconds",
        "When the sink last failed to take a delivery (Unix time; 0: not since the start)",
        [this] {
          auto at = watch_.health().last_failure_at;
          return at ? static_cast<double>(at->time_since_epoch().count()) / 1000.0 : 0.0;
        },
        label);
  }
}

Outbox::~Outbox() { Stop(); }

absl::Status Outbox::Open() {
  // A sink that cannot get ready (a spool folder that cannot be created)
  // does not stop the start: contacts are taken in, and the sink is tried
  // again like a failed delivery.
  if (auto s = sink_.Open(); s.ok()) {
    sink_open_ = true;
  } else {
    Failed(s);
  }
  auto cursor = store_.GetCursor(sink_.name());
  if (!cursor.ok()) return cursor.status();
  cursor_ = *cursor;
  if (options_.cursors) options_.cursors->Update(std::string(sink_.name()), cursor_);
  auto committed = store_.GetCounter(kOutboxCounter);
  if (!committed.ok()) return committed.status();
  {
    absl::MutexLock lock(&mu_);
    committed_ = std::max(committed_, *committed);
  }
  watch_.Delivered(cursor_);
  return absl::OkStatus();
}

absl::Status Outbox::Start() {
  if (auto s = Open(); !s.ok()) return s;
  thread_ = std::thread([this] {
    const std::string name = "fd-" + std::string(sink_.name()).substr(0, 12);
    pthread_setname_np(pthread_self(), name.c_str());
    // Delivery is asynchronous to the acknowledgement: in a burst it yields
    // the CPU to taking contacts in, and catches up afterwards.
    sched_param idle{};
    ::sched_setscheduler(0, SCHED_IDLE, &idle);
    Run();
  });
  return absl::OkStatus();
}

void Outbox::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void Outbox::Notify(uint64_t seq) {
  {
    absl::MutexLock lock(&mu_);
    committed_ = std::max(committed_, seq);
  }
  cv_.Signal();
}

void Outbox::Run() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      for (;;) {
        // What is left stays in the outbox and goes out after the next start.
        if (stopping_) return;
        if (committed_ <= cursor_ && sink_open_) {
          cv_.Wait(&mu_);
          continue;
        }
        if (!retry_at_) break;
        const Millis wait = *retry_at_ - retry_clock_.Now();
        if (wait <= Millis(0)) break;
        cv_.WaitWithTimeout(&mu_, absl::Milliseconds(wait.count()));
      }
    }
    DeliverOnce();
  }
}

Outbox::Step Outbox::DeliverOnce() {
  if (retry_at_ && retry_clock_.Now() < *retry_at_) return Step::kBackingOff;
  auto delivered = DeliverPage();
  if (delivered.ok()) {
    backoff_ = options_.first_backoff;
    retry_at_.reset();
    if (watch_.health().failing) {
      spdlog::info("{} delivers again", sink_.name());
      watch_.Succeeded();
    }
    return *delivered > 0 ? Step::kDelivered : Step::kIdle;
  }
  Failed(delivered.status());
  return Step::kFailed;
}

void Outbox::Failed(const absl::Status& status) {
  if (failures_) failures_->Increment();
  spdlog::error("{} delivery failed, will retry in {} ms: {}", sink_.name(), backoff_.count(),
                status.ToString());
  const TimePoint now = retry_clock_.Now();
  watch_.Failed(std::string(status.message()), now);
  retry_at_ = now + backoff_;
  backoff_ = std::min(backoff_ * 2, options_.max_backoff);
}

absl::StatusOr<size_t> Outbox::DeliverPage() {
  if (!sink_open_) {
    if (auto s = sink_.Open(); !s.ok()) return s;
    sink_open_ = true;
  }
  auto entries = store_.ReadOutbox(cursor_, options_.page_size);
  if (!entries.ok()) return entries.status();
  if (entries->empty()) {
    // Committed entries are always readable; nothing here means the counter
    // ran ahead of a failed batch. Catch up with what is stored.
    absl::MutexLock lock(&mu_);
    committed_ = cursor_;
    return 0;
  }
  const size_t page = entries->size();
  const uint64_t last = entries->back().seq();
  // An entry that cannot be read would stop delivery for good: it is set
  // aside (logged and counted), and the cursor passes it.
  // Entries the sink does not want are passed over the same way, silently.
  std::erase_if(*entries, [this](const v1::OutboxEntry& entry) {
    if (entry.has_event()) return !sink_.Wants(entry.event());
    spdlog::error("outbox entry {} cannot be read and is set aside", entry.seq());
    if (failures_) failures_->Increment();
    return true;
  });
  if (!entries->empty()) {
    if (auto s = sink_.Deliver(*entries); !s.ok()) return s;
  }
  const uint64_t trim =
      options_.cursors ? options_.cursors->Update(std::string(sink_.name()), last) : last;
  if (auto s = store_.SetCursor(sink_.name(), last, trim); !s.ok()) return s;
  cursor_ = last;
  if (delivered_) delivered_->Increment(page);
  watch_.Delivered(last);
  return page;
}

}  // namespace frontdoor
