// What every HTTP handler shares: the call on its way through (request,
// caller, path parameters, query), JSON and CSV answers, reading a JSON
// body, handing a command to the Processor and waiting for its answer, and
// loading the contact a path names as the caller may see it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/http/api.h"
#include "adapters/http/auth.h"
#include "adapters/http/problem.h"
#include "boost/asio/async_result.hpp"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/ip/address.hpp"
#include "boost/asio/post.hpp"
#include "boost/url/params_view.hpp"
#include "engine/processor.h"
#include "frontdoor/v1/audit.pb.h"
#include "google/protobuf/message.h"

namespace frontdoor {

// One request on its way through.
struct Call {
  const Request& req;
  boost::asio::ip::address peer;
  // The RFC 2253 subject of the client certificate the TLS handshake
  // verified; empty when none.
  std::string client_certificate;
  std::optional<Principal> who;
  std::vector<std::string> params;
  boost::urls::params_view query;
  // The contact the request was about, for the log line.
  std::string contact_id;

  unsigned version() const { return req.version(); }
  // A 500's log line: the method and the contact, never the body.
  std::string What() const;
};

// Every handler has this shape; the router keeps a table of them.
using Handler = boost::asio::awaitable<Response> (*)(const ApiDependencies&, Call&);

// A JSON answer (`body` written by adapters/json), never cached.
Response JsonAnswer(const Call& call, boost::beast::http::status status, std::string body);
// The message written by adapters/json; `list` writes its empty lists as [].
Response JsonAnswer(const Call& call, boost::beast::http::status status,
                    const google::protobuf::Message& message, bool list = false);
// A CSV download called `filename`, never cached.
Response CsvAnswer(const Call& call, std::string body, const std::string& filename);
// The problem for an engine status, logged under the call's method and contact.
Response FromStatus(const Call& call, const absl::Status& status);

// The request says its body is JSON (Content-Type: application/json).
bool IsJson(const Request& req);
// Reads a JSON body into *message; a problem answer when it cannot.
std::optional<Response> ReadBody(const Call& call, google::protobuf::Message* message);

// A request header's value; empty when absent.
std::string Header(const Request& req, boost::beast::http::field field);
std::string Header(const Request& req, std::string_view name);

// The answer for a caller the gate did not let in: 401 (missing, unknown or
// expired key) or 429 with Retry-After (held back).
Response Refused(unsigned version, const AuthOutcome& outcome);
// The one door of the API: the caller from `peer`, when its token is good
// and its role is one of `allowed`; otherwise the answer to send instead
// (401, 403 or 429). With no Authorization header, a verified client
// certificate (its subject, empty when none) names the caller instead.
std::variant<Principal, Response> Admit(const ApiDependencies& deps, const Request& request,
                                        const std::string& peer,
                                        const std::string& client_certificate, RoleMask allowed);

// The caller as the events it causes record it (Event.caused_by): a person's
// subject, display name and role, or a key's name, role and organisation.
v1::Actor ActorOf(const Principal& who);

// The contact as the caller may see it: a partner sees PartnerView.
v1::Contact ViewFor(const Principal& who, const v1::Contact& contact);
// The stored contact the call's first path parameter names, checked against
// the caller: a partner asking about another partner's contact hears "not
// found". Sets call.contact_id.
absl::StatusOr<v1::ContactRecord> LoadContact(const ApiDependencies& deps, Call& call);

// Records in the audit log that the call read these contacts (or, for an
// export, `child_ids`), and resumes once the row is durable. A 503 answer
// to send instead when it could not be stored: a read is never answered
// unrecorded. Nothing (nullopt) when deps.audit is null.
struct AuditedRead {
  v1::AuditRead::Code what = v1::AuditRead::AUDIT_READ_UNSPECIFIED;
  std::vector<std::string> contact_ids;
  std::vector<std::string> child_ids;
  std::string about_actor;
};
boost::asio::awaitable<std::optional<Response>> Audit(const ApiDependencies& deps, const Call& call,
                                                      AuditedRead read);
// The same for one contact, the call's contact_id.
boost::asio::awaitable<std::optional<Response>> Audit(const ApiDependencies& deps, const Call& call,
                                                      v1::AuditRead::Code what);

// True once the sinks have delivered the outbox up to `seq`; false if that
// took longer than deps.delivery_wait.
boost::asio::awaitable<bool> WaitDelivered(const ApiDependencies& deps, uint64_t seq);

// Queues a command and resumes the coroutine, on its own executor, with the
// Processor's answer. A full queue answers ResourceExhausted at once.
template <typename Token>
auto AsyncSubmit(Processor& processor, Command command, Token&& token) {
  namespace asio = boost::asio;
  return asio::async_initiate<Token, void(CommandResult)>(
      [&processor](auto handler, Command cmd) {
        auto executor = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto resume = [shared, executor](CommandResult result) {
          asio::post(executor, [shared, result = std::move(result)]() mutable {
            (*shared)(std::move(result));
          });
        };
        if (!processor.Submit(std::move(cmd), resume)) {
          resume(Failed(
              absl::ResourceExhaustedError("the front door is busy; try again in a moment")));
        }
      },
      token, std::move(command));
}

}  // namespace frontdoor
