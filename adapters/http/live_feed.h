// The live feed behind GET /v1/stream: each committed batch becomes
// Server-Sent Events (contact changes, breaches, near-breaches) queued for
// every open stream. Messages carry ids, codes and times only, never names
// or narratives. A stream that falls too far behind is closed rather than
// allowed to hold memory. Message ids are "<run>-<n>": <run> is this
// server process's own random tag and <n> counts up from 1. The feed keeps
// the latest messages, so a client that reconnects with Last-Event-ID gets
// what it missed; when that is no longer possible (another run, or older
// than what is kept) it gets one `reset` message telling it to reload.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
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
  // `kept`: the latest messages kept for streams that resume (at most
  // `max_queued`).
  explicit LiveFeed(size_t max_queued = 20000, size_t kept = 10000);

  // On the Processor's thread, after each commit.
  void Publish(const CommitNotice& notice);

  // A new stream. With `last_event_id` (the client's Last-Event-ID header,
  // empty when none) its queue starts with every kept message after that
  // one, or with a `reset` message when the feed cannot tell what came
  // after it; nothing published meanwhile falls between the two.
  std::shared_ptr<Subscription> Subscribe(boost::asio::any_io_executor executor,
                                          std::string_view last_event_id = {}) LOCKS_EXCLUDED(mu_);
  void Unsubscribe(const std::shared_ptr<Subscription>& subscription) LOCKS_EXCLUDED(mu_);
  // Ends every stream (shutdown). Later subscriptions start closed.
  void Close() LOCKS_EXCLUDED(mu_);

 private:
  struct Kept {
    uint64_t n;
    std::string message;
  };
  void Deliver(std::vector<Kept> messages) LOCKS_EXCLUDED(mu_);
  std::string Message(uint64_t n, std::string_view event, const std::string& data) const;

  const size_t max_queued_;
  const size_t kept_;
  // This process's tag in message ids.
  const std::string run_;
  absl::Mutex mu_;
  std::vector<std::shared_ptr<Subscription>> subscribers_ GUARDED_BY(mu_);
  bool closed_ GUARDED_BY(mu_) = false;
  // The latest messages, oldest first, and the number of the last one.
  std::deque<Kept> recent_ GUARDED_BY(mu_);
  uint64_t last_n_ GUARDED_BY(mu_) = 0;
  uint64_t next_id_ = 0;  // Processor thread only
};

}  // namespace frontdoor
