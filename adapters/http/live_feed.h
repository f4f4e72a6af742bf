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
#include <mutex>
#include <string>
#include <vector>

#include "boost/asio/any_io_executor.hpp"
#include "boost/asio/steady_timer.hpp"
#include "engine/processor.h"

namespace frontdoor {

class LiveFeed {
 public:
  // One open stream's queue. The connection waits on `wake`, which the
  // feed cancels (on the connection's executor) when there is news.
  struct Subscription {
    explicit Subscription(boost::asio::any_io_executor executor) : wake(executor) {}
    std::mutex mu;
    std::deque<std::string> queue;  // guarded by mu
    bool closed = false;            // guarded by mu
    boost::asio::steady_timer wake;
  };

  // `max_queued`: messages a slow stream may hold before it is closed.
  explicit LiveFeed(size_t max_queued = 20000) : max_queued_(max_queued) {}

  // On the Processor's thread, after each commit.
  void Publish(const CommitNotice& notice);

  std::shared_ptr<Subscription> Subscribe(boost::asio::any_io_executor executor);
  void Unsubscribe(const std::shared_ptr<Subscription>& subscription);
  // Ends every stream (shutdown). Later subscriptions start closed.
  void Close();

 private:
  void Deliver(const std::vector<std::string>& messages);

  const size_t max_queued_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Subscription>> subscribers_;  // guarded by mu_
  bool closed_ = false;                                     // guarded by mu_
  std::atomic<size_t> count_{0};
  uint64_t next_id_ = 0;  // Processor thread only
};

}  // namespace frontdoor
