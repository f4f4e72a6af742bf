// The admin's resources: POST /v1/admin/clock moves the manual clock (and
// answers once the timers it passed have fired and their messages are
// delivered), POST /v1/admin/policy/reload loads the policy file again.
#include "adapters/http/handlers.h"
#include "boost/asio/use_awaitable.hpp"
#include "frontdoor/v1/api.pb.h"

namespace frontdoor {

namespace asio = boost::asio;
namespace http = boost::beast::http;

HandlerResult PostClock(const ApiDependencies& deps, Call& call) {
  if (!deps.clock->IsManual()) {
    co_return MakeProblem(call.version(), http::status::not_found, "not-found", "Not found",
                          "the server runs on the system clock; start it with --clock manual");
  }
  v1::ClockRequest request;
  if (auto problem = ReadBody(call, &request)) co_return std::move(*problem);
  std::vector<FieldError> errors;
  if (request.advance().empty() == !request.has_set()) {
    errors.push_back({"advance", "give exactly one of advance (an ISO 8601 duration) or set", 0});
  }
  SetClock step;
  if (!request.advance().empty()) {
    auto by = ParseIsoDuration(request.advance());
    if (!by.ok()) {
      errors.push_back({"advance", std::string(by.status().message()), 0});
    } else if (*by > kLatestClockTime - deps.clock->Now()) {
      errors.push_back({"advance",
                        "goes past " + FormatRfc3339(kLatestClockTime) +
                            ", the latest time the clock may show",
                        0});
    } else {
      step.advance = *by;
    }
  } else if (request.has_set()) {
    // Checked on the seconds first: FromProto cannot take any Timestamp.
    constexpr int64_t kLatestSeconds =
        std::chrono::duration_cast<std::chrono::seconds>(kLatestClockTime.time_since_epoch())
            .count();
    if (request.set().seconds() > kLatestSeconds ||
        (request.set().seconds() == kLatestSeconds && request.set().nanos() > 0)) {
      errors.push_back(
          {"set", "must not be after " + FormatRfc3339(kLatestClockTime) +
                      ", the latest time the clock may show",
           0});
      co_return InvalidRequest(call.version(), errors);
    }
    if (request.set().seconds() < 0) {
      errors.push_back(
          {"set", "must not be before the clock's time now, " + FormatRfc3339(deps.clock->Now()),
           0});
      co_return InvalidRequest(call.version(), errors);
    }
    step.to = FromProto(request.set());
    if (*step.to < deps.clock->Now()) {
      errors.push_back(
          {"set", "must not be before the clock's time now, " + FormatRfc3339(deps.clock->Now()),
           0});
    }
  }
  if (!errors.empty()) co_return InvalidRequest(call.version(), errors);
  Command command = step;
  CommandResult result =
      co_await AsyncSubmit(*deps.processor, std::move(command), asio::use_awaitable);
  if (!result.status.ok()) co_return FromStatus(call, result.status);
  // Retries run on this clock: deliveries now due go out.
  for (const DeliveryChannel& channel : deps.channels) channel.queue->Wake();
  bool delivered = co_await WaitDelivered(deps, result.outbox_seq);
  v1::ClockState state;
  *state.mutable_now() = ToProto(result.now);
  Response res = JsonAnswer(call, http::status::ok, state);
  if (!delivered) res.set("Delivery-Pending", "true");
  co_return res;
}

HandlerResult PostPolicyReload(const ApiDependencies& deps, Call& call) {
  if (!deps.reload_policy) {
    co_return MakeProblem(call.version(), http::status::not_found, "not-found", "Not found",
                          "policy reload is not available");
  }
  absl::Status reloaded = deps.reload_policy();
  if (!reloaded.ok()) {
    co_return MakeProblem(call.version(), http::status::unprocessable_entity, "policy-invalid",
                          "The policy file was refused; the old policy stays",
                          std::string(reloaded.message()));
  }
  ActivePolicy active = deps.policies->Get();
  v1::PolicyReloaded answer;
  answer.set_rules_version(active.policy->version());
  answer.set_policy_label(active.policy->label());
  co_return JsonAnswer(call, http::status::ok, answer);
}

}  // namespace frontdoor
