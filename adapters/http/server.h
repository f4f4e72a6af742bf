// The HTTP/1.1 server: a listener and one coroutine per connection, on an
// io_context run by one thread per core (STYLE.md 12-14). Keep-alive, a
// timeout before every read, a body limit on every parser (413 beyond it),
// one request at a time per connection, and "100 Continue" for clients that
// ask (curl does for bodies over 1 KiB). HTTP or, with ServerOptions.tls,
// HTTPS (the same loop over a TLS stream). Caps on connections and live
// streams (503 beyond them); accept failures (out of file descriptors) back
// off from 50 ms to 1 s and log one line a second. HEAD is GET without the
// body; Transfer-Encoding other than chunked is 501; HTTP/1.1 without Host
// and repeated Authorization headers are 400.
//
// Shutdown: Shutdown() closes the listener and cancels connections that
// are waiting for a request; a connection in the middle of one finishes it,
// answers with "Connection: close", and ends. The io_context then runs out
// of work and its run() calls return.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "adapters/http/api.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"

namespace frontdoor {

class TlsSlot;

struct ServerOptions {
  std::string host = "127.0.0.1";
  // 0 picks a free port.
  uint16_t port = 8080;
  // Default: 1 MiB.
  size_t body_limit = 1u << 20;
  // POST /v1/contacts:batch carries up to 500 contacts: its bodies may be
  // this many times body_limit (8 MiB by default).
  size_t batch_body_factor = 8;
  // Time a client may take to send a request, and to stay idle between
  // requests. Default: 60 s.
  std::chrono::seconds idle_timeout{60};
  // HTTPS with these settings when set (borrowed; outlives the server):
  // each connection starts with a TLS handshake under the settings in force
  // when it was accepted, and every answer carries Strict-Transport-Security.
  // Default: null, plain HTTP.
  TlsSlot* tls = nullptr;
  // Connections open at once; more are answered 503 with Retry-After (over
  // TLS: closed). Default: 768, within the usual limit of 1024 open files.
  size_t max_connections = 768;
  // GET /v1/stream subscribers at once; more are answered 503. Default: 256.
  size_t max_stream_subscribers = 256;
};

class HttpServer {
 public:
  // `ioc` and `api` must outlive the server.
  HttpServer(boost::asio::io_context& ioc, Api& api, ServerOptions options);
  ~HttpServer();

  // Binds and listens. Returns the bound endpoint (with the port chosen
  // when options.port was 0). Errors: Unavailable with the system's reason.
  absl::StatusOr<boost::asio::ip::tcp::endpoint> Listen();
  // Starts accepting connections on the io_context.
  void Start();
  // Thread-safe; see the file comment.
  void Shutdown();

  // Shared with the connection coroutines, which may outlive this object
  // by a moment during shutdown. Opaque outside server.cc.
  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace frontdoor
