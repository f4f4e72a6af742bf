// Serving files from the web root.
#include "adapters/http/static_files.h"

#include <fstream>
#include <sstream>

namespace frontdoor {

namespace http = boost::beast::http;

namespace {

std::string_view ContentType(const std::filesystem::path& path) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  std::string extension = path.extension().string();
  for (const auto& [ext, type] : kTypes) {
    if (extension == ext) return type;
  }
  return "application/octet-stream";
}

}  // namespace

std::string OriginOf(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view name = url.substr(0, scheme);
  if (name != "https" && name != "http") return "";
  size_t end = url.find_first_of("/?#", scheme + 3);
  std::string_view origin = url.substr(0, end);
  if (origin.size() == scheme + 3) return "";
  // Nothing a CSP source could read as another directive or source.
  for (char c : origin) {
    if (c == ';' || c == ',' || c == ' ' || c == '\'' || c == '@') return "";
  }
  return std::string(origin);
}

WebRoot::WebRoot(std::filesystem::path dir, std::string_view provider) {
  if (std::string origin = OriginOf(provider); !origin.empty()) {
    connect_src_ = "'self' " + origin;
  }
  std::error_code ec;
  dir_ = std::filesystem::weakly_canonical(dir, ec);
  if (ec) dir_ = std::move(dir);
}

void AddSecurityHeaders(http::response<http::string_body>& res, std::string_view connect_src) {
  if (connect_src.empty()) connect_src = "'self'";
  res.set("Content-Security-Policy",
          "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
          "connect-src " +
              std::string(connect_src) +
              "; font-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
              "form-action 'self'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
}

std::optional<http::response<http::string_body>> WebRoot::Serve(
    const std::vector<std::string>& segments, unsigned http_version, bool head_only) const {
  std::filesystem::path path = dir_;
  bool any = false;
  for (const std::string& segment : segments) {
    if (segment.empty()) continue;
    // Nothing hidden, nothing above the root.
    if (segment.front() == '.' || segment.find('/') != std::string::npos ||
        segment.find('\\') != std::string::npos || segment.find('\0') != std::string::npos) {
      return std::nullopt;
    }
    path /= segment;
    any = true;
  }
  if (!any) path /= "index.html";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream body;
  body << in.rdbuf();

  http::response<http::string_body> res(http::status::ok, http_version);
  res.set(http::field::content_type, ContentType(path));
  res.set(http::field::cache_control, "no-cache");
  AddSecurityHeaders(res, connect_src_);
  res.body() = body.str();
  res.prepare_payload();
  if (head_only) res.body().clear();
  return res;
}

}  // namespace frontdoor
