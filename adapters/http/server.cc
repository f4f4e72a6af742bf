// Listener and connection coroutines on Boost.Beast, over TCP or TLS (one
// request loop, generic over the stream). I/O errors come back as values
// (as_tuple); an exception here would be a bug.
#include "adapters/http/server.h"

#include <array>
#include <atomic>
#include <map>
#include <optional>

#include "absl/synchronization/mutex.h"
#include "adapters/http/tls.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/strand.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/http/empty_body.hpp"
#include "boost/beast/http/error.hpp"
#include "boost/beast/http/parser.hpp"
#include "boost/beast/http/read.hpp"
#include "boost/beast/http/write.hpp"
#include "boost/beast/ssl/ssl_stream.hpp"
#include "frontdoor/thread_annotations.h"
#include "spdlog/spdlog.h"

namespace frontdoor {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kHeaderLimit = 16 * 1024;
// Out of file descriptors (or any other accept failure): wait this long
// before the next accept, doubling to kLongestPause, and log at most one
// line per kLongestPause.
constexpr std::chrono::milliseconds kFirstPause{50};
constexpr std::chrono::milliseconds kLongestPause{1000};
}  // namespace

struct HttpServer::State {
  State(asio::io_context& io, Api& a, ServerOptions o)
      : ioc(io), api(a), options(std::move(o)), acceptor(asio::make_strand(io)) {}

  asio::io_context& ioc;
  Api& api;
  const ServerOptions options;
  tcp::acceptor acceptor;

  absl::Mutex mu;
  bool stopping GUARDED_BY(mu) = false;
  uint64_t next_id GUARDED_BY(mu) = 0;
  // Connections waiting for their next request, which Shutdown cancels.
  struct Idle {
    asio::any_io_executor executor;
    beast::tcp_stream* stream;
  };
  std::map<uint64_t, Idle> idle GUARDED_BY(mu);
  // Open connections and /v1/stream subscribers, against the options' caps.
  std::atomic<size_t> connections{0};
  std::atomic<size_t> streams{0};
};

namespace {

Response TooLarge(unsigned version, size_t limit) {
  return Api::Problem(version, http::status::payload_too_large, "too-large",
                      "The body is too large", "the limit is " + std::to_string(limit) + " bytes");
}

// POST /v1/contacts:batch, whose bodies may be larger.
bool IsBatchTarget(std::string_view target) {
  target = target.substr(0, target.find('?'));
  return target == "/v1/contacts:batch";
}

// Holds one place in a counter (connections, streams) while alive.
class Place {
 public:
  explicit Place(std::atomic<size_t>& count) : count_(count) { count_.fetch_add(1); }
  ~Place() { count_.fetch_sub(1); }
  Place(const Place&) = delete;
  Place& operator=(const Place&) = delete;

 private:
  std::atomic<size_t>& count_;
};

// Every answer: browsers must not guess content types or leak the URL
// (which may carry a contact id) to other sites; /metrics is never cached.
void MarkSafe(Response& res, std::string_view target) {
  if (res.find("X-Content-Type-Options") == res.end()) {
    res.set("X-Content-Type-Options", "nosniff");
  }
  if (res.find("Referrer-Policy") == res.end()) {
    res.set("Referrer-Policy", "no-referrer");
  }
  if (target.substr(0, target.find('?')) == "/metrics" &&
      res.find(http::field::cache_control) == res.end()) {
    res.set(http::field::cache_control, "no-store");
  }
}

// 503 with Retry-After: a cap (connections, streams) is reached.
Response Busy(unsigned version, std::string_view what) {
  Response res = Api::Problem(version, http::status::service_unavailable, "busy",
                              "The server is busy", std::string(what) + "; try again shortly");
  res.set(http::field::retry_after, "1");
  return res;
}

// HTTPS answers, and only they, carry Strict-Transport-Security.
template <typename AsyncStream>
void MarkSecure(Response& res) {
  if constexpr (!std::is_same_v<AsyncStream, beast::tcp_stream>) {
    res.set(http::field::strict_transport_security, kStrictTransportSecurity);
  }
}

template <typename AsyncStream>
asio::awaitable<void> Answer(AsyncStream& stream, Response res) {
  res.keep_alive(false);
  MarkSecure<AsyncStream>(res);
  MarkSafe(res, "");
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  co_await http::async_write(stream, res, kUseTuple);
}

// A client whose body was refused may still be sending it; closing at once
// would reset the connection before it reads the answer. Stop sending, then
// read and drop what arrives, for a bounded time and amount.
template <typename AsyncStream>
asio::awaitable<void> Drain(AsyncStream& stream) {
  boost::system::error_code ec;
  auto& tcp = beast::get_lowest_layer(stream);
  if constexpr (std::is_same_v<AsyncStream, beast::tcp_stream>) {
    tcp.socket().shutdown(tcp::socket::shutdown_send, ec);
  }
  tcp.expires_after(std::chrono::seconds(5));
  auto sink = std::make_unique<std::array<char, 64 * 1024>>();
  size_t total = 0;
  while (total < (64u << 20)) {
    auto [read_ec, n] = co_await stream.async_read_some(asio::buffer(*sink), kUseTuple);
    if (read_ec) break;
    total += n;
  }
}

uint64_t NextId(HttpServer::State& s) {
  absl::MutexLock lock(&s.mu);
  return s.next_id++;
}

// Registers the connection as waiting (Shutdown may cancel it); false when
// the server is stopping.
bool WaitingFor(HttpServer::State& s, uint64_t id, beast::tcp_stream& tcp) {
  absl::MutexLock lock(&s.mu);
  if (s.stopping) return false;
  s.idle[id] = {tcp.get_executor(), &tcp};
  return true;
}

void NotWaiting(HttpServer::State& s, uint64_t id) {
  absl::MutexLock lock(&s.mu);
  s.idle.erase(id);
}

// The requests of one connection, one at a time, until it ends. `stream`
// lives in the caller's frame, which awaits this to the end.
template <typename AsyncStream>
asio::awaitable<void> Requests(std::shared_ptr<HttpServer::State> s, AsyncStream& stream,
                               uint64_t id, asio::ip::address peer,
                               std::string client_certificate) {
  auto& tcp = beast::get_lowest_layer(stream);
  beast::flat_buffer buffer;
  for (;;) {
    if (!WaitingFor(*s, id, tcp)) break;
    http::request_parser<http::string_body> parser;
    // The larger limit until the target is known; then the target's own.
    const size_t batch_limit = s->options.body_limit * s->options.batch_body_factor;
    parser.body_limit(batch_limit);
    parser.header_limit(kHeaderLimit);
    tcp.expires_after(s->options.idle_timeout);
    auto [read_ec, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, kUseTuple);
    NotWaiting(*s, id);
    // Responses are built into named variables before co_await: g++ 12 may
    // copy temporaries in a co_await expression bitwise into the frame.
    const size_t limit = IsBatchTarget(parser.get().target()) ? batch_limit : s->options.body_limit;
    if (read_ec == http::error::body_limit ||
        (!read_ec && parser.content_length() && *parser.content_length() > limit)) {
      Response too_large = TooLarge(11, limit);
      co_await Answer(stream, std::move(too_large));
      co_await Drain(stream);
      break;
    }
    if (read_ec == http::error::header_limit) {
      Response too_long =
          Api::Problem(11, http::status::request_header_fields_too_large, "headers-too-large",
                       "The headers are too large", "keep headers under 16 KiB");
      co_await Answer(stream, std::move(too_long));
      break;
    }
    if (read_ec) {
      if (read_ec != http::error::end_of_stream && read_ec != asio::error::operation_aborted &&
          read_ec != beast::error::timeout && read_ec != asio::error::connection_reset &&
          read_ec != asio::error::eof && read_ec.category() != asio::error::get_ssl_category() &&
          read_ec != asio::ssl::error::stream_truncated) {
        Response bad = Api::Problem(11, http::status::bad_request, "bad-request",
                                    "The request could not be read", read_ec.message());
        co_await Answer(stream, std::move(bad));
      }
      break;
    }
    {
      // Checked before any body is read: refused requests are not served.
      const auto& head = parser.get();
      std::optional<Response> refusal;
      auto te = head.find(http::field::transfer_encoding);
      if (te != head.end() &&
          (head.count(http::field::transfer_encoding) > 1 || !beast::iequals(te->value(), "chunked"))) {
        refusal = Api::Problem(11, http::status::not_implemented, "not-implemented",
                               "Transfer-Encoding not supported",
                               "only Transfer-Encoding: chunked is understood");
      } else if (head.version() >= 11 && head.find(http::field::host) == head.end()) {
        refusal = Api::Problem(11, http::status::bad_request, "bad-request",
                               "The request has no Host header", "HTTP/1.1 requires Host");
      } else if (head.count(http::field::authorization) > 1) {
        refusal = Api::Problem(11, http::status::bad_request, "bad-request",
                               "Two Authorization headers", "send one Authorization header");
      }
      if (refusal) {
        co_await Answer(stream, std::move(*refusal));
        co_await Drain(stream);
        break;
      }
    }
    if (!parser.is_done()) {
      auto expect = parser.get().find(http::field::expect);
      if (expect != parser.get().end() && beast::iequals(expect->value(), "100-continue")) {
        // A caller who may not send this body is told so before sending it.
        if (auto refusal = s->api.RefuseBeforeBody(parser.get(), peer, client_certificate)) {
          co_await Answer(stream, std::move(*refusal));
          co_await Drain(stream);
          break;
        }
        http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
        auto [write_ec, written] = co_await http::async_write(stream, go_on, kUseTuple);
        if (write_ec) break;
      }
      tcp.expires_after(s->options.idle_timeout);
      parser.body_limit(limit);
      auto [body_ec, body_bytes] = co_await http::async_read(stream, buffer, parser, kUseTuple);
      if (body_ec == http::error::body_limit) {
        Response too_large = TooLarge(parser.get().version(), limit);
        co_await Answer(stream, std::move(too_large));
        co_await Drain(stream);
        break;
      }
      if (body_ec) {
        // A malformed body (a bad chunk): say so before closing.
        if (body_ec.category() == http::make_error_code(http::error::bad_chunk).category() &&
            body_ec != http::error::partial_message) {
          Response bad = Api::Problem(11, http::status::bad_request, "bad-request",
                                      "The body could not be read", body_ec.message());
          co_await Answer(stream, std::move(bad));
        }
        break;
      }
    }
    Request request = parser.release();
    // HEAD: answered as GET without the body (never for the live stream).
    const bool head_only = request.method() == http::verb::head;
    if (head_only) {
      request.method(http::verb::get);
      if (Api::IsStream(request)) request.method(http::verb::head);
    }
    if (Api::IsStream(request)) {
      if (s->streams.load() >= s->options.max_stream_subscribers) {
        Response busy = Busy(request.version(), "too many live streams are open");
        co_await Answer(stream, std::move(busy));
        break;
      }
      Place place(s->streams);
      co_await s->api.Stream(std::move(request), stream, peer, client_certificate);
      break;
    }
    const bool keep_alive = request.keep_alive();
    const std::string target(request.target());
    Response response = co_await s->api.Handle(std::move(request), peer, client_certificate);
    bool stopping;
    {
      absl::MutexLock lock(&s->mu);
      stopping = s->stopping;
    }
    response.keep_alive(keep_alive && !stopping);
    MarkSecure<AsyncStream>(response);
    MarkSafe(response, target);
    tcp.expires_after(s->options.idle_timeout);
    if (head_only) {
      if (!response.chunked()) response.content_length(response.body().size());
      http::response_serializer<http::string_body> serializer{response};
      auto [write_ec, written] = co_await http::async_write_header(stream, serializer, kUseTuple);
      if (write_ec || !response.keep_alive()) break;
      continue;
    }
    auto [write_ec, written] = co_await http::async_write(stream, response, kUseTuple);
    if (write_ec || !response.keep_alive()) break;
  }
}

asio::awaitable<void> Connection(std::shared_ptr<HttpServer::State> s, beast::tcp_stream stream) {
  Place place(s->connections);
  boost::system::error_code ec;
  const asio::ip::address peer = stream.socket().remote_endpoint(ec).address();
  stream.socket().set_option(tcp::no_delay(true), ec);
  co_await Requests(s, stream, NextId(*s), peer, std::string());
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// A TLS handshake under the settings in force when the connection was
// accepted (`context` keeps them alive), then the same request loop.
asio::awaitable<void> TlsConnection(std::shared_ptr<HttpServer::State> s,
                                    std::shared_ptr<asio::ssl::context> context,
                                    beast::tcp_stream tcp_stream) {
  Place place(s->connections);
  boost::system::error_code ec;
  const asio::ip::address peer = tcp_stream.socket().remote_endpoint(ec).address();
  tcp_stream.socket().set_option(tcp::no_delay(true), ec);
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), *context);
  auto& tcp = beast::get_lowest_layer(stream);
  const uint64_t id = NextId(*s);
  if (!WaitingFor(*s, id, tcp)) co_return;
  tcp.expires_after(s->options.idle_timeout);
  auto [handshake_ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kUseTuple);
  NotWaiting(*s, id);
  if (handshake_ec) {
    // Scanners and old clients: worth a line only when looking closely.
    spdlog::debug("TLS handshake from {} failed: {}", peer.to_string(), handshake_ec.message());
    co_return;
  }
  std::string client_certificate = VerifiedClientCertificate(stream.native_handle());
  co_await Requests(s, stream, id, peer, std::move(client_certificate));
  // close_notify, waiting a moment for the client's.
  tcp.expires_after(std::chrono::seconds(3));
  co_await stream.async_shutdown(kUseTuple);
  tcp.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// Over max_connections: a 503 (plain HTTP; a TLS client just sees the
// connection close), read out briefly so that the client gets it.
asio::awaitable<void> Refuse(beast::tcp_stream stream, bool tls) {
  if (!tls) {
    Response busy = Busy(11, "too many connections are open");
    co_await Answer(stream, std::move(busy));
    co_await Drain(stream);
  }
  boost::system::error_code ec;
  stream.socket().close(ec);
}

asio::awaitable<void> AcceptLoop(std::shared_ptr<HttpServer::State> s) {
  asio::steady_timer pause(s->acceptor.get_executor());
  std::chrono::milliseconds wait{0};
  std::chrono::steady_clock::time_point last_line{};
  uint64_t unlogged = 0;
  for (;;) {
    auto [ec, socket] = co_await s->acceptor.async_accept(asio::make_strand(s->ioc), kUseTuple);
    if (ec) {
      if (!s->acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
      // Typically out of file descriptors: retrying at once would spin.
      // Open connections keep being served meanwhile.
      wait = wait.count() == 0 ? kFirstPause : std::min(wait * 2, kLongestPause);
      const auto now = std::chrono::steady_clock::now();
      if (now - last_line >= kLongestPause) {
        spdlog::warn("accept failed: {} (pausing {} ms; {} more failures since the last line)",
                     ec.message(), wait.count(), unlogged);
        last_line = now;
        unlogged = 0;
      } else {
        ++unlogged;
      }
      pause.expires_after(wait);
      co_await pause.async_wait(kUseTuple);
      continue;
    }
    wait = std::chrono::milliseconds{0};
    auto executor = socket.get_executor();
    if (s->connections.load() >= s->options.max_connections) {
      asio::co_spawn(executor,
                     Refuse(beast::tcp_stream(std::move(socket)), s->options.tls != nullptr),
                     asio::detached);
      continue;
    }
    if (s->options.tls != nullptr) {
      asio::co_spawn(
          executor,
          TlsConnection(s, s->options.tls->Current(), beast::tcp_stream(std::move(socket))),
          asio::detached);
    } else {
      asio::co_spawn(executor, Connection(s, beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }
}

}  // namespace

HttpServer::HttpServer(asio::io_context& ioc, Api& api, ServerOptions options)
    : state_(std::make_shared<State>(ioc, api, std::move(options))) {}

HttpServer::~HttpServer() = default;

absl::StatusOr<tcp::endpoint> HttpServer::Listen() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(state_->options.host, ec);
  if (ec) return absl::InvalidArgumentError("--listen: bad address " + state_->options.host);
  tcp::endpoint endpoint(address, state_->options.port);
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError("cannot listen on " + state_->options.host + ":" +
                                  std::to_string(state_->options.port) + ": " + ec.message());
  }
  return acceptor.local_endpoint();
}

void HttpServer::Start() {
  asio::co_spawn(state_->acceptor.get_executor(), AcceptLoop(state_), asio::detached);
}

void HttpServer::Shutdown() {
  auto s = state_;
  asio::post(s->acceptor.get_executor(), [s] {
    boost::system::error_code ec;
    s->acceptor.close(ec);
  });
  absl::MutexLock lock(&s->mu);
  s->stopping = true;
  for (auto& [id, idle] : s->idle) {
    // On the connection's strand: if it is still waiting for a request, its
    // stream is alive and the read is cancelled; if it has moved on, it
    // will see `stopping` after its current request.
    asio::post(idle.executor, [s, id = id] {
      absl::MutexLock inner(&s->mu);
      auto it = s->idle.find(id);
      if (it != s->idle.end()) it->second.stream->cancel();
    });
  }
}

}  // namespace frontdoor
