// The web app's files (built from adapters/web into the binary's folder),
// served read-only for GET requests outside the API. Paths are resolved
// inside the web root only; everything is sent with a Content-Security-Policy
// that allows nothing from another host and no inline script.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "boost/beast/http/message.hpp"
#include "boost/beast/http/string_body.hpp"

namespace frontdoor {

class WebRoot {
 public:
  // `dir` may not exist (the web app was not built); then nothing is served.
  explicit WebRoot(std::filesystem::path dir);

  // The file for the decoded path segments ("/" is index.html), or nullopt
  // when there is none. Thread-safe.
  std::optional<boost::beast::http::response<boost::beast::http::string_body>> Serve(
      const std::vector<std::string>& segments, unsigned http_version, bool head_only) const;

 private:
  std::filesystem::path dir_;
};

// The headers every page gets: CSP, no framing, no sniffing, no referrer.
void AddSecurityHeaders(boost::beast::http::response<boost::beast::http::string_body>& res);

}  // namespace frontdoor
