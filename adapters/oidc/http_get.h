// Fetching the identity provider's documents (discovery, JWKS) over HTTP(S)
// with libcurl: bounded in time and size, certificates verified, no
// redirects. Plain http:// is allowed only to a loopback address, so tests can
// run a provider on 127.0.0.1 while a real deployment always uses TLS.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace frontdoor::oidc {

// OK for an https:// URL, or an http:// URL whose host is a loopback address
// (127.0.0.0/8, [::1], localhost). Errors: InvalidArgument saying why.
absl::Status CheckProviderUrl(std::string_view url);

// GETs a document. Implementations are thread-safe.
class HttpGetter {
 public:
  virtual ~HttpGetter() = default;
  // The body of a 200 answer. Errors: Unavailable for a network failure or a
  // timeout, FailedPrecondition for another status or a body that is too big.
  virtual absl::StatusOr<std::string> Get(const std::string& url) = 0;
};

class CurlGetter final : public HttpGetter {
 public:
  explicit CurlGetter(std::chrono::milliseconds timeout = std::chrono::seconds(5),
                      size_t max_bytes = 1u << 20);
  absl::StatusOr<std::string> Get(const std::string& url) override;

 private:
  std::chrono::milliseconds timeout_;
  size_t max_bytes_;
};

}  // namespace frontdoor::oidc
