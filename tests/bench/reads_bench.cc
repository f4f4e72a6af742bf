// frontdoor_reads_bench: how long one worklist page takes when its filter
// matches nothing, at tens of thousands of waiting contacts, before and
// after the filter indexes. "scan" loads every contact of the queue, as
// ReadWorklist did before; "rank seek" is the RAG filter reading the key's
// rank (engine/queries.cc); "sources cold/warm" is the source filter with
// WorklistSources empty (first read after a start) and filled.
//
//   frontdoor_reads_bench [--contacts 80000] [--runs 5] [--dir /tmp/...]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include "engine/active_policy.h"
#include "engine/processor.h"
#include "engine/queries.h"
#include "tests/support/source_tree.h"

using namespace frontdoor;

namespace {

// Concerns the default policy rates amber, green or not at all: nothing red,
// so a red filter matches nothing on the triage queue.
v1::ContactSubmission Contact(int i) {
  static const v1::Concern::Code kConcerns[] = {v1::Concern::PARENTING_SUPPORT,
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
  s.add_concerns(kConcerns[i % 2]);
  s.set_immediate_risk(false);
  s.set_narrative(std::string(600, 'n'));
  return s;
}

// The worklist as it was read before the indexes: every entry's contact
// loaded and filtered row by row, until the page is full or the queue ends.
size_t Scan(const Store& store, const WorklistQuery& query) {
  size_t rows = 0;
  std::optional<Store::WorklistEntry> cursor;
  for (;;) {
    auto entries = store.Worklist(query.queue, query.limit, cursor ? &*cursor : nullptr);
    if (!entries.ok()) return rows;
    for (const auto& entry : *entries) {
      cursor = entry;
      auto record = store.GetContact(entry.contact_id);
      if (!record.ok() || !record->has_value()) continue;
      const v1::Contact& c = (*record)->contact();
      if (query.source && c.source() != *query.source) continue;
      if (query.rag && CurrentRag(c) != *query.rag) continue;
      if (++rows == query.limit) return rows;
    }
    if (entries->size() < query.limit) return rows;
  }
}

// Median milliseconds of `runs` calls.
double MedianMs(int runs, const std::function<void()>& read) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    read();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int contacts = 80000, runs = 5;
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("frontdoor-reads-" + std::to_string(::getpid()));
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 < argc && flag == "--contacts") {
      contacts = std::stoi(argv[++i]);
    } else if (i + 1 < argc && flag == "--runs") {
      runs = std::max(1, std::stoi(argv[++i]));
    } else if (i + 1 < argc && flag == "--dir") {
      dir = argv[++i];
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  std::filesystem::remove_all(dir);
  StoreOptions store_options;
  store_options.sync = false;
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
  // 256 in flight, so that group commit fills the queue quickly.
  std::mutex mu;
  std::condition_variable cv;
  int outstanding = 0;
  std::atomic<int> failed{0};
  for (int i = 0; i < contacts; ++i) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return outstanding < 256; });
      ++outstanding;
    }
    bool queued = processor.Submit(SubmitContact{Contact(i), KeyActor("bench"), "", ""},
                                   [&](CommandResult r) {
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
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return outstanding == 0; });
  }
  processor.Stop();
  std::printf("waiting contacts: %d (%d failed)\n", contacts, failed.load());

  WorklistQuery red;
  red.rag = v1::Rag::RED;
  WorklistQuery health;
  health.source = v1::Source::HEALTH_GP;
  size_t rows = 0;
  auto report = [&](const char* what, double ms) {
    std::printf("%-38s %9.2f ms  (%zu rows)\n", what, ms, rows);
  };
  report("rag=RED, scan (before)", MedianMs(runs, [&] { rows = Scan(**store, red); }));
  report("rag=RED, rank seek (after)",
         MedianMs(runs, [&] { rows = ReadWorklist(**store, red)->contacts_size(); }));
  report("source=HEALTH_GP, scan (before)", MedianMs(runs, [&] { rows = Scan(**store, health); }));
  WorklistSources sources;
  health.sources = &sources;
  report("source=HEALTH_GP, sources cold (after)",
         MedianMs(1, [&] { rows = ReadWorklist(**store, health)->contacts_size(); }));
  report("source=HEALTH_GP, sources warm (after)",
         MedianMs(runs, [&] { rows = ReadWorklist(**store, health)->contacts_size(); }));
  WorklistQuery first_page;
  report("no filter, first page of 100",
         MedianMs(runs, [&] { rows = ReadWorklist(**store, first_page)->contacts_size(); }));
  store->reset();
  std::filesystem::remove_all(dir);
  return failed.load() == 0 ? 0 : 1;
}
