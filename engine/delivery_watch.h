// Tells waiters when the outbox has been delivered up to a sequence number.
// The admin clock endpoint uses it to answer only once the letters and
// alerts its timers caused are out of the building, so that a test (or a
// simulation) sees them without polling. The outbox dispatcher
// (engine/outbox.h) owns one and reports each delivered page to it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "frontdoor/thread_annotations.h"

namespace frontdoor {

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

 private:
  mutable absl::Mutex mu_;
  uint64_t delivered_ GUARDED_BY(mu_) = 0;
  std::map<uint64_t, std::vector<std::function<void()>>> waiters_ GUARDED_BY(mu_);
};

}  // namespace frontdoor
