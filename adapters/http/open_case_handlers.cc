// PUT and DELETE /v1/open-cases/{case_id}: the case management system (or
// an admin) tells the front door which cases are open, so that a contact
// about one of their children goes to the allocated team.
#include "adapters/http/handlers.h"
#include "boost/asio/use_awaitable.hpp"
#include "engine/contact_validation.h"
#include "frontdoor/v1/api.pb.h"

namespace frontdoor {

namespace asio = boost::asio;
namespace http = boost::beast::http;

HandlerResult PutOpenCase(const ApiDependencies& deps, Call& call) {
  const std::string& case_id = call.params.at(0);
  v1::OpenCaseRequest request;
  if (auto problem = ReadBody(call, &request)) co_return std::move(*problem);
  TimePoint now = deps.clock->Now();
  auto errors = ValidateOpenCase(case_id, request, deps.policies->Get().calendar->LocalDate(now));
  if (!errors.empty()) co_return InvalidRequest(call.version(), errors);
  Command command = RecordOpenCase{case_id, request, ActorOf(*call.who)};
  CommandResult result =
      co_await AsyncSubmit(*deps.processor, std::move(command), asio::use_awaitable);
  if (!result.status.ok()) co_return FromStatus(call, result.status);
  v1::OpenCaseRecorded recorded;
  recorded.set_case_id(case_id);
  recorded.set_team(request.team());
  recorded.set_children(request.children_size());
  co_return JsonAnswer(call, http::status::ok, recorded);
}

HandlerResult DeleteOpenCase(const ApiDependencies& deps, Call& call) {
  Command command = CloseOpenCase{call.params.at(0)};
  CommandResult result =
      co_await AsyncSubmit(*deps.processor, std::move(command), asio::use_awaitable);
  if (!result.status.ok()) co_return FromStatus(call, result.status);
  Response res(http::status::no_content, call.version());
  res.prepare_payload();
  co_return res;
}

}  // namespace frontdoor
