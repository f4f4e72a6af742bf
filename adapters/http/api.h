// The HTTP API of CONTRACT.md, as the server sees it: one object that
// answers a request (Handle) or takes a connection over for the live feed
// (Stream). Behind it: the route table (router.h), the handlers by resource
// (handlers.h), the one problem builder (problem.h) and query parsing
// (query_params.h). It turns requests into engine commands and queries; it
// owns no state of its own. Reads go straight to the store on the I/O
// thread (DESIGN.md principle 7); changes go through the Processor and are
// answered once durable.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "adapters/http/auth.h"
#include "adapters/http/auth_gate.h"
#include "adapters/http/config.h"
#include "adapters/http/live_feed.h"
#include "adapters/http/static_files.h"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/ip/address.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/http/message.hpp"
#include "boost/beast/http/string_body.hpp"
#include "engine/active_policy.h"
#include "engine/audit_log.h"
#include "engine/clock.h"
#include "engine/deliveries.h"
#include "engine/delivery_watch.h"
#include "engine/letters.h"
#include "engine/metrics.h"
#include "engine/policy_library.h"
#include "engine/processor.h"
#include "engine/store.h"

namespace frontdoor {

class WorklistSources;

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// A receiver that answers for each event, as the admin API sees it: its
// queue (dead letters, replay, figures) and, for a webhook subscription, its
// settings from the config (never the secrets); absent for email.
struct DeliveryChannel {
  DeliveryQueue* queue = nullptr;
  std::optional<v1::Subscription> subscription;
};

struct ApiDependencies {
  Store* store = nullptr;
  Processor* processor = nullptr;
  PolicySlot* policies = nullptr;
  PolicyLibrary* library = nullptr;
  Clock* clock = nullptr;
  MetricsRegistry* metrics = nullptr;
  DeliveryWatch* delivery = nullptr;
  // The API keys in force and the failed-sign-in throttle.
  AuthGate* auth = nullptr;
  // Loads the policy file again and swaps it in; errors name what is wrong.
  std::function<absl::Status()> reload_policy;
  // The read audit: every read of a child's data is recorded before it is
  // answered. Null records nothing (unit tests of other parts).
  AuditLog* audit = nullptr;
  // How each letter went out (GET /v1/letters...); null: reads only, from
  // the store, and POST /v1/letters/{id}/posted answers 503.
  LetterBook* letters = nullptr;
  // The live feed for GET /v1/stream; null answers 404.
  LiveFeed* feed = nullptr;
  // The OpenID provider the pages sign in through; null: pasted tokens only.
  const OidcConfig* oidc = nullptr;
  // The web app's files; null serves none.
  const WebRoot* web = nullptr;
  // Every delivery channel (webhook subscriptions, email), in config order:
  // GET /v1/admin/deliveries, replays, GET /v1/admin/subscriptions.
  std::vector<DeliveryChannel> channels;
  // How long POST /v1/admin/clock waits for sinks to deliver what the
  // timers it fired emitted. Default: 10 s.
  std::chrono::milliseconds delivery_wait{10'000};
  // The reader pool for heavy reads (reader_pool.h): its threads, and the
  // reads under way or waiting before 503s. Default: 2 and 32.
  size_t reader_threads = 2;
  size_t reader_queue = 32;
  // The contacts' sources the worklist filter has seen (engine/queries.h);
  // null: the Api keeps its own.
  WorklistSources* worklist_sources = nullptr;
};

class Api {
 public:
  explicit Api(ApiDependencies deps);
  ~Api();

  // Answers one request. Runs on the connection's strand; never throws.
  // `peer` is the client's address (loopback may read /metrics unsigned);
  // `client_certificate` the RFC 2253 subject of the client certificate the
  // TLS handshake verified, empty when none.
  boost::asio::awaitable<Response> Handle(Request request, boost::asio::ip::address peer,
                                          std::string client_certificate = {});

  // For a request whose body has not been read (Expect: 100-continue): the
  // refusal its head alone earns, before the client is told to send the
  // body: 401 or 403 when the route needs a role the caller lacks. nullopt
  // when the body may come (or the route is unknown: Handle answers that).
  std::optional<Response> RefuseBeforeBody(const Request& head, boost::asio::ip::address peer,
                                           const std::string& client_certificate);

  // GET /v1/stream is answered by Stream, which takes the connection over.
  static bool IsStream(const Request& request);
  // Checks the caller, then writes Server-Sent Events from the live feed
  // until the client goes, the feed closes (shutdown) or a write fails.
  // `AsyncStream` is beast::tcp_stream or beast::ssl_stream<tcp_stream>
  // (instantiated in api.cc for those two only).
  template <typename AsyncStream>
  boost::asio::awaitable<void> Stream(Request request, AsyncStream& stream,
                                      boost::asio::ip::address peer,
                                      std::string client_certificate);

  // A response for a request the server could not even read (too large,
  // malformed head): the same problem, with the same headers, as the API's
  // own (MakeProblem in problem.h).
  // Test seam: called on a reader thread before each heavy read
  // (ReaderPool::SetBeforeRead).
  void SetBeforeHeavyRead(std::function<void()> hook);

  static Response Problem(unsigned version, boost::beast::http::status status,
                          std::string_view slug, std::string_view title, std::string detail);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frontdoor
