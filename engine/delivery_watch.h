// Tells waiters when the outbox has been delivered up to a sequence number.
// The admin clock endpoint uses it to answer only once the letters and
// alerts its timers caused are out of the building, so that a test (or a
// simulation) sees them without polling. The outbox dispatcher
// (engine/outbox.h) owns one and reports each delivered page to it, and
// whether its sink is failing (GET /readyz and /metrics show that).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/thread_annotations.h"

namespace frontdoor {

// How a sink's deliveries are going, as its dispatcher last found them.
struct SinkHealth {
  // The last attempt (or opening the sink) failed; events wait in the
  // outbox and are tried again after a backoff.
  bool failing = false;
  // Attempts failed in a row; 0 while healthy.
  uint64_t failures_in_a_row = 0;
  // The first failure of this run of failures; nullopt while healthy.
  std::optional<TimePoint> failing_since;
  // The latest failure (also after a recovery), and its status message.
  std::optional<TimePoint> last_failure_at;
  std::string last_error;
};

// Thread-safe.
class DeliveryWatch {
 public:
  // A sink has delivered every entry up to `seq`.
  void Delivered(uint64_t seq) LOCKS_EXCLUDED(mu_) {
    std::vector<std::function<void()>> ready;
    {
      absl::MutexLock lock(&mu_);
      if (seq <= delivered_) return;
      delivered_ = seq;
      auto end = waiters_.upper_bound(seq);
      for (auto it = waiters_.begin(); it != end; ++it) {
        for (auto& w : it->second) ready.push_back(std::move(w));
      }
      waiters_.erase(waiters_.begin(), end);
    }
    for (auto& w : ready) w();
  }

  // Calls `done` once everything up to `seq` is delivered: at once (on this
  // thread) when it already is, otherwise on the dispatcher's delivery thread.
  void WhenDelivered(uint64_t seq, std::function<void()> done) LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      if (seq > delivered_) {
        waiters_[seq].push_back(std::move(done));
        return;
      }
    }
    done();
  }

  uint64_t delivered() const LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return delivered_;
  }

  // An attempt failed at `at` (the dispatcher's retry clock) with `error`.
  void Failed(std::string error, TimePoint at) LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (!health_.failing) health_.failing_since = at;
    health_.failing = true;
    ++health_.failures_in_a_row;
    health_.last_failure_at = at;
    health_.last_error = std::move(error);
  }
  // An attempt succeeded: the sink is healthy again.
  void Succeeded() LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    health_.failing = false;
    health_.failures_in_a_row = 0;
    health_.failing_since.reset();
  }
  SinkHealth health() const LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return health_;
  }

 private:
  mutable absl::Mutex mu_;
  uint64_t delivered_ GUARDED_BY(mu_) = 0;
  std::map<uint64_t, std::vector<std::function<void()>>> waiters_ GUARDED_BY(mu_);
  SinkHealth health_ GUARDED_BY(mu_);
};

}  // namespace frontdoor
