// The one place problem answers (RFC 9457, application/problem+json) are
// built, for the API's handlers and for requests the server could not even
// read. Every problem carries the same headers: Cache-Control: no-store (an
// error is never to be cached, nor replayed by a proxy), and Retry-After: 1
// when the service is unavailable. A status from the engine maps to one
// problem type here, so every adapter route says the same thing about it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "boost/beast/http/message.hpp"
#include "boost/beast/http/status.hpp"
#include "boost/beast/http/string_body.hpp"
#include "frontdoor/tree_reader.h"

namespace frontdoor {

using Response = boost::beast::http::response<boost::beast::http::string_body>;

// The most fields at fault a problem lists; the rest are counted in
// `more_errors`, so that a body with thousands of bad fields does not get
// an answer many times its size.
inline constexpr size_t kMaxProblemErrors = 100;

// A problem answer: type "/problems/<slug>", the title, the status, the
// detail and, when given, the fields at fault (the first kMaxProblemErrors
// of them, and how many more).
Response MakeProblem(unsigned version, boost::beast::http::status status, std::string_view slug,
                     std::string_view title, std::string_view detail,
                     const std::vector<FieldError>& errors = {});

// The problem for an engine status: InvalidArgument 400, NotFound 404,
// FailedPrecondition and AlreadyExists 409, ResourceExhausted and
// Unavailable 503, anything else 500, whose detail says only that it was
// logged (`what` names the request in the log line, never its body).
Response ProblemFromStatus(unsigned version, const absl::Status& status, std::string_view what);

// 400 "validation": the request has these errors.
Response InvalidRequest(unsigned version, const std::vector<FieldError>& errors);
// 401 with WWW-Authenticate: Bearer.
Response Unauthenticated(unsigned version);
// 401 for a key whose expires_at has passed (the token is not echoed).
Response KeyExpired(unsigned version);
// 429 with Retry-After: too many failed sign-ins from this address.
Response TooManyFailures(unsigned version, std::chrono::seconds retry_after);
// 403: the caller's role may not do this.
Response Forbidden(unsigned version);
// 403 with a detail: e.g. an identity provider token without a staff role.
Response Forbidden(unsigned version, std::string_view detail);
// 401 for an identity provider token that is not good: `detail` says why
// (expired, wrong audience, ...), never quoting the token.
Response InvalidToken(unsigned version, std::string_view detail);

}  // namespace frontdoor
