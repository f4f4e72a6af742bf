// Writing a metrics snapshot as Prometheus text.
#include "adapters/http/prometheus.h"

#include "absl/strings/str_format.h"

namespace frontdoor {

namespace {

std::string_view KindName(MetricKind kind) {
  switch (kind) {
    case MetricKind::kCounter:
      return "counter";
    case MetricKind::kGauge:
      return "gauge";
    case MetricKind::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// Enough digits that the value reads back exactly.
std::string Number(double v) { return absl::StrFormat("%.17g", v); }

std::string Series(const std::string& name, const std::string& labels,
                   const std::string& extra = "") {
  std::string all = labels;
  if (!extra.empty()) all = all.empty() ? extra : all + "," + extra;
  return all.empty() ? name : name + "{" + all + "}";
}

}  // namespace

std::string PrometheusText(const MetricsSnapshot& snapshot) {
  std::string out;
  for (const MetricFamily& f : snapshot.families) {
    const std::string& name = f.name;
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " +
           std::string(KindName(f.kind)) + "\n";
    for (const auto& [labels, value] : f.counters) {
      out += Series(name, labels) + " " + std::to_string(value) + "\n";
    }
    for (const auto& [labels, value] : f.gauges) {
      out += Series(name, labels) + " " + Number(value) + "\n";
    }
    for (const auto& [labels, h] : f.histograms) {
      for (size_t i = 0; i < h.bounds.size(); ++i) {
        out += Series(name + "_bucket", labels, "le=\"" + Number(h.bounds[i]) + "\"") + " " +
               std::to_string(h.cumulative[i]) + "\n";
      }
      out += Series(name + "_bucket", labels, "le=\"+Inf\"") + " " +
             std::to_string(h.cumulative.back()) + "\n";
      out += Series(name + "_sum", labels) + " " + Number(h.sum) + "\n";
      out += Series(name + "_count", labels) + " " + std::to_string(h.count) + "\n";
    }
  }
  return out;
}

}  // namespace frontdoor
