// The readers: a small thread pool on which the heavy reads (the worklist,
// breaches, indicators, Annex A, audit queries) run, so that the I/O threads
// stay free for /healthz, /readyz and intake. A heavy handler is started on
// a reader thread and its answer resumes the connection's coroutine on the
// connection's own executor. At most `queue_limit` heavy reads are under way
// or waiting at once; past that a read is answered 503 with Retry-After at
// once rather than queued without bound. Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>

#include "absl/synchronization/mutex.h"
#include "adapters/http/handler_support.h"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/thread_pool.hpp"
#include "frontdoor/thread_annotations.h"

namespace frontdoor {

struct ReaderOptions {
  // Threads that run heavy reads. Default: 2.
  size_t threads = 2;
  // Heavy reads under way or waiting before 503s. Default: 32.
  size_t queue_limit = 32;
};

class ReaderPool {
 public:
  explicit ReaderPool(ReaderOptions options);
  // Waits for the reads under way to finish.
  ~ReaderPool();
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  // Runs `handler` on a reader thread and resumes the caller on its own
  // executor with the answer; a 503 problem at once when `queue_limit`
  // reads are already in hand. `deps` and `call` must outlive the read
  // (they live in the suspended caller's frame).
  boost::asio::awaitable<Response> Run(Handler handler, const ApiDependencies& deps, Call& call);

  // Test seam: called on the reader thread before each heavy read (a test
  // holds a read there on a latch). Empty: nothing.
  void SetBeforeRead(std::function<void()> hook);

  // Heavy reads under way or waiting now (for /metrics and tests).
  size_t in_hand() const { return in_hand_.load(); }

 private:
  static boost::asio::awaitable<Response> Read(ReaderPool* pool, Handler handler,
                                               const ApiDependencies* deps, Call* call);

  const size_t queue_limit_;
  boost::asio::thread_pool threads_;
  std::atomic<size_t> in_hand_{0};
  absl::Mutex mu_;
  std::function<void()> before_read_ GUARDED_BY(mu_);
};

}  // namespace frontdoor
