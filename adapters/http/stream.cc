// The SSE loop: a chunked response whose chunks are the feed's messages
// (after those a Last-Event-ID missed, when the client sends one), with a
// comment line every 15 s of quiet so that proxies keep it open. HTTP/1.0
// clients get the same messages unchunked, ended by closing.
#include "adapters/http/stream.h"

#include "adapters/http/handler_support.h"
#include "adapters/http/router.h"
#include "adapters/http/tls.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/this_coro.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/http/chunk_encode.hpp"
#include "boost/beast/http/empty_body.hpp"
#include "boost/beast/http/write.hpp"
#include "boost/beast/ssl/ssl_stream.hpp"
#include "spdlog/spdlog.h"

namespace frontdoor {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

template <typename AsyncStream>
asio::awaitable<void> ServeStream(const ApiDependencies& deps, Request request, AsyncStream& stream,
                                  std::string peer, std::string client_certificate) {
  constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
  constexpr auto kWriteTimeout = std::chrono::seconds(10);
  constexpr bool kHttps = !std::is_same_v<AsyncStream, beast::tcp_stream>;
  auto& socket = beast::get_lowest_layer(stream);
  auto admitted = Admit(deps, request, peer, client_certificate, roles::kTriage | roles::kManager);
  std::optional<Response> refusal;
  if (auto* answer = std::get_if<Response>(&admitted)) {
    refusal = std::move(*answer);
  } else if (deps.feed == nullptr) {
    refusal = MakeProblem(request.version(), http::status::not_found, "not-found", "Not found",
                          "there is no live feed");
  }
  if (refusal) {
    refusal->keep_alive(false);
    if (kHttps) refusal->set(http::field::strict_transport_security, kStrictTransportSecurity);
    refusal->set("X-Content-Type-Options", "nosniff");
    refusal->set("Referrer-Policy", "no-referrer");
    spdlog::info("GET /v1/stream {}", refusal->result_int());
    socket.expires_after(kWriteTimeout);
    co_await http::async_write(stream, *refusal, kUseTuple);
    co_return;
  }
  spdlog::info("GET /v1/stream 200 opened");

  http::response<http::empty_body> head{http::status::ok, request.version()};
  head.set(http::field::content_type, "text/event-stream");
  head.set(http::field::cache_control, "no-store");
  head.keep_alive(false);
  // HTTP/1.0 has no chunks: the stream ends when the connection does.
  const bool chunked = request.version() >= 11;
  head.chunked(chunked);
  if (kHttps) head.set(http::field::strict_transport_security, kStrictTransportSecurity);
  http::response_serializer<http::empty_body> serializer{head};
  socket.expires_after(kWriteTimeout);
  auto [head_ec, head_bytes] = co_await http::async_write_header(stream, serializer, kUseTuple);
  if (head_ec) co_return;

  LiveFeed& feed = *deps.feed;
  auto last_event_id = request["Last-Event-ID"];
  auto sub = feed.Subscribe(co_await asio::this_coro::executor,
                            std::string_view(last_event_id.data(), last_event_id.size()));
  std::string pending = "retry: 3000\n: connected\n\n";
  for (;;) {
    bool closed = sub->TakeQueued(pending);
    if (!pending.empty()) {
      socket.expires_after(kWriteTimeout);
      auto [ec, n] =
          chunked
              ? co_await asio::async_write(stream, http::make_chunk(asio::buffer(pending)), kUseTuple)
              : co_await asio::async_write(stream, asio::buffer(pending), kUseTuple);
      if (ec) break;
      pending.clear();
      // News that came while writing found no wait to cancel: look again
      // before waiting.
      continue;
    }
    if (closed) break;
    // Nothing queued and no yield since looking: a wake-up posted from now
    // on runs on this strand after the wait has begun, and cancels it.
    sub->wake.expires_after(std::chrono::seconds(15));
    auto [wait_ec] = co_await sub->wake.async_wait(kUseTuple);
    // Timed out: nothing happened for a while; keep proxies from closing.
    if (!wait_ec) pending = ": keep-alive\n\n";
  }
  feed.Unsubscribe(sub);
  if (!chunked) co_return;
  socket.expires_after(kWriteTimeout);
  co_await asio::async_write(stream, http::make_chunk_last(), kUseTuple);
}

template asio::awaitable<void> ServeStream(const ApiDependencies&, Request, beast::tcp_stream&,
                                           std::string, std::string);
template asio::awaitable<void> ServeStream(const ApiDependencies&, Request,
                                           beast::ssl_stream<beast::tcp_stream>&, std::string,
                                           std::string);

}  // namespace frontdoor
