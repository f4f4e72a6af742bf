// Counters, gauges and histograms, kept for GET /metrics. Small on purpose:
// Debian has no Prometheus client for C++, and the front door needs only
// these three kinds. The registry hands out a snapshot (data); the Prometheus
// text is written by adapters/http/prometheus.h.
//
// Thread safety: every method may be called from any thread. Counter and
// Histogram updates are lock-free; finding or creating a series and taking a
// snapshot take a lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "frontdoor/thread_annotations.h"

namespace frontdoor {

class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Histogram {
 public:
  // `bounds` are the buckets' upper edges, ascending; +Inf is added.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, then +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Seconds buckets from 100 microseconds to 10 seconds.
std::vector<double> LatencyBuckets();

enum class MetricKind { kCounter, kGauge, kHistogram };

// One family of series (one name) as it was when the snapshot was taken.
struct MetricFamily {
  std::string name;
  MetricKind kind = MetricKind::kCounter;  // the kind it was first registered as
  std::string help;
  // Series by their labels (the text inside the braces), in label order.
  std::vector<std::pair<std::string, uint64_t>> counters;
  std::vector<std::pair<std::string, double>> gauges;
  std::vector<std::pair<std::string, Histogram::Snapshot>> histograms;
};

struct MetricsSnapshot {
  std::vector<MetricFamily> families;  // in name order

  // The value of the counter or gauge series `name{labels}`; nullopt when
  // there is none.
  std::optional<double> Value(std::string_view name, std::string_view labels = "") const;
};

class MetricsRegistry {
 public:
  // Finds or creates the series `name{labels}`; `labels` is the text
  // inside the braces, e.g. `route="/v1/contacts",status="201"`. The
  // reference stays valid for the registry's life.
  Counter& GetCounter(const std::string& name, const std::string& help,
                      const std::string& labels = "");
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          const std::vector<double>& bounds, const std::string& labels = "");
  // A value read each time a snapshot is taken.
  void AddGauge(const std::string& name, const std::string& help, std::function<double()> read,
                const std::string& labels = "");

  // Every series now; gauges are read outside the lock.
  MetricsSnapshot Snapshot() const;

 private:
  struct Family {
    MetricKind kind = MetricKind::kCounter;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
    std::map<std::string, std::function<double()>> gauges;
  };
  Family& FamilyLocked(const std::string& name, MetricKind kind, const std::string& help)
      EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, Family> families_ GUARDED_BY(mu_);
};

}  // namespace frontdoor
