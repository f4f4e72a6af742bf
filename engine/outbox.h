// The outbox dispatcher (DESIGN.md principle 4). The writer puts letters and
// alerts into the outbox column family in the batch that caused them; the
// dispatcher delivers them afterwards, in order and at least once, through
// a Sink (engine/sink.h). It owns the sink's cursor (kept in the store, so
// that a restart carries on where delivery stopped), the backoff after a
// failed delivery, and the DeliveryWatch that tells waiters how far
// delivery has got. The writer knows nothing of sinks: a new sink is a new
// Sink and one more Outbox in the wiring (adapters/cli/serve.cc).
//
// One Outbox per sink, each with its own cursor and thread, so a slow sink
// holds up nobody else. The store keeps an entry until every sink's cursor
// has passed it: the Outboxes of one server share an OutboxCursors.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "engine/clock.h"
#include "engine/delivery_watch.h"
#include "engine/metrics.h"
#include "engine/sink.h"
#include "engine/store.h"
#include "frontdoor/thread_annotations.h"

namespace frontdoor {

// The store counter the writer numbers outbox entries with: the outbox is
// committed up to its value.
inline constexpr char kOutboxCounter[] = "outbox";

// The cursors of every Outbox of one store: entries may be dropped up to
// the slowest of them. Thread-safe.
class OutboxCursors {
 public:
  // Records `sink`'s cursor; returns how far every registered sink has got.
  uint64_t Update(const std::string& sink, uint64_t cursor);

 private:
  absl::Mutex mu_;
  std::map<std::string, uint64_t> cursors_ GUARDED_BY(mu_);
};

struct OutboxOptions {
  // Entries handed to the sink at once, at most. Default: 1024.
  size_t page_size = 1024;
  // The wait after a failed delivery, doubled after each further failure.
  // Default: 100 ms.
  Millis first_backoff{100};
  // The longest wait between attempts. Default: 30 s.
  Millis max_backoff{30'000};
  // Shared with the other sinks' Outboxes; null: this is the only sink,
  // and entries are dropped as soon as it has them.
  std::shared_ptr<OutboxCursors> cursors;
};

class Outbox {
 public:
  // `retry_clock` times the backoff: the system clock in a server (also
  // one whose business clock is manual, so that a failed delivery is
  // retried while no one moves that clock), a manual clock in tests. All
  // references must outlive the Outbox; `metrics` may be null.
  Outbox(Store& store, Sink& sink, const Clock& retry_clock, MetricsRegistry* metrics,
         OutboxOptions options = {});
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Opens the sink and reads the cursor and how far the outbox is
  // committed. Errors: the store's. A sink that fails to open is counted
  // and reported as failing (watch().health()) and opened again, with the
  // backoff, before its first delivery.
  absl::Status Open();
  // Open, then starts the delivery thread.
  absl::Status Start();
  // Finishes the page in hand and stops; the rest stays in the outbox for
  // the next start. Idempotent.
  void Stop();
  // The outbox is committed up to `seq`: wake up. Any thread.
  void Notify(uint64_t seq);

  enum class Step {
    kIdle,        // nothing waiting
    kDelivered,   // a page went out and the cursor moved on
    kFailed,      // the sink or the store failed; the backoff has started
    kBackingOff,  // a failed page waits for its backoff to pass
  };
  // One delivery attempt on the caller's thread: the delivery thread's
  // step, and a test's way of driving the dispatcher without a thread.
  // Not while the thread runs. Call Open first.
  Step DeliverOnce();

  // How far delivery has got; waiters for a sequence number; whether the
  // sink is failing. Thread-safe.
  DeliveryWatch& watch() { return watch_; }
  // The next attempt after a failure is not before this; nullopt when the
  // last attempt succeeded. Delivery thread (or the test driving it).
  std::optional<TimePoint> retry_at() const { return retry_at_; }

 private:
  void Run();
  // Delivers one page; how many entries it held (0: none waiting).
  absl::StatusOr<size_t> DeliverPage();
  // Counts, logs and reports a failed attempt, and starts its backoff.
  void Failed(const absl::Status& status);

  Store& store_;
  Sink& sink_;
  const Clock& retry_clock_;
  const OutboxOptions options_;
  DeliveryWatch watch_;
  Counter* delivered_ = nullptr;
  Counter* failures_ = nullptr;

  absl::Mutex mu_;
  absl::CondVar cv_;
  uint64_t committed_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;

  // The delivery thread's own (or the test's, without the thread).
  uint64_t cursor_ = 0;
  bool sink_open_ = false;
  Millis backoff_;
  std::optional<TimePoint> retry_at_;

  std::thread thread_;
};

}  // namespace frontdoor
