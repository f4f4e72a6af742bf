// The metrics registry: series found or created under a lock, updated
// without one, and read out as a snapshot.
#include "engine/metrics.h"

#include <algorithm>

namespace frontdoor {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double value) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  double sum = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(sum, sum + value, std::memory_order_relaxed)) {
  }
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.bounds = bounds_;
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

MetricsRegistry::Family& MetricsRegistry::FamilyLocked(const std::string& name, MetricKind kind,
                                                       const std::string& help) {
  auto [it, created] = families_.try_emplace(name);
  if (created) {
    it->second.kind = kind;
    it->second.help = help;
  }
  return it->second;
}

Counter& MetricsRegistry::GetCounter(const std::string& name, const std::string& help,
                                     const std::string& labels) {
  absl::MutexLock lock(&mu_);
  auto& slot = FamilyLocked(name, MetricKind::kCounter, help).counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Histogram& MetricsRegistry::GetHistogram(const std::string& name, const std::string& help,
                                         const std::vector<double>& bounds,
                                         const std::string& labels) {
  absl::MutexLock lock(&mu_);
  auto& slot = FamilyLocked(name, MetricKind::kHistogram, help).histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(bounds);
  return *slot;
}

void MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                               std::function<double()> read, const std::string& labels) {
  absl::MutexLock lock(&mu_);
  FamilyLocked(name, MetricKind::kGauge, help).gauges[labels] = std::move(read);
}

MetricsSnapshot MetricsRegistry::Snapshot() const {
  MetricsSnapshot out;
  // Gauges read other parts of the front door (the store, the writer's
  // queue), so they are called after the lock is let go.
  std::vector<std::vector<std::function<double()>>> gauges;
  {
    absl::MutexLock lock(&mu_);
    out.families.reserve(families_.size());
    gauges.reserve(families_.size());
    for (const auto& [name, f] : families_) {
      MetricFamily& family = out.families.emplace_back();
      family.name = name;
      family.kind = f.kind;
      family.help = f.help;
      for (const auto& [labels, c] : f.counters) family.counters.emplace_back(labels, c->value());
      for (const auto& [labels, h] : f.histograms)
        family.histograms.emplace_back(labels, h->Read());
      std::vector<std::function<double()>>& reads = gauges.emplace_back();
      for (const auto& [labels, read] : f.gauges) {
        family.gauges.emplace_back(labels, 0);
        reads.push_back(read);
      }
    }
  }
  for (size_t i = 0; i < gauges.size(); ++i) {
    for (size_t j = 0; j < gauges[i].size(); ++j) {
      out.families[i].gauges[j].second = gauges[i][j]();
    }
  }
  return out;
}

std::optional<double> MetricsSnapshot::Value(std::string_view name, std::string_view labels) const {
  for (const MetricFamily& family : families) {
    if (family.name != name) continue;
    for (const auto& [l, value] : family.counters) {
      if (l == labels) return static_cast<double>(value);
    }
    for (const auto& [l, value] : family.gauges) {
      if (l == labels) return value;
    }
  }
  return std::nullopt;
}

}  // namespace frontdoor
