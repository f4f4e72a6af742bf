// GET /v1/stream: Server-Sent Events from the live feed for triage and
// managers. Unlike every other route it takes the connection over, so it is
// answered here rather than through the router.
#pragma once

#include "adapters/http/api.h"
#include "boost/asio/awaitable.hpp"
#include "boost/beast/core/tcp_stream.hpp"

namespace frontdoor {

// Checks the caller, then writes the feed's events until the client goes,
// the feed closes (shutdown) or a write fails.
boost::asio::awaitable<void> ServeStream(const ApiDependencies& deps, Request request,
                                         boost::beast::tcp_stream& stream, std::string peer);

}  // namespace frontdoor
