// GET /v1/openapi.json: the API's OpenAPI document, built into the binary
// (openapi_document.h), for anyone: it describes the API, it holds no data.
#include "adapters/http/handlers.h"
#include "adapters/http/openapi_document.h"

namespace frontdoor {

namespace http = boost::beast::http;

HandlerResult GetOpenApi(const ApiDependencies&, Call& call) {
  Response res(http::status::ok, call.version());
  res.set(http::field::content_type, "application/json");
  // It changes only with the binary; clients may keep it but should ask again.
  res.set(http::field::cache_control, "no-cache");
  res.body() = std::string(OpenApiDocument());
  res.prepare_payload();
  co_return res;
}

}  // namespace frontdoor
