// The live feed behind GET /v1/stream: each committed batch becomes
// Server-Sent Events (contact changes, breaches, near-breaches) queued for
// every open stream. Messages carry ids, codes and times only, never names
// or narratives. A stream that falls too far behind is closed rather than
// allowed to hold memory; the client reconnects and reloads.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "boost/asio/any_io_executor.hpp"
#include "boost/asio/steady_timer.hpp"
#include "engine/processor.h"
#include "frontdoor/thread_annotations.h"

namespace frontdoor {

class LiveFeed {
 public:
  // One open stream's queue. The connection waits on `wake`, which the
  // feed cancels (on the connection's executor) when there is news.
  struct Subscription {
    explicit Subscription(boost::asio::any_io_executor executor) : wake(executor) {}

    // Appends every queued message to `out` and empties the queue; true
    // when the stream has been closed (nothing more will come).
    bool TakeQueued(std::string& out) LOCKS_EXCLUDED(mu);

    absl::Mutex mu;
    std::deque<std::string> queue GUARDED_BY(mu);
    bool closed GUARDED_BY(mu) = false;
    boost::asio::steady_timer wake;
  };

  // `max_queued`: messages a slow stream may hold before it is closed.
  explicit LiveFeed(size_t max_queued = 20000) : max_queued_(max_queued) {}

  // On the Processor's thread, after each commit.
  void Publish(const CommitNotice& notice);

  std::shared_ptr<Subscription> Subscribe(boost::asio::any_io_executor executor)
      LOCKS_EXCLUDED(mu_);
  void Unsubscribe(const std::shared_ptr<Subscription>& subscription) LOCKS_EXCLUDED(mu_);
  // Ends every stream (shutdown). Later subscriptions start closed.
  void Close() LOCKS_EXCLUDED(mu_);

 private:
  void Deliver(const std::vector<std::string>& messages) LOCKS_EXCLUDED(mu_);

  const size_t max_queued_;
  absl::Mutex mu_;
  std::vector<std::shared_ptr<Subscription>> subscribers_ GUARDED_BY(mu_);
  bool closed_ GUARDED_BY(mu_) = false;
  std::atomic<size_t> count_{0};
  uint64_t next_id_ = 0;  // Processor thread only
};

}  // namespace frontdoor
