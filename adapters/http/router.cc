// Matching requests to routes, and the API's route table.
#include "adapters/http/router.h"

#include "adapters/http/handlers.h"

namespace frontdoor {

namespace http = boost::beast::http;

bool Router::Matches(std::string_view pattern, const std::vector<std::string>& segments,
                     std::vector<std::string>* params) {
  std::vector<std::string> found;
  size_t i = 0;
  pattern.remove_prefix(1);
  while (!pattern.empty()) {
    size_t slash = pattern.find('/');
    std::string_view part = pattern.substr(0, slash);
    if (i >= segments.size()) return false;
    if (part.front() == '{') {
      if (segments[i].empty()) return false;
      found.push_back(segments[i]);
    } else if (part != segments[i]) {
      return false;
    }
    ++i;
    if (slash == std::string_view::npos) break;
    pattern.remove_prefix(slash + 1);
  }
  if (i != segments.size()) return false;
  *params = std::move(found);
  return true;
}

Router::Match Router::Find(http::verb method, const std::vector<std::string>& segments) const {
  Match match;
  for (const Route& route : routes_) {
    std::vector<std::string> params;
    if (!Matches(route.pattern, segments, &params)) continue;
    if (route.method == method) {
      match.route = &route;
      match.params = std::move(params);
      return match;
    }
    if (!match.allow.empty()) match.allow += ", ";
    match.allow += std::string(http::to_string(route.method));
  }
  return match;
}

std::vector<Route> ApiRoutes() {
  using http::verb;
  using namespace roles;  // NOLINT(build/namespaces): the table reads as roles
  constexpr bool kHeavy = true;
  return {
      {"/healthz", verb::get, kPublic, &Healthz},
      {"/readyz", verb::get, kPublic, &Readyz},
      {"/metrics", verb::get, kPublic, &GetMetrics},
      {"/v1/contacts", verb::post, kPartner | kTriage, &PostContact},
      {"/v1/contacts:batch", verb::post, kPartner | kTriage, &PostContactBatch},
      {"/v1/contacts/{id}", verb::get, kPartner | kTriage | kManager, &GetContact},
      {"/v1/contacts/{id}/events", verb::get, kTriage | kManager, &GetEvents},
      {"/v1/contacts/{id}/letters", verb::get, kTriage | kManager, &GetLetters},
      {"/v1/contacts/{id}/audit", verb::get, kManager | kAdmin, &GetContactAudit, kHeavy},
      {"/v1/contacts/{id}/decision", verb::post, kTriage, &PostDecision},
      {"/v1/contacts/{id}/letter-preview", verb::post, kTriage, &PostLetterPreview},
      {"/v1/contacts/{id}/mash-outcome", verb::post, kTriage, &PostMashOutcome},
      {"/v1/contacts/{id}/checks/{agency}", verb::post, kPartner | kTriage, &PostCheckAnswer},
      {"/v1/contacts/{id}/rag", verb::post, kTriage, &PostRag},
      {"/v1/checks", verb::get, kPartner | kTriage | kManager, &GetChecks},
      {"/v1/contacts/{id}/authorisation", verb::post, kManager, &PostAuthorisation},
      {"/v1/letters", verb::get, kTriage | kManager, &GetLettersToPost, kHeavy},
      {"/v1/letters/{id}", verb::get, kTriage | kManager, &GetLetter},
      {"/v1/letters/{id}/posted", verb::post, kTriage, &PostLetterPosted},
      {"/v1/worklist", verb::get, kTriage | kManager, &GetWorklist, kHeavy},
      {"/v1/breaches", verb::get, kManager, &GetBreaches, kHeavy},
      {"/v1/rules/evaluate", verb::post, kTriage | kPartner, &PostEvaluate},
      {"/v1/admin/clock", verb::post, kAdmin, &PostClock},
      {"/v1/admin/policy/reload", verb::post, kAdmin, &PostPolicyReload},
      {"/v1/admin/deliveries", verb::get, kAdmin, &GetDeliveries},
      {"/v1/admin/deliveries/{id}/replay", verb::post, kAdmin, &PostDeliveryReplay},
      {"/v1/admin/subscriptions", verb::get, kAdmin, &GetSubscriptions},
      {"/v1/whoami", verb::get, kAnyone, &GetWhoami},
      {"/v1/signin", verb::get, kPublic, &GetSignIn},
      {"/v1/openapi.json", verb::get, kPublic, &GetOpenApi},
      {"/v1/open-cases/{case_id}", verb::put, kAdmin | kCaseSystem, &PutOpenCase},
      {"/v1/open-cases/{case_id}", verb::delete_, kAdmin | kCaseSystem, &DeleteOpenCase},
      {"/v1/indicators", verb::get, kManager, &GetIndicators, kHeavy},
      {"/v1/exports/annex-a/contacts", verb::get, kManager, &GetAnnexAContacts, kHeavy},
      {"/v1/audit", verb::get, kAdmin, &GetActorAudit, kHeavy},
  };
}

std::vector<ServedRoute> ServedRoutes() {
  std::vector<ServedRoute> served;
  for (const Route& route : ApiRoutes()) {
    served.push_back({.pattern = route.pattern, .method = route.method, .roles = route.roles});
  }
  // Api::IsStream hands this one to Api::Stream before routing; its roles are
  // checked there (stream.cc).
  served.push_back({.pattern = kStreamPath,
                    .method = http::verb::get,
                    .roles = roles::kTriage | roles::kManager});
  return served;
}

}  // namespace frontdoor
