// frontdoor_processor_bench: the Processor alone, on a real RocksDB with a
// synced WAL in a temporary folder, fed by submitter threads that each keep
// a fixed number of contacts in flight (like HTTP connections would).
// Reports commands/s, the batch sizes group commit made, and commit latency.
//
//   frontdoor_processor_bench [--contacts 200000] [--in-flight 64] [--threads 2]
//       [--dir /tmp/...] [--no-sync] [--keep]
// --keep leaves the store behind (e.g. a million contacts for a backtest).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/active_policy.h"
#include "engine/processor.h"
#include "tests/support/source_tree.h"

using namespace frontdoor;

namespace {

v1::ContactSubmission Contact(int i) {
  static const v1::Concern::Code kConcerns[] = {v1::Concern::NEGLECT, v1::Concern::DOMESTIC_ABUSE,
                                                v1::Concern::PARENTING_SUPPORT,
                                                v1::Concern::SCHOOL_ATTENDANCE};
  v1::ContactSubmission s;
  s.set_external_ref("BENCH-" + std::to_string(i));
  s.set_channel(v1::Channel::PARTNER_API);
  s.set_source(i % 2 ? v1::Source::POLICE : v1::Source::SCHOOLS);
  s.mutable_referrer()->set_name("Referrer " + std::to_string(i));
  s.mutable_referrer()->set_email("referrer@agency.example.org");
  s.mutable_consent()->set_status(v1::ConsentStatus::GIVEN);
  auto* child = s.add_children();
  child->set_given_name("Child" + std::to_string(i));
  child->set_family_name("Example");
  child->set_date_of_birth("2016-04-0" + std::to_string(1 + i % 9));
  s.add_concerns(kConcerns[i % 4]);
  s.set_immediate_risk(false);
  s.set_narrative(std::string(600, 'n'));
  return s;
}

double Quantile(const Histogram::Snapshot& s, double q) {
  uint64_t target = static_cast<uint64_t>(q * static_cast<double>(s.count));
  for (size_t i = 0; i < s.bounds.size(); ++i) {
    if (s.cumulative[i] >= target) return s.bounds[i];
  }
  return s.bounds.empty() ? 0 : s.bounds.back();
}

}  // namespace

int main(int argc, char** argv) {
  int contacts = 200000, in_flight = 64, threads = 2;
  bool sync = true;
  bool keep = false;
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("frontdoor-bench-" + std::to_string(::getpid()));
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--no-sync") {
      sync = false;
    } else if (flag == "--keep") {
      keep = true;
    } else if (i + 1 < argc && flag == "--contacts") {
      contacts = std::stoi(argv[++i]);
    } else if (i + 1 < argc && flag == "--in-flight") {
      in_flight = std::stoi(argv[++i]);
    } else if (i + 1 < argc && flag == "--threads") {
      threads = std::stoi(argv[++i]);
    } else if (i + 1 < argc && flag == "--dir") {
      dir = argv[++i];
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  std::filesystem::remove_all(dir);
  StoreOptions store_options;
  store_options.sync = sync;
  auto store = Store::Open(dir, store_options);
  if (!store.ok()) {
    std::cerr << store.status() << "\n";
    return 1;
  }
  auto active = LoadActivePolicy(frontdoor::testing::DefaultPolicyPath(),
                                 frontdoor::testing::BankHolidaysPath());
  if (!active.ok()) {
    std::cerr << active.status() << "\n";
    return 1;
  }
  PolicySlot policies(std::move(*active));
  ManualClock clock(TimePoint(Millis(1795514400000)));
  MetricsRegistry metrics;
  Processor processor(**store, clock, policies, &metrics);
  if (auto s = processor.Start(); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }

  // Distinct children, so that the people index grows as it would.
  std::vector<v1::ContactSubmission> pool;
  for (int i = 0; i < 1024; ++i) pool.push_back(Contact(i));

  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> submitters;
  for (int t = 0; t < threads; ++t) {
    submitters.emplace_back([&, t] {
      std::mutex mu;
      std::condition_variable cv;
      int outstanding = 0;
      const int window = in_flight / threads + (t < in_flight % threads ? 1 : 0);
      for (;;) {
        int i = next.fetch_add(1);
        if (i >= contacts) break;
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return outstanding < window; });
          ++outstanding;
        }
        SubmitContact command{pool[static_cast<size_t>(i) % pool.size()], KeyActor("bench"), "",
                              ""};
        command.submission.mutable_children(0)->set_given_name("Child" + std::to_string(i));
        bool queued = processor.Submit(std::move(command), [&](CommandResult r) {
          if (!r.status.ok()) failed.fetch_add(1);
          std::lock_guard lock(mu);
          --outstanding;
          cv.notify_one();
        });
        if (!queued) {
          failed.fetch_add(1);
          std::lock_guard lock(mu);
          --outstanding;
        }
      }
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return outstanding == 0; });
    });
  }
  for (auto& t : submitters) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  processor.Stop();

  auto batches = metrics.GetHistogram("frontdoor_batch_commands", "", {}).Read();
  auto commits = metrics.GetHistogram("frontdoor_commit_seconds", "", {}).Read();
  std::printf(
      "%d contacts, %d in flight from %d threads, WAL %s\n"
      "%.0f commands/s (%.2f s), %d failed\n"
      "batches %llu, mean %.1f commands per batch\n"
      "commit latency: mean %.2f ms, p50 <= %.2f ms, p99 <= %.2f ms (bucket bounds)\n",
      contacts, in_flight, threads, sync ? "synced" : "not synced", contacts / seconds, seconds,
      failed.load(), static_cast<unsigned long long>(batches.count),
      batches.count ? batches.sum / static_cast<double>(batches.count) : 0,
      commits.count ? commits.sum / static_cast<double>(commits.count) * 1000 : 0,
      Quantile(commits, 0.5) * 1000, Quantile(commits, 0.99) * 1000);
  store->reset();
  if (!keep) std::filesystem::remove_all(dir);
  return failed.load() == 0 ? 0 : 1;
}
