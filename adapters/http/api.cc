// The API's front: reads the request target, finds the route (router.cc),
// checks the caller's role, hands over to the route's handler (handlers.h)
// or to the web app's files, and counts and logs every answer. Problems are
// built in problem.cc, the stream in stream.cc.
#include "adapters/http/api.h"

#include <map>
#include <tuple>

#include "adapters/http/handler_support.h"
#include "adapters/http/log_safe.h"
#include "adapters/http/problem.h"
#include "adapters/http/reader_pool.h"
#include "adapters/http/router.h"
#include "adapters/http/stream.h"
#include "boost/beast/ssl/ssl_stream.hpp"
#include "boost/url/parse.hpp"
#include "engine/queries.h"
#include "spdlog/spdlog.h"

namespace frontdoor {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace urls = boost::urls;

struct Api::Impl {
  explicit Impl(ApiDependencies d)
      : deps(std::move(d)),
        router(ApiRoutes()),
        readers(std::make_unique<ReaderPool>(
            ReaderOptions{.threads = deps.reader_threads, .queue_limit = deps.reader_queue})) {
    if (deps.worklist_sources == nullptr) deps.worklist_sources = &sources;
    if (deps.metrics != nullptr) {
      latency =
          &deps.metrics->GetHistogram("frontdoor_http_request_seconds",
                                      "Time from a request read to its answer", LatencyBuckets());
    }
  }

  asio::awaitable<Response> Dispatch(Call& call, std::string_view* route_pattern) {
    auto target = urls::parse_origin_form(
        std::string_view(call.req.target().data(), call.req.target().size()));
    if (!target) {
      co_return MakeProblem(call.version(), http::status::bad_request, "bad-target",
                            "Bad request target", "the request target is not a valid path");
    }
    call.query = target->params();
    std::vector<std::string> segments;
    for (auto segment : target->segments()) segments.push_back(segment);

    Router::Match match = router.Find(call.req.method(), segments);
    if (match.route == nullptr && deps.web != nullptr && match.allow.empty() &&
        (call.req.method() == http::verb::get || call.req.method() == http::verb::head) &&
        (segments.empty() || (segments[0] != "v1" && segments[0] != "healthz" &&
                              segments[0] != "readyz" && segments[0] != "metrics"))) {
      *route_pattern = "static";
      if (auto file = deps.web->Serve(segments, call.req.version(),
                                      call.req.method() == http::verb::head)) {
        co_return std::move(*file);
      }
    }
    if (match.route == nullptr) {
      if (!match.allow.empty()) {
        Response res =
            MakeProblem(call.version(), http::status::method_not_allowed, "method-not-allowed",
                        "Method not allowed", "this path takes " + match.allow);
        res.set(http::field::allow, match.allow);
        co_return res;
      }
      co_return MakeProblem(call.version(), http::status::not_found, "not-found", "Not found",
                            "there is nothing at this path");
    }
    const Route& route = *match.route;
    call.params = std::move(match.params);
    *route_pattern = route.pattern;
    if (route.roles != roles::kPublic) {
      auto admitted =
          Admit(deps, call.req, call.peer.to_string(), call.client_certificate, route.roles);
      if (auto* refusal = std::get_if<Response>(&admitted)) co_return std::move(*refusal);
      call.who = std::get<Principal>(std::move(admitted));
    }
    if (route.heavy) co_return co_await readers->Run(route.handler, deps, call);
    co_return co_await route.handler(deps, call);
  }

  // The counter for one route, method and status. Patterns are the
  // routes' own string literals, so their addresses can key a per-thread
  // cache that spares the registry's lock and string building.
  Counter& RequestCounter(std::string_view pattern, http::verb method, unsigned status) {
    thread_local std::map<std::tuple<const void*, int, unsigned>, Counter*> cache;
    auto key =
        std::make_tuple(static_cast<const void*>(pattern.data()), static_cast<int>(method), status);
    Counter*& counter = cache[key];
    if (counter == nullptr) {
      counter = &deps.metrics->GetCounter("frontdoor_http_requests_total", "HTTP requests answered",
                                          "route=\"" + std::string(pattern) + "\",method=\"" +
                                              std::string(http::to_string(method)) +
                                              "\",status=\"" + std::to_string(status) + "\"");
    }
    return *counter;
  }

  ApiDependencies deps;
  Router router;
  Histogram* latency = nullptr;
  WorklistSources sources;
  // Last, so that it is joined before what the reads use goes.
  std::unique_ptr<ReaderPool> readers;
};

Api::Api(ApiDependencies deps) : impl_(std::make_unique<Impl>(std::move(deps))) {}
Api::~Api() = default;

void Api::SetBeforeHeavyRead(std::function<void()> hook) {
  impl_->readers->SetBeforeRead(std::move(hook));
}

asio::awaitable<Response> Api::Handle(Request request, asio::ip::address peer,
                                      std::string client_certificate) {
  auto start = std::chrono::steady_clock::now();
  Call call{request, peer, std::move(client_certificate), std::nullopt, {}, {}, {}};
  std::string_view pattern = "unmatched";
  Response res;
  try {
    res = co_await impl_->Dispatch(call, &pattern);
  } catch (const std::exception& e) {
    // A thrown exception is a bug; the client still gets an answer.
    spdlog::error("handler threw on {} {}: {}", std::string(request.method_string()),
                  std::string(pattern), e.what());
    res = MakeProblem(request.version(), http::status::internal_server_error, "internal",
                      "Internal error", "something went wrong on our side; it has been logged");
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (impl_->deps.metrics != nullptr) {
    impl_->RequestCounter(pattern, request.method(), res.result_int()).Increment();
    impl_->latency->Observe(seconds);
  }
  // Ids and timings only: never bodies, names or tokens.
  std::string_view path(request.target().data(), request.target().size());
  path = path.substr(0, path.find('?'));
  spdlog::info("{} {} {} {:.2f}ms{}{}", LogSafe(std::string(request.method_string())),
               LogSafe(path), res.result_int(), seconds * 1000,
               call.contact_id.empty() ? "" : " contact=", LogSafe(call.contact_id));
  co_return res;
}

std::optional<Response> Api::RefuseBeforeBody(const Request& head, asio::ip::address peer,
                                              const std::string& client_certificate) {
  auto target =
      urls::parse_origin_form(std::string_view(head.target().data(), head.target().size()));
  if (!target) return std::nullopt;
  std::vector<std::string> segments;
  for (auto segment : target->segments()) segments.push_back(segment);
  Router::Match match = impl_->router.Find(head.method(), segments);
  if (match.route == nullptr || match.route->roles == roles::kPublic) return std::nullopt;
  auto admitted =
      Admit(impl_->deps, head, peer.to_string(), client_certificate, match.route->roles);
  auto* refusal = std::get_if<Response>(&admitted);
  if (refusal == nullptr) return std::nullopt;
  if (impl_->deps.metrics != nullptr) {
    impl_->RequestCounter(match.route->pattern, head.method(), refusal->result_int()).Increment();
  }
  std::string_view path(head.target().data(), head.target().size());
  path = path.substr(0, path.find('?'));
  spdlog::info("{} {} {} before the body", LogSafe(std::string(head.method_string())),
               LogSafe(path), refusal->result_int());
  return std::move(*refusal);
}

bool Api::IsStream(const Request& request) {
  std::string_view target(request.target().data(), request.target().size());
  return request.method() == http::verb::get && target.substr(0, target.find('?')) == kStreamPath;
}

template <typename AsyncStream>
asio::awaitable<void> Api::Stream(Request request, AsyncStream& stream, asio::ip::address peer,
                                  std::string client_certificate) {
  co_await ServeStream(impl_->deps, std::move(request), stream, peer.to_string(),
                       std::move(client_certificate));
}

template asio::awaitable<void> Api::Stream(Request, boost::beast::tcp_stream&, asio::ip::address,
                                           std::string);
template asio::awaitable<void> Api::Stream(Request,
                                           boost::beast::ssl_stream<boost::beast::tcp_stream>&,
                                           asio::ip::address, std::string);

Response Api::Problem(unsigned version, http::status status, std::string_view slug,
                      std::string_view title, std::string detail) {
  return MakeProblem(version, status, slug, title, detail);
}

}  // namespace frontdoor
