// The API's route table: for each method and path pattern ("/v1/contacts/
// {id}"), the roles that may call it and its handler. The router matches a
// request's decoded path segments against the table; it knows nothing of
// authentication, which the API applies to the route found.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/auth.h"
#include "adapters/http/handler_support.h"
#include "boost/beast/http/verb.hpp"

namespace frontdoor {

namespace roles {
// Anyone, signed in or not.
inline constexpr RoleMask kPublic = 0;
inline constexpr RoleMask kPartner = Bit(Role::kPartner);
inline constexpr RoleMask kTriage = Bit(Role::kTriage);
inline constexpr RoleMask kManager = Bit(Role::kManager);
inline constexpr RoleMask kAdmin = Bit(Role::kAdmin);
inline constexpr RoleMask kCaseSystem = Bit(Role::kCaseSystem);
inline constexpr RoleMask kAnyone = kPartner | kTriage | kManager | kAdmin | kCaseSystem;
}  // namespace roles

struct Route {
  // Literal segments and {name} parameters. A string literal: its address
  // keys the request counters' cache.
  std::string_view pattern;
  boost::beast::http::verb method;
  RoleMask roles;
  Handler handler;
  // A long read (a scan or a report): run on the reader pool, never on an
  // I/O thread (reader_pool.h).
  bool heavy = false;
};

class Router {
 public:
  explicit Router(std::vector<Route> routes) : routes_(std::move(routes)) {}

  struct Match {
    // Null when no route has this path and method.
    const Route* route = nullptr;
    // The {parameters}, in order.
    std::vector<std::string> params;
    // With no route for the method: the methods this path takes ("GET, PUT"),
    // empty when the path is unknown.
    std::string allow;
  };
  Match Find(boost::beast::http::verb method, const std::vector<std::string>& segments) const;

  // Whether `pattern` fits the segments; its parameters go to *params.
  static bool Matches(std::string_view pattern, const std::vector<std::string>& segments,
                      std::vector<std::string>* params);

 private:
  std::vector<Route> routes_;
};

// The API's routes (CONTRACT.md), in the order they are matched.
std::vector<Route> ApiRoutes();

// GET /v1/stream: answered by Api::Stream, which takes the connection over,
// so it is not in the table.
inline constexpr std::string_view kStreamPath = "/v1/stream";

// Every method and path the server answers, with who may call it: the table
// and the stream. The OpenAPI document (docs/openapi.json) documents exactly
// these (tests/adapters/openapi_test.cc).
struct ServedRoute {
  std::string_view pattern;
  boost::beast::http::verb method;
  RoleMask roles;
};
std::vector<ServedRoute> ServedRoutes();

}  // namespace frontdoor
