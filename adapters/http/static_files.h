// The web app's files (built from adapters/web into the binary's folder),
// served read-only for GET requests outside the API. Paths are resolved
// inside the web root only; everything is sent with a Content-Security-Policy
// that allows no inline script and nothing from another host, except that
// the pages may fetch from the OpenID provider they sign in through.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boost/beast/http/message.hpp"
#include "boost/beast/http/string_body.hpp"

namespace frontdoor {

class WebRoot {
 public:
  // `dir` may not exist (the web app was not built); then nothing is served.
  // `provider` is the OpenID issuer the pages sign in through (empty: none);
  // its origin is added to the CSP's connect-src.
  explicit WebRoot(std::filesystem::path dir, std::string_view provider = {});

  // The file for the decoded path segments ("/" is index.html), or nullopt
  // when there is none. Thread-safe.
  std::optional<boost::beast::http::response<boost::beast::http::string_body>> Serve(
      const std::vector<std::string>& segments, unsigned http_version, bool head_only) const;

 private:
  std::filesystem::path dir_;
  std::string connect_src_;
};

// The headers every page gets: CSP, no framing, no sniffing, no referrer.
// `connect_src` replaces the CSP's connect-src ('self' when empty).
void AddSecurityHeaders(boost::beast::http::response<boost::beast::http::string_body>& res,
                        std::string_view connect_src = {});

// The origin ("https://host[:port]") of an http(s) URL; empty when it is not one.
std::string OriginOf(std::string_view url);

}  // namespace frontdoor
