// The reader pool of reader_pool.h: a bounded count of heavy reads, each
// co_spawned onto the pool and awaited from the connection's coroutine.
#include "adapters/http/reader_pool.h"

#include <utility>

#include "adapters/http/problem.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/use_awaitable.hpp"

namespace frontdoor {

namespace asio = boost::asio;
namespace http = boost::beast::http;

ReaderPool::ReaderPool(ReaderOptions options)
    : queue_limit_(options.queue_limit == 0 ? 1 : options.queue_limit),
      threads_(options.threads == 0 ? 1 : options.threads) {}

ReaderPool::~ReaderPool() { threads_.join(); }

void ReaderPool::SetBeforeRead(std::function<void()> hook) {
  absl::MutexLock lock(&mu_);
  before_read_ = std::move(hook);
}

asio::awaitable<Response> ReaderPool::Read(ReaderPool* pool, Handler handler,
                                           const ApiDependencies* deps, Call* call) {
  std::function<void()> hook;
  {
    absl::MutexLock lock(&pool->mu_);
    hook = pool->before_read_;
  }
  if (hook) hook();
  co_return co_await handler(*deps, *call);
}

asio::awaitable<Response> ReaderPool::Run(Handler handler, const ApiDependencies& deps,
                                          Call& call) {
  if (in_hand_.fetch_add(1) >= queue_limit_) {
    in_hand_.fetch_sub(1);
    // MakeProblem sets Retry-After on every 503.
    co_return MakeProblem(call.version(), http::status::service_unavailable, "busy",
                          "Too many reads", "too many long reads are in hand; try again shortly");
  }
  struct Release {
    std::atomic<size_t>& count;
    ~Release() { count.fetch_sub(1); }
  } release{in_hand_};
  co_return co_await asio::co_spawn(threads_.get_executor(), Read(this, handler, &deps, &call),
                                    asio::use_awaitable);
}

}  // namespace frontdoor
