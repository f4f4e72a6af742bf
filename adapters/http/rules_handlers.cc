// POST /v1/rules/evaluate: what the policy in force would recommend for a
// form, with nothing stored. The dry run itself is the engine's
// (EvaluateDryRun); a partner's looks at its form alone, a staff one at the
// children's history too, and so is recorded in the read audit.
#include "adapters/http/handlers.h"
#include "engine/queries.h"

namespace frontdoor {

namespace http = boost::beast::http;

HandlerResult PostEvaluate(const ApiDependencies& deps, Call& call) {
  v1::ContactSubmission submission;
  if (auto problem = ReadBody(call, &submission)) co_return std::move(*problem);
  DryRunAudience audience =
      call.who->role == Role::kPartner ? DryRunAudience::kPartner : DryRunAudience::kStaff;
  auto run =
      EvaluateDryRun(*deps.store, deps.policies->Get(), submission, deps.clock->Now(), audience);
  if (!run.ok()) co_return FromStatus(call, run.status());
  if (!run->errors.empty()) co_return InvalidRequest(call.version(), run->errors);
  // A staff dry run looks the children up in the front door's history.
  if (audience == DryRunAudience::kStaff) {
    AuditedRead read;
    read.what = v1::AuditRead::DRY_RUN;
    if (auto refused = co_await Audit(deps, call, std::move(read))) co_return std::move(*refused);
  }
  co_return JsonAnswer(call, http::status::ok, run->evaluation);
}

}  // namespace frontdoor
