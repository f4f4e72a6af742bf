// libcurl, one easy handle per fetch (fetches are rare: at start and on an
// unknown key id); curl_global_init once.
#include "adapters/oidc/http_get.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/ip/address.hpp"
#include "boost/url/parse.hpp"

namespace frontdoor::oidc {

namespace {

bool IsLoopbackHost(std::string host) {
  if (absl::AsciiStrToLower(host) == "localhost") return true;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

struct Sink {
  std::string body;
  size_t max_bytes;
  bool too_big = false;
};

size_t Write(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * count;
  if (sink->body.size() + n > sink->max_bytes) {
    sink->too_big = true;
    return 0;
  }
  sink->body.append(data, n);
  return n;
}

}  // namespace

absl::Status CheckProviderUrl(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed)
    return absl::InvalidArgumentError(absl::StrCat("'", std::string(url), "' is not a URL"));
  std::string scheme = absl::AsciiStrToLower(std::string(parsed->scheme()));
  if (scheme == "https") return absl::OkStatus();
  if (scheme == "http") {
    if (IsLoopbackHost(std::string(parsed->encoded_host()))) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        "'", std::string(url),
        "': http:// is allowed only on a loopback address (127.0.0.1, [::1], localhost); "
        "use https://"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", std::string(url), "' must be an https:// URL"));
}

CurlGetter::CurlGetter(std::chrono::milliseconds timeout, size_t max_bytes)
    : timeout_(timeout), max_bytes_(max_bytes) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

absl::StatusOr<std::string> CurlGetter::Get(const std::string& url) {
  if (auto status = CheckProviderUrl(url); !status.ok()) return status;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return absl::InternalError("curl_easy_init failed");
  Sink sink{std::string(), max_bytes_};
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
      curl_slist_append(nullptr, "Accept: application/json"), curl_slist_free_all);
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "frontdoor");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  CURLcode code = curl_easy_perform(h);
  if (sink.too_big) {
    return absl::FailedPreconditionError(url + ": answer larger than " +
                                         std::to_string(max_bytes_) + " bytes");
  }
  if (code != CURLE_OK) {
    return absl::UnavailableError(url + ": " + curl_easy_strerror(code));
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return absl::FailedPreconditionError(url + ": HTTP " + std::to_string(status));
  }
  return std::move(sink.body);
}

}  // namespace frontdoor::oidc
