// frontdoor_soak: the engine under a steady load for a long time, to show
// that nothing grows and latency stays flat. A real RocksDB with a synced
// WAL in a temporary folder; the Processor takes 200 contacts a second,
// half of them decided (sent to the MASH) once acknowledged; a manual clock
// moves on 20 minutes every second so timescales and their warnings fire
// (breaches, alerts); an Outbox delivers to a real letter spool; the policy
// is reloaded from its file every few minutes. Each sample prints the
// process's RSS, its open file descriptors, the spool's files, and the
// acknowledgement latency (p50, p99) of the commands in that interval.
//
//   frontdoor_soak [--minutes 60 | --seconds N] [--rate 200] [--sample-seconds 60]
//       [--reload-seconds 180] [--dir /tmp/...]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/sinks/spool.h"
#include "engine/active_policy.h"
#include "engine/outbox.h"
#include "engine/processor.h"
#include "tests/support/source_tree.h"

using namespace frontdoor;

namespace {

using SteadyClock = std::chrono::steady_clock;

v1::ContactSubmission Contact(int i) {
  static const v1::Concern::Code kConcerns[] = {v1::Concern::NEGLECT, v1::Concern::DOMESTIC_ABUSE,
                                                v1::Concern::PARENTING_SUPPORT,
                                                v1::Concern::SCHOOL_ATTENDANCE};
  v1::ContactSubmission s;
  s.set_external_ref("SOAK-" + std::to_string(i));
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
  s.set_narrative(std::string(400, 'n'));
  return s;
}

long RssKb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

size_t CountFiles(const std::filesystem::path& dir) {
  std::error_code ec;
  size_t n = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

// Acknowledgement latencies of one sample interval, in milliseconds.
class Latencies {
 public:
  void Add(double ms) {
    std::lock_guard lock(mu_);
    ms_.push_back(ms);
  }
  std::vector<double> Take() {
    std::lock_guard lock(mu_);
    std::vector<double> out;
    out.swap(ms_);
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<double> ms_;
};

double At(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(q * sorted.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 3600, rate = 200, sample_seconds = 60, reload_seconds = 180;
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("frontdoor-soak-" + std::to_string(::getpid()));
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 < argc && flag == "--minutes") {
      seconds = 60 * std::stoi(argv[++i]);
    } else if (i + 1 < argc && flag == "--seconds") {
      seconds = std::stoi(argv[++i]);
    } else if (i + 1 < argc && flag == "--rate") {
      rate = std::max(1, std::stoi(argv[++i]));
    } else if (i + 1 < argc && flag == "--sample-seconds") {
      sample_seconds = std::max(1, std::stoi(argv[++i]));
    } else if (i + 1 < argc && flag == "--reload-seconds") {
      reload_seconds = std::max(1, std::stoi(argv[++i]));
    } else if (i + 1 < argc && flag == "--dir") {
      dir = argv[++i];
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  std::filesystem::remove_all(dir);
  auto store = Store::Open(dir / "db");
  if (!store.ok()) {
    std::cerr << store.status() << "\n";
    return 1;
  }
  auto load = [] {
    return LoadActivePolicy(frontdoor::testing::DefaultPolicyPath(),
                            frontdoor::testing::BankHolidaysPath());
  };
  auto active = load();
  if (!active.ok()) {
    std::cerr << active.status() << "\n";
    return 1;
  }
  PolicySlot policies(std::move(*active));
  ManualClock clock(TimePoint(Millis(1795514400000)));
  SystemClock real_clock;
  MetricsRegistry metrics;
  Processor processor(**store, clock, policies, &metrics);
  Spool spool(dir / "spool");
  Outbox outbox(**store, spool, real_clock, &metrics);
  processor.AddCommitListener([&outbox](const CommitNotice& n) { outbox.Notify(n.outbox_seq); });
  if (auto s = processor.Start(); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  if (auto s = outbox.Start(); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }

  Latencies latencies;
  std::atomic<long> failed{0}, acknowledged{0}, decided{0};
  std::printf("%6s %10s %8s %6s %8s %10s %9s %9s %7s\n", "second", "contacts", "decided", "fds",
              "rss_kb", "spool", "p50_ms", "p99_ms", "failed");
  std::fflush(stdout);
  const auto start = SteadyClock::now();
  const auto interval = std::chrono::microseconds(1'000'000 / rate);
  auto next_sample = start + std::chrono::seconds(sample_seconds);
  auto next_reload = start + std::chrono::seconds(reload_seconds);
  auto next_tick = start + std::chrono::seconds(1);
  int reloads = 0;
  for (int i = 0;; ++i) {
    auto due = start + interval * i;
    if (due >= start + std::chrono::seconds(seconds)) break;
    std::this_thread::sleep_until(due);
    auto sent = SteadyClock::now();
    bool queued = processor.Submit(
        SubmitContact{Contact(i), KeyActor("soak"), "", ""}, [&, sent, i](CommandResult r) {
          latencies.Add(
              std::chrono::duration<double, std::milli>(SteadyClock::now() - sent).count());
          if (!r.status.ok()) {
            if (failed.fetch_add(1) == 0) std::cerr << "first failure: " << r.status << "\n";
            return;
          }
          acknowledged.fetch_add(1);
          if (i % 2 != 0) return;
          v1::DecisionRequest d;
          d.set_route(v1::Route::MASH);
          d.set_rag(v1::Rag::AMBER);
          d.set_reason("SYNTHETIC: needs the MASH");
          auto decision_sent = SteadyClock::now();
          processor.Submit(RecordDecision{r.contact->contact().id(), d, KeyActor("soak-triage")},
                           [&, decision_sent](CommandResult dr) {
                             latencies.Add(std::chrono::duration<double, std::milli>(
                                               SteadyClock::now() - decision_sent)
                                               .count());
                             if (dr.status.ok()) {
                               decided.fetch_add(1);
                             } else {
                               failed.fetch_add(1);
                             }
                           });
        });
    if (!queued) failed.fetch_add(1);
    auto now = SteadyClock::now();
    if (now >= next_tick) {
      // Twenty minutes of business time a second: timescales fall due.
      processor.Submit(SetClock{.to = std::nullopt, .advance = std::chrono::minutes(20)},
                       [&](CommandResult r) {
                         if (!r.status.ok()) failed.fetch_add(1);
                       });
      next_tick += std::chrono::seconds(1);
    }
    if (now >= next_reload) {
      auto reloaded = load();
      if (reloaded.ok()) {
        policies.Set(std::move(*reloaded));
        ++reloads;
      } else {
        failed.fetch_add(1);
      }
      next_reload += std::chrono::seconds(reload_seconds);
    }
    if (now >= next_sample) {
      std::vector<double> ms = latencies.Take();
      std::printf("%6lld %10ld %8ld %6zu %8ld %10zu %9.2f %9.2f %7ld\n",
                  static_cast<long long>(
                      std::chrono::duration_cast<std::chrono::seconds>(now - start).count()),
                  acknowledged.load(), decided.load(), CountFiles("/proc/self/fd"), RssKb(),
                  CountFiles(dir / "spool"), At(ms, 0.5), At(ms, 0.99), failed.load());
      std::fflush(stdout);
      next_sample += std::chrono::seconds(sample_seconds);
    }
  }
  processor.Stop();
  outbox.Stop();
  std::printf("done: %ld contacts, %ld decided, %d policy reloads, %ld failed\n",
              acknowledged.load(), decided.load(), reloads, failed.load());
  store->reset();
  std::filesystem::remove_all(dir);
  return failed.load() == 0 && acknowledged.load() > 0 ? 0 : 1;
}
