// Management oversight: which front-door decisions wait for a manager
// (Policy.authorisation), and the one scale of need that routes are ordered
// on to tell a decision "below what the rules recommended". The engine asks
// this when a person records a decision; the words returned become the
// AUTHORISATION_REQUESTED event's `why`, which the manager reads.
#include <algorithm>

#include "frontdoor/codes.h"
#include "rules/policy.h"

namespace frontdoor::rules {

int RouteNeedLevel(v1::Route::Code route) {
  switch (route) {
    case v1::Route::NFA:
    case v1::Route::RETURN_TO_REFERRER:
    case v1::Route::SIGNPOST:
      return 1;
    case v1::Route::EARLY_HELP:
      return 2;
    case v1::Route::MASH:
      return 3;
    case v1::Route::SOCIAL_CARE_ASSESSMENT:
    case v1::Route::STRATEGY_DISCUSSION:
      return 4;
    default:
      return -1;
  }
}

std::string Policy::AuthorisationNeeded(const v1::Recommendation& recommendation,
                                        v1::Route::Code route) const {
  const v1::AuthorisationPolicy& a = spec_.authorisation();
  if (std::find(a.routes().begin(), a.routes().end(), route) != a.routes().end()) {
    return "The policy asks a manager to authorise every decision for " +
           std::string(LabelOf(route)) + ".";
  }
  const bool below_recommendation = a.has_below_recommendation() ? a.below_recommendation() : true;
  const int decided = RouteNeedLevel(route);
  const int recommended = RouteNeedLevel(recommendation.route());
  // MASH does not close the contact: the work goes on there.
  if (below_recommendation && route != v1::Route::MASH && decided >= 0 && recommended >= 0 &&
      decided < recommended) {
    return "The decision, " + std::string(LabelOf(route)) +
           ", closes the contact at a lower level of need than the rules recommended (" +
           std::string(LabelOf(recommendation.route())) + ").";
  }
  return {};
}

}  // namespace frontdoor::rules
