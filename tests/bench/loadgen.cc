// frontdoor_loadgen: posts realistic synthetic contacts (about 1 KB, varied)
// to a running server over N keep-alive connections and reports contacts/s
// and the latency of the durable acknowledgement (p50, p99, p99.9). Each
// connection sends its next contact as soon as the last is acknowledged
// (closed loop). It stops by itself after --seconds or --requests, and only
// ever talks to the address it is given (use loopback). With --get PATH it
// reads instead: GET PATH on every request, counting 200s (the read
// audit's cost is measured so).
//
//   frontdoor_loadgen --port 8080 --token TOKEN [--host 127.0.0.1]
//       [--connections 64] [--seconds 10] [--warmup 2] [--requests N] [--get PATH]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/http.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string token;
  int connections = 64;
  double seconds = 10;
  double warmup = 2;
  long requests = 0;  // 0: run for --seconds
  std::string get;    // empty: POST contacts
};

struct Totals {
  std::vector<double> latencies_ms;  // measured (after warm-up) acknowledgements
  long created = 0;
  long other = 0;
  long errors = 0;
};

// A pool of varied, realistic bodies: names, ages, concerns, sources and
// narrative lengths differ, all synthetic.
std::vector<std::string> MakeBodies(size_t n) {
  static const char* kGiven[] = {"Sam",    "Alex",  "Jordan", "Casey",   "Riley",
                                 "Morgan", "Jamie", "Taylor", "Charlie", "Robin"};
  static const char* kFamily[] = {"Example", "Sample", "Testcase", "Placeholder", "Dummy"};
  static const char* kSources[] = {"POLICE",         "SCHOOLS",           "HEALTH_GP",
                                   "HEALTH_VISITOR", "INDIVIDUAL_FAMILY", "HOUSING",
                                   "LA_EARLY_HELP"};
  static const char* kConcerns[] = {"\"NEGLECT\"",
                                    "\"DOMESTIC_ABUSE\"",
                                    "\"PARENTING_SUPPORT\", \"HOUSING\"",
                                    "\"SCHOOL_ATTENDANCE\"",
                                    "\"PARENTAL_MENTAL_HEALTH\", \"NEGLECT\"",
                                    "\"CHILD_MENTAL_HEALTH\"",
                                    "\"FINANCIAL_HARDSHIP\"",
                                    "\"EMOTIONAL_ABUSE\""};
  static const char* kPostcodes[] = {"CH41 5LH", "CH43 7QT", "CH44 0AD", "CH62 4UE", "L1 8JQ"};
  std::mt19937 rng(42);
  std::vector<std::string> bodies;
  for (size_t i = 0; i < n; ++i) {
    std::string narrative = "Synthetic referral " + std::to_string(i) +
                            ": the referrer is worried about the child's care at home. ";
    int extra = static_cast<int>(rng() % 6);
    for (int k = 0; k < extra; ++k) {
      narrative += "They have noticed changes in behaviour and attendance over recent weeks. ";
    }
    char body[4096];
    std::snprintf(
        body, sizeof body,
        "{\"external_ref\":\"LOAD-%zu\",\"channel\":\"PARTNER_API\",\"source\":\"%s\","
        "\"referrer\":{\"name\":\"Referrer %zu\",\"organisation\":\"Example Agency\","
        "\"role\":\"Practitioner\",\"email\":\"referrer%zu@agency.example.org\","
        "\"phone\":\"01632 960%03zu\"},"
        "\"consent\":{\"status\":\"GIVEN\"},"
        "\"children\":[{\"given_name\":\"%s\",\"family_name\":\"%s\","
        "\"date_of_birth\":\"20%02d-%02d-%02d\",\"postcode\":\"%s\",\"sex\":\"U\"}],"
        "\"concerns\":[%s],\"immediate_risk\":false,"
        "\"narrative\":\"%s\",\"what_would_help\":\"Help for the family with routines.\"}",
        i, kSources[rng() % 7], i, i, i % 1000, kGiven[rng() % 10], kFamily[rng() % 5],
        static_cast<int>(10 + rng() % 15), static_cast<int>(1 + rng() % 12),
        static_cast<int>(1 + rng() % 28), kPostcodes[rng() % 5], kConcerns[rng() % 8],
        narrative.c_str());
    bodies.emplace_back(body);
  }
  return bodies;
}

asio::awaitable<void> Connection(const Options& o, const std::vector<std::string>& bodies,
                                 int index, Clock::time_point measure_from,
                                 Clock::time_point stop_at, std::atomic<long>& budget,
                                 Totals& totals) {
  auto executor = co_await asio::this_coro::executor;
  beast::tcp_stream stream(executor);
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address(o.host), o.port);
  auto [connect_ec] = co_await stream.async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
  if (connect_ec) {
    ++totals.errors;
    co_return;
  }
  stream.socket().set_option(asio::ip::tcp::no_delay(true));
  beast::flat_buffer buffer;
  size_t next = static_cast<size_t>(index);
  while (Clock::now() < stop_at) {
    if (o.requests > 0 && budget.fetch_sub(1) <= 0) break;
    const bool reading = !o.get.empty();
    http::request<http::string_body> req(reading ? http::verb::get : http::verb::post,
                                         reading ? o.get : "/v1/contacts", 11);
    req.set(http::field::host, o.host);
    req.set(http::field::authorization, "Bearer " + o.token);
    if (!reading) {
      req.set(http::field::content_type, "application/json");
      req.body() = bodies[next % bodies.size()];
    }
    next += static_cast<size_t>(o.connections);
    req.prepare_payload();
    auto start = Clock::now();
    auto [write_ec, w] =
        co_await http::async_write(stream, req, asio::as_tuple(asio::use_awaitable));
    http::response<http::string_body> res;
    boost::system::error_code read_ec;
    if (!write_ec) {
      auto [ec, r] =
          co_await http::async_read(stream, buffer, res, asio::as_tuple(asio::use_awaitable));
      read_ec = ec;
    }
    if (write_ec || read_ec) {
      ++totals.errors;
      co_return;
    }
    auto end = Clock::now();
    if (res.result() == (reading ? http::status::ok : http::status::created)) {
      if (start >= measure_from) {
        ++totals.created;
        totals.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(end - start).count());
      }
    } else {
      ++totals.other;
    }
  }
  boost::system::error_code ec;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1));
  return sorted[i];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--host")
      o.host = value;
    else if (flag == "--port")
      o.port = static_cast<uint16_t>(std::stoi(value));
    else if (flag == "--token")
      o.token = value;
    else if (flag == "--connections")
      o.connections = std::stoi(value);
    else if (flag == "--seconds")
      o.seconds = std::stod(value);
    else if (flag == "--warmup")
      o.warmup = std::stod(value);
    else if (flag == "--requests")
      o.requests = std::stol(value);
    else if (flag == "--get")
      o.get = value;
    else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (o.token.empty()) {
    std::cerr << "usage: frontdoor_loadgen --port PORT --token TOKEN [--connections 64] "
                 "[--seconds 10] [--warmup 2] [--requests N] [--get PATH]\n";
    return 2;
  }
  auto bodies = MakeBodies(4096);
  size_t bytes = 0;
  for (const auto& b : bodies) bytes += b.size();

  asio::io_context ioc(1);
  auto begin = Clock::now();
  auto measure_from = begin + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(o.requests > 0 ? 0 : o.warmup));
  auto stop_at = o.requests > 0 ? Clock::time_point::max()
                                : measure_from + std::chrono::duration_cast<Clock::duration>(
                                                     std::chrono::duration<double>(o.seconds));
  std::atomic<long> budget(o.requests);
  std::vector<Totals> totals(static_cast<size_t>(o.connections));
  for (int i = 0; i < o.connections; ++i) {
    asio::co_spawn(
        ioc,
        Connection(o, bodies, i, measure_from, stop_at, budget, totals[static_cast<size_t>(i)]),
        asio::detached);
  }
  ioc.run();
  auto end = Clock::now();

  Totals all;
  for (auto& t : totals) {
    all.latencies_ms.insert(all.latencies_ms.end(), t.latencies_ms.begin(), t.latencies_ms.end());
    all.created += t.created;
    all.other += t.other;
    all.errors += t.errors;
  }
  std::sort(all.latencies_ms.begin(), all.latencies_ms.end());
  double elapsed = std::chrono::duration<double>(end - std::max(measure_from, begin)).count();
  double rate = static_cast<double>(all.created) / elapsed;
  const bool reading = !o.get.empty();
  std::printf(
      "connections %d, body %.0f bytes on average, %.1f s measured\n"
      "%s %ld (%.0f %s/s), other statuses %ld, connection errors %ld\n"
      "%s latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n",
      o.connections,
      reading ? 0.0 : static_cast<double>(bytes) / static_cast<double>(bodies.size()), elapsed,
      reading ? "answered" : "created", all.created, rate, reading ? "reads" : "contacts",
      all.other, all.errors, reading ? "answer" : "durable acknowledgement",
      Percentile(all.latencies_ms, 50), Percentile(all.latencies_ms, 90),
      Percentile(all.latencies_ms, 99), Percentile(all.latencies_ms, 99.9),
      all.latencies_ms.empty() ? 0 : all.latencies_ms.back());
  return all.errors == 0 && all.other == 0 ? 0 : 1;
}
