// The one problem builder: every problem answer, whether from a handler or
// from a request the server could not read, has the same headers (no-store,
// Retry-After on 503) and the RFC 9457 body; engine statuses map to their
// problem types.
#include "adapters/http/problem.h"

#include "adapters/http/log_safe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/http/api.h"
#include "engine/contact_validation.h"
#include "boost/json/parse.hpp"

namespace frontdoor {
namespace {

namespace http = boost::beast::http;
using ::testing::HasSubstr;

std::string HeaderOf(const Response& res, http::field field) {
  auto it = res.find(field);
  return it == res.end() ? "" : std::string(it->value());
}

TEST(ProblemTest, EveryProblemIsNeverCached) {
  // The server's own problems (a body too large) once lacked Cache-Control.
  Response too_large = Api::Problem(11, http::status::payload_too_large, "too-large",
                                    "The body is too large", "the limit is 1 bytes");
  EXPECT_EQ(HeaderOf(too_large, http::field::cache_control), "no-store");
  EXPECT_EQ(HeaderOf(too_large, http::field::content_type), "application/problem+json");
  EXPECT_EQ(HeaderOf(too_large, http::field::retry_after), "");
  Response not_found = MakeProblem(11, http::status::not_found, "not-found", "Not found", "x");
  EXPECT_EQ(HeaderOf(not_found, http::field::cache_control), "no-store");
}

TEST(ProblemTest, UnavailableSaysWhenToRetry) {
  Response busy = ProblemFromStatus(11, absl::ResourceExhaustedError("busy"), "POST");
  EXPECT_EQ(busy.result(), http::status::service_unavailable);
  EXPECT_EQ(HeaderOf(busy, http::field::retry_after), "1");
  EXPECT_EQ(HeaderOf(busy, http::field::cache_control), "no-store");
}

TEST(ProblemTest, BodyIsTheRfc9457FieldsInOrderWithFieldsAtFault) {
  Response res = InvalidRequest(11, {{"channel", "is required", 0}, {"", "and \"more\"", 0}});
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_EQ(res.body(),
            "{\"type\":\"/problems/validation\",\"title\":\"The request has errors\","
            "\"status\":400,\"detail\":\"channel is required; and \\\"more\\\"\","
            "\"errors\":[{\"field\":\"channel\",\"message\":\"is required\"},"
            "{\"field\":\"\",\"message\":\"and \\\"more\\\"\"}]}");
  // No errors, no list; an empty detail is still written.
  Response bare = MakeProblem(11, http::status::not_found, "not-found", "Not found", "");
  EXPECT_EQ(bare.body(),
            "{\"type\":\"/problems/not-found\",\"title\":\"Not found\",\"status\":404,"
            "\"detail\":\"\"}");
}

TEST(ProblemTest, EngineStatusesMapToProblemTypes) {
  struct Case {
    absl::Status status;
    http::status want;
    const char* type;
  };
  const Case cases[] = {
      {absl::InvalidArgumentError("bad"), http::status::bad_request, "invalid-request"},
      {absl::NotFoundError("none"), http::status::not_found, "not-found"},
      {absl::FailedPreconditionError("closed"), http::status::conflict, "wrong-state"},
      {absl::AlreadyExistsError("key"), http::status::conflict, "idempotency-conflict"},
      {absl::UnavailableError("down"), http::status::service_unavailable, "unavailable"},
      {absl::DataLossError("secret detail"), http::status::internal_server_error, "internal"},
  };
  for (const Case& c : cases) {
    Response res = ProblemFromStatus(11, c.status, "GET FD-1");
    EXPECT_EQ(res.result(), c.want) << c.status;
    auto body = boost::json::parse(res.body()).as_object();
    EXPECT_EQ(body.at("type").as_string(), std::string("/problems/") + c.type);
    EXPECT_EQ(body.at("status").as_int64(), static_cast<int>(c.want));
  }
  // A 500 never tells the caller what went wrong inside.
  Response internal = ProblemFromStatus(11, absl::DataLossError("secret detail"), "GET FD-1");
  EXPECT_THAT(internal.body(), ::testing::Not(HasSubstr("secret")));
}

TEST(ProblemTest, UnauthenticatedAsksForABearerToken) {
  Response res = Unauthenticated(11);
  EXPECT_EQ(res.result(), http::status::unauthorized);
  EXPECT_EQ(HeaderOf(res, http::field::www_authenticate), "Bearer");
  EXPECT_EQ(Forbidden(11).result(), http::status::forbidden);
}

// A decoded newline, NUL or 0xFF in a path cannot forge or break a log line.
TEST(LogSafe, EscapesWhatIsNotPrintableAscii) {
  EXPECT_EQ(LogSafe("/v1/contacts/FD-1"), "/v1/contacts/FD-1");
  EXPECT_EQ(LogSafe(std::string_view("FD-1\n2026 error X\0\xff\\", 20)),
            "FD-1\\x0a2026 error X\\x00\\xff\\x5c");
}

// Issue 11: a 540 KB body with 12,000 bad children got a 4.29 MB answer.
// The list stops at kMaxProblemErrors and says how many more there were.
TEST(ProblemTest, TheErrorListIsCapped) {
  std::vector<FieldError> errors;
  for (int i = 0; i < 12'000; ++i) {
    errors.push_back({"children[" + std::to_string(i) + "].nhs_number", "must be a string", 0});
  }
  Response res = InvalidRequest(11, errors);
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_LT(res.body().size(), 16'000u);
  auto body = boost::json::parse(res.body()).as_object();
  ASSERT_EQ(body.at("errors").as_array().size(), kMaxProblemErrors);
  EXPECT_EQ(body.at("errors").as_array()[99].at("field").as_string(), "children[99].nhs_number");
  EXPECT_EQ(body.at("more_errors").as_int64(), 12'000 - 100);
  EXPECT_THAT(std::string(body.at("detail").as_string()), HasSubstr("and 11980 more"));
  // A short list is whole, with no count.
  Response few = InvalidRequest(11, {{"channel", "is required", 0}});
  EXPECT_FALSE(boost::json::parse(few.body()).as_object().contains("more_errors"));
}

// A check only the engine can make still names its field.
TEST(ProblemTest, AnEngineFieldErrorIsListed) {
  Response res = ProblemFromStatus(11, InvalidField("route", "needs an open case"), "POST FD-1");
  EXPECT_EQ(res.result(), http::status::bad_request);
  auto body = boost::json::parse(res.body()).as_object();
  EXPECT_EQ(body.at("type").as_string(), "/problems/validation");
  EXPECT_EQ(body.at("errors").as_array()[0].at("field").as_string(), "route");
  EXPECT_EQ(body.at("errors").as_array()[0].at("message").as_string(), "needs an open case");
}

}  // namespace
}  // namespace frontdoor
