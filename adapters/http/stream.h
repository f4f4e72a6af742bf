// GET /v1/stream: Server-Sent Events from the live feed for triage and
// managers. Unlike every other route it takes the connection over, so it is
// answered here rather than through the router.
#pragma once

#include "adapters/http/api.h"
#include "boost/asio/awaitable.hpp"
#include "boost/beast/core/tcp_stream.hpp"

namespace frontdoor {

// Checks the caller, then writes the feed's events until the client goes,
// the feed closes (shutdown) or a write fails. `AsyncStream` is
// beast::tcp_stream or, for HTTPS, beast::ssl_stream<beast::tcp_stream>
// (instantiated in stream.cc for those two only); over HTTPS the answers
// carry Strict-Transport-Security.
template <typename AsyncStream>
boost::asio::awaitable<void> ServeStream(const ApiDependencies& deps, Request request,
                                         AsyncStream& stream, std::string peer,
                                         std::string client_certificate);

}  // namespace frontdoor
