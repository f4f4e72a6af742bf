// frontdoor_webhook_bench: webhook deliveries end to end inside one
// process: the Processor on a real RocksDB (synced WAL), the outbox, a
// DeliveryQueue with a WebhookChannel (libcurl, Standard Webhooks
// signatures) and a fast receiver on loopback (Beast, answers 204 at once).
// Two measurements:
//   1. throughput: N contacts go in; deliveries/s from the first commit to
//      the last delivery.
//   2. outage: the receiver is down while contacts arrive at --rate per
//      second of business time for --outage-minutes (the business clock is
//      manual, so ten minutes of outage take seconds); then the receiver
//      comes back and the clock moves on to the queue's next retry. Prints
//      the backlog at the end of the outage, the wait the backoff schedule
//      adds (business time), and the drain time (real time).
//
//   frontdoor_webhook_bench [--contacts 20000] [--rate 50] [--outage-minutes 10]
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "adapters/sinks/webhook.h"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "engine/active_policy.h"
#include "engine/deliveries.h"
#include "engine/outbox.h"
#include "engine/processor.h"
#include "tests/support/source_tree.h"

using namespace frontdoor;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Answers every POST with 204, one thread per connection, counting them.
class FastReceiver {
 public:
  explicit FastReceiver(unsigned short port = 0)
      : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)) {
    thread_ = std::thread([this] { Accept(); });
  }
  ~FastReceiver() { Close(); }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  uint64_t received() const { return received_.load(); }
  void Close() {
    if (closed_.exchange(true)) return;
    // Shutting the listening socket down wakes the blocked accept.
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    boost::system::error_code ec;
    acceptor_.close(ec);
    // Kept-alive connections wait in a read: end them.
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    for (auto& t : connections_) t.join();
    connections_.clear();
  }

 private:
  void Accept() {
    for (;;) {
      tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec) return;
      fds_.push_back(socket.native_handle());
      connections_.emplace_back([this, s = std::move(socket)]() mutable { Serve(std::move(s)); });
    }
  }
  void Serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      boost::system::error_code ec;
      http::read(socket, buffer, request, ec);
      if (ec || closed_.load()) return;
      received_.fetch_add(1);
      http::response<http::empty_body> response(http::status::no_content, request.version());
      response.keep_alive(request.keep_alive());
      http::write(socket, response, ec);
      if (ec) return;
    }
  }

  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::atomic<uint64_t> received_{0};
  std::atomic<bool> closed_{false};
  std::thread thread_;
  std::vector<std::thread> connections_;
  std::vector<int> fds_;  // the accepting thread's until Close joins it
};

v1::ContactSubmission Contact(int i) {
  v1::ContactSubmission s;
  s.set_external_ref("BENCH-" + std::to_string(i));
  s.set_channel(v1::Channel::PARTNER_API);
  s.set_source(v1::Source::SCHOOLS);
  s.mutable_referrer()->set_name("Referrer");
  s.mutable_referrer()->set_email("referrer@school.example.org");
  s.mutable_consent()->set_status(v1::ConsentStatus::GIVEN);
  auto* child = s.add_children();
  child->set_given_name("Child" + std::to_string(i));
  child->set_family_name("Example");
  child->set_date_of_birth("2016-04-0" + std::to_string(1 + i % 9));
  s.add_concerns(v1::Concern::PARENTING_SUPPORT);
  s.set_immediate_risk(false);
  s.set_narrative("Synthetic narrative for the delivery benchmark.");
  return s;
}

// Queues `count` contacts in batches of 256 and waits for every answer.
bool SubmitContacts(Processor& processor, int first, int count) {
  std::atomic<int> left{count};
  std::atomic<int> failed{0};
  for (int i = first; i < first + count; i += 256) {
    std::vector<std::pair<Command, std::function<void(CommandResult)>>> commands;
    for (int j = i; j < std::min(first + count, i + 256); ++j) {
      commands.emplace_back(SubmitContact{Contact(j), KeyActor("bench"), "", ""},
                            [&](CommandResult r) {
                              if (!r.status.ok()) failed.fetch_add(1);
                              left.fetch_sub(1);
                            });
    }
    while (!processor.SubmitAll(commands)) std::this_thread::yield();
  }
  while (left.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return failed.load() == 0;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Waits (real time) until `done` or `limit` passes; false on the limit.
bool WaitFor(const std::function<bool()>& done, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  int contacts = 20000, rate = 50, outage_minutes = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--contacts") {
      contacts = std::stoi(argv[i + 1]);
    } else if (flag == "--rate") {
      rate = std::stoi(argv[i + 1]);
    } else if (flag == "--outage-minutes") {
      outage_minutes = std::stoi(argv[i + 1]);
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("frontdoor-webhook-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto store = Store::Open(dir);
  auto active = LoadActivePolicy(frontdoor::testing::DefaultPolicyPath(),
                                 frontdoor::testing::BankHolidaysPath());
  if (!store.ok() || !active.ok()) {
    std::cerr << "cannot open the store or the policy\n";
    return 1;
  }
  PolicySlot policies(std::move(*active));
  ManualClock clock(TimePoint(Millis(1795514400000)));  // a Tuesday, 10:00 UTC
  SystemClock real_clock;
  MetricsRegistry metrics;
  Processor processor(**store, clock, policies, &metrics);

  FastReceiver receiver;
  const unsigned short port = receiver.port();
  SubscriptionConfig subscription{
      .name = "bench",
      .url = "http://127.0.0.1:" + std::to_string(port) + "/events",
      .secrets = {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
      .events = {"org.frontdoor.contact.acknowledged"},
      .organisation = "",
      .ca_file = {},
      .timeout = std::chrono::milliseconds(2000),
  };
  WebhookChannel channel(subscription, {}, **store, real_clock);
  DeliveryQueue queue(**store, channel, clock, &metrics);
  Outbox outbox(**store, queue.sink(), real_clock, &metrics,
                OutboxOptions{.cursors = std::make_shared<OutboxCursors>()});
  processor.AddCommitListener([&](const CommitNotice& notice) {
    outbox.Notify(notice.outbox_seq);
    queue.Wake();
  });
  if (!queue.Start().ok() || !outbox.Start().ok() || !processor.Start().ok()) {
    std::cerr << "cannot start\n";
    return 1;
  }

  // 1. Throughput to a fast receiver: one acknowledgement per contact.
  auto start = std::chrono::steady_clock::now();
  if (!SubmitContacts(processor, 0, contacts)) return 1;
  const double intake = Seconds(start);
  if (!WaitFor([&] { return queue.figures().delivered >= static_cast<uint64_t>(contacts); },
               std::chrono::seconds(std::max(60, contacts / 50)))) {
    auto f = queue.figures();
    std::cerr << "deliveries did not finish: queued " << f.queued << ", retrying " << f.retrying
              << ", delivered " << f.delivered << ", dead " << f.dead << ", received "
              << receiver.received() << "\n";
    return 1;
  }
  const double all = Seconds(start);
  auto figures = queue.figures();
  std::printf(
      "throughput: %d contacts in %.2f s (%.0f/s), %d deliveries done after %.2f s: %.0f "
      "deliveries/s; attempt latency p50 %.2f ms, p99 %.2f ms\n",
      contacts, intake, contacts / intake, contacts, all, contacts / all, figures.latency_p50_ms,
      figures.latency_p99_ms);

  // 2. An outage: the receiver is gone while contacts arrive at `rate` per
  // second of business time.
  receiver.Close();
  const int outage_contacts = rate * outage_minutes * 60;
  const Millis step(1000 / std::max(1, rate));
  for (int i = 0; i < outage_contacts; i += rate) {
    if (!SubmitContacts(processor, contacts + i, std::min(rate, outage_contacts - i))) return 1;
    clock.Set(clock.Now() + step * rate);  // one second of business time
    queue.Wake();
  }
  // Let the queue notice the last of them before measuring the backlog.
  WaitFor([&] {
    auto f = queue.figures();
    return f.queued + f.retrying >= static_cast<uint64_t>(outage_contacts);
  }, std::chrono::seconds(60));
  figures = queue.figures();
  const uint64_t backlog = figures.queued + figures.retrying;
  std::printf("outage: %d min at %d contacts/s (business time): backlog %llu deliveries\n",
              outage_minutes, rate, static_cast<unsigned long long>(backlog));

  // The receiver comes back on the same port; the queue tries again at its
  // next retry, which the backoff schedule sets.
  FastReceiver back(port);
  auto retrying = queue.List(v1::DeliveryState::RETRYING, "", 1);
  Millis wait{0};
  if (retrying.ok() && !retrying->deliveries().empty()) {
    const auto& head = retrying->deliveries(0);
    wait = Millis(head.next_attempt_at().seconds() * 1000 + head.next_attempt_at().nanos() / 1000000) -
           clock.Now().time_since_epoch();
    if (wait < Millis(0)) wait = Millis(0);
    clock.Set(clock.Now() + wait);
  }
  start = std::chrono::steady_clock::now();
  const uint64_t target = static_cast<uint64_t>(contacts + outage_contacts);
  bool drained = WaitFor(
      [&] {
        queue.Wake();
        auto f = queue.figures();
        if (f.retrying > 0) {
          // Later retries fall due as business time passes: step it along.
          clock.Set(clock.Now() + Millis(1000));
        }
        return f.delivered >= target;
      },
      std::chrono::seconds(600));
  const double drain = Seconds(start);
  std::printf(
      "recovery: next retry %.0f s after the outage's end (backoff, business time), then %llu "
      "deliveries drained in %.2f s (%.0f/s)%s\n",
      static_cast<double>(wait.count()) / 1000, static_cast<unsigned long long>(backlog), drain,
      static_cast<double>(backlog) / std::max(drain, 1e-9), drained ? "" : " (NOT drained)");

  processor.Stop();
  outbox.Stop();
  queue.Stop();
  store->reset();
  std::filesystem::remove_all(dir);
  return drained ? 0 : 1;
}
