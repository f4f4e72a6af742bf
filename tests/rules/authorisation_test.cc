// Management oversight in the policy: the one scale routes are ordered on,
// which decisions wait for a manager (below the recommendation, or on a
// listed route), the authorisation timescale's default and a rule's
// override, and what the loader refuses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/rules/policy_fixture.h"

namespace frontdoor::rules::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::Recommendation Recommended(v1::Route::Code route) {
  v1::Recommendation r;
  r.set_route(route);
  return r;
}

TEST(RouteNeedLevel, OrdersRoutesOnThePolicysLevelsOfNeed) {
  EXPECT_EQ(RouteNeedLevel(v1::Route::NFA), 1);
  EXPECT_EQ(RouteNeedLevel(v1::Route::RETURN_TO_REFERRER), 1);
  EXPECT_EQ(RouteNeedLevel(v1::Route::SIGNPOST), 1);
  EXPECT_EQ(RouteNeedLevel(v1::Route::EARLY_HELP), 2);
  EXPECT_EQ(RouteNeedLevel(v1::Route::MASH), 3);
  EXPECT_EQ(RouteNeedLevel(v1::Route::SOCIAL_CARE_ASSESSMENT), 4);
  EXPECT_EQ(RouteNeedLevel(v1::Route::STRATEGY_DISCUSSION), 4);
  EXPECT_EQ(RouteNeedLevel(v1::Route::EXISTING_CASE), -1);
  EXPECT_EQ(RouteNeedLevel(v1::Route::ROUTE_UNSPECIFIED), -1);
}

using AuthorisationPolicyTest = PolicyTest;

TEST_F(AuthorisationPolicyTest, ClosingBelowTheRecommendationWaitsUnlessTurnedOff) {
  // No authorisation section: below_recommendation is on.
  auto policy = MustLoad(kOneRule);
  ASSERT_TRUE(policy);
  EXPECT_THAT(policy->AuthorisationNeeded(Recommended(v1::Route::MASH), v1::Route::NFA),
              HasSubstr("lower level of need than the rules recommended"));
  EXPECT_THAT(policy->AuthorisationNeeded(Recommended(v1::Route::EARLY_HELP), v1::Route::SIGNPOST),
              HasSubstr("signposting"));
  // At or above the recommendation, MASH (which closes nothing), an
  // existing case's team, or no recommendation at all: at once.
  EXPECT_THAT(policy->AuthorisationNeeded(Recommended(v1::Route::MASH), v1::Route::MASH),
              IsEmpty());
  EXPECT_THAT(
      policy->AuthorisationNeeded(Recommended(v1::Route::MASH), v1::Route::SOCIAL_CARE_ASSESSMENT),
      IsEmpty());
  EXPECT_THAT(
      policy->AuthorisationNeeded(Recommended(v1::Route::STRATEGY_DISCUSSION), v1::Route::MASH),
      IsEmpty());
  EXPECT_THAT(policy->AuthorisationNeeded(Recommended(v1::Route::SIGNPOST), v1::Route::NFA),
              IsEmpty());
  EXPECT_THAT(policy->AuthorisationNeeded(Recommended(v1::Route::MASH), v1::Route::EXISTING_CASE),
              IsEmpty());
  EXPECT_THAT(
      policy->AuthorisationNeeded(Recommended(v1::Route::ROUTE_UNSPECIFIED), v1::Route::NFA),
      IsEmpty());

  auto off = MustLoad(std::string(kOneRule) + "authorisation: {below_recommendation: false}\n");
  ASSERT_TRUE(off);
  EXPECT_THAT(off->AuthorisationNeeded(Recommended(v1::Route::MASH), v1::Route::NFA), IsEmpty());
}

TEST_F(AuthorisationPolicyTest, ListedRoutesAlwaysWait) {
  auto policy = MustLoad(std::string(kOneRule) +
                         "authorisation: {below_recommendation: false, routes: "
                         "[STRATEGY_DISCUSSION, MASH]}\n");
  ASSERT_TRUE(policy);
  EXPECT_EQ(policy->AuthorisationNeeded(Recommended(v1::Route::STRATEGY_DISCUSSION),
                                        v1::Route::STRATEGY_DISCUSSION),
            "The policy asks a manager to authorise every decision for a strategy discussion.");
  EXPECT_THAT(policy->AuthorisationNeeded(Recommended(v1::Route::MASH), v1::Route::MASH),
              HasSubstr("every decision for the Multi-Agency Safeguarding Hub"));
  EXPECT_THAT(policy->AuthorisationNeeded(Recommended(v1::Route::MASH), v1::Route::NFA), IsEmpty());
}

TEST_F(AuthorisationPolicyTest, TheAuthorisationTimescaleIsFourWorkingHoursUnlessARuleSays) {
  auto policy = MustLoad(R"(  - name: t
    hit_policy: FIRST
    rules:
      - id: r1
        when: {concerns: {any_of: [NEGLECT]}}
        then: {route: MASH, level: 3}
      - id: r2
        when: {concerns: {any_of: [HOUSING]}}
        then: {route: SIGNPOST, level: 1, timescales: {authorisation: {hours: 1}}}
)");
  ASSERT_TRUE(policy);
  TestContact neglect("concerns: [NEGLECT]\nchildren: [{date_of_birth: 2018-03-02}]");
  Evaluation ev = policy->Evaluate(neglect.facts);
  EXPECT_EQ(ev.timescales.authorisation().working_hours(), 4);
  TestContact housing("concerns: [HOUSING]\nchildren: [{date_of_birth: 2018-03-02}]");
  ev = policy->Evaluate(housing.facts);
  EXPECT_EQ(ev.timescales.authorisation().hours(), 1);
}

TEST_F(AuthorisationPolicyTest, UnspecifiedAndRepeatedRoutesAreRefused) {
  auto policy = Load(std::string(kOneRule) + "authorisation:\n  routes: [NFA, NFA]\n");
  EXPECT_FALSE(policy.ok());
  const PolicyError* e = ErrorFor("authorisation.routes[1]");
  ASSERT_NE(e, nullptr);
  EXPECT_THAT(e->message, HasSubstr("listed twice"));
  EXPECT_GT(e->line, 0);
}

TEST_F(DefaultPolicyTest, TheDefaultPolicyHoldsDecisionsBelowTheRecommendation) {
  ASSERT_TRUE(policy_);
  EXPECT_TRUE(policy_->spec().authorisation().below_recommendation());
  EXPECT_EQ(policy_->spec().timescales().authorisation().working_hours(), 4);
  EXPECT_THAT(policy_->AuthorisationNeeded(Recommended(v1::Route::MASH), v1::Route::NFA),
              HasSubstr("no further action"));
}

}  // namespace
}  // namespace frontdoor::rules::testing
