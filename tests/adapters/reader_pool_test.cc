// The reader pool through the real Api object over a real RocksDB, served by
// one I/O thread: while a worklist read is held on a reader thread (a latch
// in the pool's test seam), /healthz and /readyz-free routes still answer on
// the I/O thread, a heavy read past the queue limit is answered 503 with
// Retry-After at once, and the held read answers once let go. No timing: the
// held read is known to be on the reader by the seam, not by waiting.
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/http/api.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/use_future.hpp"
#include "tests/support/temp_dir.h"

namespace frontdoor {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using testing::TempDir;

const TimePoint kNow{Millis(1795514400000)};

class ReaderPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.path() / "db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto keys = Authenticator::Make({ApiKeyConfig("ifd-manager", "manager", "manager-token")});
    ASSERT_TRUE(keys.ok()) << keys.status();
    gate_ = std::make_unique<AuthGate>(std::move(*keys), clock_, AuthFailureOptions{});
    ApiDependencies deps;
    deps.store = store_.get();
    deps.clock = &clock_;
    deps.metrics = &metrics_;
    deps.auth = gate_.get();
    deps.reader_threads = 1;
    deps.reader_queue = 1;
    api_ = std::make_unique<Api>(std::move(deps));
    io_thread_ = std::thread([this] { ioc_.run(); });
  }
  void TearDown() override {
    work_.reset();
    io_thread_.join();
  }

  std::future<Response> Send(const std::string& target) {
    Request req(http::verb::get, target, 11);
    req.set(http::field::authorization, "Bearer manager-token");
    return asio::co_spawn(ioc_, api_->Handle(std::move(req), asio::ip::make_address("10.0.0.1")),
                          asio::use_future);
  }

  TempDir dir_;
  ManualClock clock_{kNow};
  MetricsRegistry metrics_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuthGate> gate_;
  std::unique_ptr<Api> api_;
  asio::io_context ioc_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ioc_);
  std::thread io_thread_;
};

TEST_F(ReaderPoolTest, HealthzAnswersWhileAHeavyReadIsHeldAndTheQueueIsBounded) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  api_->SetBeforeHeavyRead([&entered, released] {
    entered.set_value();
    released.wait();
  });
  std::future<Response> worklist = Send("/v1/worklist");
  // The read is now on the reader thread, held.
  entered.get_future().wait();

  Response health = Send("/healthz").get();
  EXPECT_EQ(health.result(), http::status::ok) << health.body();

  // The one place in the reader queue is taken: the next heavy read is refused.
  Response refused = Send("/v1/indicators").get();
  EXPECT_EQ(refused.result(), http::status::service_unavailable) << refused.body();
  EXPECT_EQ(refused[http::field::retry_after], "1");
  EXPECT_EQ(worklist.wait_for(std::chrono::seconds(0)), std::future_status::timeout);

  api_->SetBeforeHeavyRead({});
  release.set_value();
  Response answered = worklist.get();
  EXPECT_EQ(answered.result(), http::status::ok) << answered.body();
  EXPECT_NE(answered.body().find("contacts"), std::string::npos) << answered.body();
}

}  // namespace
}  // namespace frontdoor
