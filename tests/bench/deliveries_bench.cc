// What the delivery queue costs by itself: events stored by its sink (the
// Outbox's page) and sent to a channel that answers at once, on a real
// RocksDB with synced writes, so the figures are the queue's ceiling before
// any receiver's own time. Run by hand:
//   build/tests/bench/frontdoor_deliveries_bench [deliveries] [contacts]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/deliveries.h"

namespace {

class InstantChannel final : public frontdoor::Channel {
 public:
  std::string_view name() const override { return "bench"; }
  bool Wants(const frontdoor::v1::Event&) const override { return true; }
  frontdoor::SendResult Send(const frontdoor::v1::Delivery&) override {
    return {.kind = frontdoor::SendResult::Kind::kDelivered, .error = "", .reference = ""};
  }
};

}  // namespace

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  const size_t total = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 20000;
  const size_t contacts = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2000;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("frontdoor-deliveries-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto store = frontdoor::Store::Open(dir);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  frontdoor::SystemClock clock;
  InstantChannel channel;
  frontdoor::DeliveryQueue queue(**store, channel, clock, nullptr);

  auto start = Clock::now();
  std::vector<frontdoor::v1::OutboxEntry> page;
  for (size_t seq = 1; seq <= total; ++seq) {
    frontdoor::v1::OutboxEntry& e = page.emplace_back();
    e.set_seq(seq);
    e.mutable_event()->set_contact_id("FD-" + std::to_string(seq % contacts));
    e.mutable_event()->set_id("FD-" + std::to_string(seq % contacts) + "/" + std::to_string(seq));
    if (page.size() == 1024 || seq == total) {
      if (auto s = queue.sink().Deliver(page); !s.ok()) {
        std::fprintf(stderr, "%s\n", s.ToString().c_str());
        return 1;
      }
      page.clear();
    }
  }
  const double stored_s = std::chrono::duration<double>(Clock::now() - start).count();

  start = Clock::now();
  size_t sent = 0, rounds = 0;
  for (;;) {
    auto n = queue.SendDue();
    if (!n.ok()) {
      std::fprintf(stderr, "%s\n", n.status().ToString().c_str());
      return 1;
    }
    if (*n == 0) break;
    sent += *n;
    ++rounds;
  }
  const double sent_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "stored %zu deliveries in %.2f s (%.0f/s); sent %zu in %zu rounds in %.2f s (%.0f/s)\n",
      total, stored_s, total / stored_s, sent, rounds, sent_s, sent / sent_s);
  store->reset();
  std::filesystem::remove_all(dir);
  return sent == total ? 0 : 1;
}
