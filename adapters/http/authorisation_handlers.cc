// POST /v1/contacts/{id}/authorisation: a manager authorises a decision
// that waits for one (it then takes effect), or returns it to triage with a
// note. The engine decides (engine/authorisation.h); this file reads the
// body and says in words why an answer was refused: 409 when nothing waits,
// 403 when the manager made the decision themselves.
#include "adapters/http/handlers.h"
#include "boost/asio/use_awaitable.hpp"
#include "engine/authorisation.h"

namespace frontdoor {

namespace asio = boost::asio;
namespace http = boost::beast::http;

HandlerResult PostAuthorisation(const ApiDependencies& deps, Call& call) {
  call.contact_id = call.params.at(0);
  v1::AuthorisationRequest request;
  if (auto problem = ReadBody(call, &request)) co_return std::move(*problem);
  if (auto errors = ValidateAuthorisation(request); !errors.empty()) {
    co_return InvalidRequest(call.version(), errors);
  }
  Command command = RecordAuthorisation{call.contact_id, std::move(request), ActorOf(*call.who)};
  CommandResult result =
      co_await AsyncSubmit(*deps.processor, std::move(command), asio::use_awaitable);
  if (absl::IsPermissionDenied(result.status)) {
    co_return MakeProblem(call.version(), http::status::forbidden, "own-decision",
                          "You cannot authorise your own decision",
                          std::string(result.status.message()));
  }
  if (absl::IsFailedPrecondition(result.status)) {
    co_return MakeProblem(call.version(), http::status::conflict, "not-awaiting-authorisation",
                          "No decision is waiting for a manager",
                          std::string(result.status.message()));
  }
  if (!result.status.ok()) co_return FromStatus(call, result.status);
  co_return JsonAnswer(call, http::status::ok, result.contact->contact());
}

}  // namespace frontdoor
