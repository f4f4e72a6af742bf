// Problem answers: the body written through adapters/json from a
// v1::Problem, and one set of headers for all of them.
#include "adapters/http/problem.h"

#include "adapters/json/json.h"
#include "engine/contact_validation.h"
#include "frontdoor/v1/api.pb.h"
#include "spdlog/spdlog.h"

namespace frontdoor {

namespace http = boost::beast::http;

namespace {

struct ProblemSpec {
  http::status status;
  std::string_view slug;
  std::string_view title;
};

ProblemSpec ProblemFor(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
      return {http::status::bad_request, "invalid-request", "The request is not valid"};
    case absl::StatusCode::kNotFound:
      return {http::status::not_found, "not-found", "Not found"};
    case absl::StatusCode::kFailedPrecondition:
      return {http::status::conflict, "wrong-state", "The contact is not in the right state"};
    case absl::StatusCode::kAlreadyExists:
      return {http::status::conflict, "idempotency-conflict",
              "The Idempotency-Key was used with a different request"};
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnavailable:
      return {http::status::service_unavailable, "unavailable", "Service unavailable"};
    default:
      return {http::status::internal_server_error, "internal", "Internal error"};
  }
}

}  // namespace

Response MakeProblem(unsigned version, http::status status, std::string_view slug,
                     std::string_view title, std::string_view detail,
                     const std::vector<FieldError>& errors) {
  v1::Problem problem;
  problem.set_type("/problems/" + std::string(slug));
  problem.set_title(std::string(title));
  problem.set_status(static_cast<int>(status));
  problem.set_detail(std::string(detail));
  for (size_t i = 0; i < errors.size() && i < kMaxProblemErrors; ++i) {
    v1::Problem::FieldProblem* field = problem.add_errors();
    field->set_field(errors[i].field);
    field->set_message(errors[i].message);
  }
  if (errors.size() > kMaxProblemErrors) {
    problem.set_more_errors(static_cast<int32_t>(errors.size() - kMaxProblemErrors));
  }
  Response res(status, version);
  res.set(http::field::content_type, "application/problem+json");
  res.set(http::field::cache_control, "no-store");
  if (status == http::status::service_unavailable) res.set(http::field::retry_after, "1");
  res.body() = json::Write(problem);
  res.prepare_payload();
  return res;
}

Response ProblemFromStatus(unsigned version, const absl::Status& s, std::string_view what) {
  ProblemSpec spec = ProblemFor(s);
  if (spec.status == http::status::internal_server_error) {
    spdlog::error("{}: {}", what, s.ToString());
    return MakeProblem(version, spec.status, spec.slug, spec.title,
                       "something went wrong on our side; it has been logged");
  }
  if (auto field = FieldErrorOf(s)) {
    return MakeProblem(version, http::status::bad_request, "validation", "The request has errors",
                       std::string(s.message()), {*field});
  }
  return MakeProblem(version, spec.status, spec.slug, spec.title, std::string(s.message()));
}

Response InvalidRequest(unsigned version, const std::vector<FieldError>& errors) {
  return MakeProblem(version, http::status::bad_request, "validation", "The request has errors",
                     DescribeErrors(errors), errors);
}

Response Unauthenticated(unsigned version) {
  Response res = MakeProblem(version, http::status::unauthorized, "unauthenticated",
                             "Sign-in needed", "send Authorization: Bearer <token>");
  res.set(http::field::www_authenticate, "Bearer");
  return res;
}

Response KeyExpired(unsigned version) {
  Response res = MakeProblem(version, http::status::unauthorized, "key-expired", "Key expired",
                             "this API key has expired; ask for its replacement");
  res.set(http::field::www_authenticate, "Bearer error=\"invalid_token\"");
  return res;
}

Response TooManyFailures(unsigned version, std::chrono::seconds retry_after) {
  Response res = MakeProblem(version, http::status::too_many_requests, "too-many-failures",
                             "Too many failed sign-ins",
                             "too many requests from this address had a wrong or expired token; "
                             "try again in " +
                                 std::to_string(retry_after.count()) + " s");
  res.set(http::field::retry_after, std::to_string(retry_after.count()));
  return res;
}

Response Forbidden(unsigned version) {
  return MakeProblem(version, http::status::forbidden, "forbidden", "Not allowed",
                     "this API key's role may not do this");
}

Response Forbidden(unsigned version, std::string_view detail) {
  return MakeProblem(version, http::status::forbidden, "forbidden", "Not allowed",
                     std::string(detail));
}

Response InvalidToken(unsigned version, std::string_view detail) {
  Response res = MakeProblem(version, http::status::unauthorized, "unauthenticated",
                             "Sign-in needed", std::string(detail));
  res.set(http::field::www_authenticate, "Bearer error=\"invalid_token\"");
  return res;
}

}  // namespace frontdoor
