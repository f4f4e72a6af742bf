// The Prometheus text of a metrics snapshot, byte for byte: families in name
// order with HELP and TYPE, series in label order, gauges read when the
// snapshot is taken, histograms with cumulative buckets, +Inf, sum and count.
#include "adapters/http/prometheus.h"

#include <gtest/gtest.h>

namespace frontdoor {
namespace {

TEST(PrometheusText, WritesEveryKindInTheTextFormat) {
  MetricsRegistry metrics;
  metrics.GetCounter("frontdoor_requests_total", "Requests answered", "status=\"500\"").Increment();
  metrics.GetCounter("frontdoor_requests_total", "Requests answered", "status=\"200\"")
      .Increment(41);
  double queue = 3;
  metrics.AddGauge("frontdoor_queue", "Commands waiting", [&queue] { return queue; });
  Histogram& seconds =
      metrics.GetHistogram("frontdoor_commit_seconds", "Time to commit", {0.001, 0.25});
  seconds.Observe(0.0005);
  seconds.Observe(0.1);
  seconds.Observe(7);
  queue = 4.5;  // read when the snapshot is taken, not when added
  EXPECT_EQ(PrometheusText(metrics.Snapshot()),
            "# HELP frontdoor_commit_seconds Time to commit\n"
            "# TYPE frontdoor_commit_seconds histogram\n"
            "frontdoor_commit_seconds_bucket{le=\"0.001\"} 1\n"
            "frontdoor_commit_seconds_bucket{le=\"0.25\"} 2\n"
            "frontdoor_commit_seconds_bucket{le=\"+Inf\"} 3\n"
            "frontdoor_commit_seconds_sum 7.1005000000000003\n"
            "frontdoor_commit_seconds_count 3\n"
            "# HELP frontdoor_queue Commands waiting\n"
            "# TYPE frontdoor_queue gauge\n"
            "frontdoor_queue 4.5\n"
            "# HELP frontdoor_requests_total Requests answered\n"
            "# TYPE frontdoor_requests_total counter\n"
            "frontdoor_requests_total{status=\"200\"} 41\n"
            "frontdoor_requests_total{status=\"500\"} 1\n");
}

TEST(PrometheusText, HistogramLabelsComeBeforeTheBucketBound) {
  MetricsRegistry metrics;
  metrics.GetHistogram("frontdoor_http_request_seconds", "Latency", {0.5}, "route=\"/healthz\"")
      .Observe(0.25);
  EXPECT_EQ(PrometheusText(metrics.Snapshot()),
            "# HELP frontdoor_http_request_seconds Latency\n"
            "# TYPE frontdoor_http_request_seconds histogram\n"
            "frontdoor_http_request_seconds_bucket{route=\"/healthz\",le=\"0.5\"} 1\n"
            "frontdoor_http_request_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1\n"
            "frontdoor_http_request_seconds_sum{route=\"/healthz\"} 0.25\n"
            "frontdoor_http_request_seconds_count{route=\"/healthz\"} 1\n");
}

TEST(PrometheusText, EmptyRegistryWritesNothing) {
  EXPECT_EQ(PrometheusText(MetricsRegistry().Snapshot()), "");
}

TEST(MetricsSnapshot, ValueFindsCountersAndGauges) {
  MetricsRegistry metrics;
  metrics.GetCounter("c", "", "x=\"1\"").Increment(2);
  metrics.AddGauge("g", "", [] { return 0.5; });
  MetricsSnapshot snapshot = metrics.Snapshot();
  EXPECT_EQ(snapshot.Value("c", "x=\"1\""), 2);
  EXPECT_EQ(snapshot.Value("g"), 0.5);
  EXPECT_EQ(snapshot.Value("c"), std::nullopt);
  EXPECT_EQ(snapshot.Value("missing"), std::nullopt);
}

}  // namespace
}  // namespace frontdoor
