// The metrics in the Prometheus text exposition format 0.0.4, the body of
// GET /metrics: families in name order, each with its HELP and TYPE lines,
// then its counters, gauges and histograms (buckets, +Inf, _sum, _count).
#pragma once

#include <string>

#include "engine/metrics.h"

namespace frontdoor {

std::string PrometheusText(const MetricsSnapshot& snapshot);

}  // namespace frontdoor
