// Unit tests of evaluation: the three hit policies and each kind of
// condition a rule may give, on small policies written in the test.

#include "rules/policy.h"
#include "tests/rules/policy_fixture.h"
#include "tests/rules/test_support.h"

namespace frontdoor::rules {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::kOneRule;
using ::testing::Not;
using testing::PolicyTest;
using testing::PriorOf;
using testing::TestContact;
using namespace std::chrono_literals;

// --- Hit policies ----------------------------------------------------------------

TEST_F(PolicyTest, FirstTakesTheFirstMatchInWrittenOrder) {
  auto policy = MustLoad(R"(  - name: t
    hit_policy: FIRST
    rules:
      - id: neglect
        when: {concerns: {any_of: [NEGLECT]}}
        then: {route: MASH, level: 3}
      - id: anything
        when: {}
        then: {route: SIGNPOST, level: 1}
)");
  ASSERT_NE(policy, nullptr);
  TestContact neglect("{concerns: [NEGLECT, HOUSING]}");
  Evaluation ev = policy->Evaluate(neglect.facts);
  EXPECT_EQ(ev.recommendation.rule_id(), "neglect");
  // The explanation shows both matched and which was chosen.
  ASSERT_EQ(ev.explanation.rules_size(), 2);
  EXPECT_TRUE(ev.explanation.rules(0).matched());
  EXPECT_TRUE(ev.explanation.rules(0).chosen());
  EXPECT_TRUE(ev.explanation.rules(1).matched());
  EXPECT_FALSE(ev.explanation.rules(1).chosen());
  TestContact housing("{concerns: [HOUSING]}");
  EXPECT_EQ(policy->Evaluate(housing.facts).recommendation.rule_id(), "anything");
}

TEST_F(PolicyTest, PriorityTakesTheHighestPriorityWhateverTheOrder) {
  auto policy = MustLoad(R"(  - name: t
    hit_policy: PRIORITY
    rules:
      - id: low
        priority: 1
        when: {}
        then: {route: SIGNPOST, level: 1}
      - id: high
        priority: 10
        when: {concerns: {any_of: [NEGLECT]}}
        then: {route: MASH, level: 3}
      - id: middle
        priority: 5
        when: {concerns: {any_of: [NEGLECT, HOUSING]}}
        then: {route: EARLY_HELP, level: 2}
)");
  ASSERT_NE(policy, nullptr);
  TestContact neglect("{concerns: [NEGLECT]}");
  Evaluation ev = policy->Evaluate(neglect.facts);
  EXPECT_EQ(ev.recommendation.rule_id(), "high");
  EXPECT_EQ(policy->EvaluateFast(neglect.facts).recommendation.rule_id(), "high");
  EXPECT_EQ(policy->Decide(neglect.facts)->id(), "high");
  ASSERT_EQ(ev.explanation.rules_size(), 3);
  EXPECT_FALSE(ev.explanation.rules(0).chosen());
  EXPECT_TRUE(ev.explanation.rules(1).chosen());
  EXPECT_TRUE(ev.explanation.rules(2).matched());
  TestContact housing("{concerns: [HOUSING]}");
  EXPECT_EQ(policy->EvaluateFast(housing.facts).recommendation.rule_id(), "middle");
  TestContact other("{concerns: [OTHER]}");
  EXPECT_EQ(policy->EvaluateFast(other.facts).recommendation.rule_id(), "low");
}

TEST_F(PolicyTest, FirstTableWithAMatchDecides) {
  auto policy = MustLoad(R"(  - name: first
    hit_policy: FIRST
    rules:
      - id: risk
        when: {immediate_risk: true}
        then: {route: MASH, level: 4, rag: RED}
  - name: second
    hit_policy: UNIQUE
    rules:
      - id: neglect
        when: {concerns: {any_of: [NEGLECT]}}
        then: {route: EARLY_HELP, level: 2}
      - id: no-neglect
        when: {concerns: {none_of: [NEGLECT]}}
        then: {route: SIGNPOST, level: 1}
  - name: never-reached
    hit_policy: FIRST
    rules:
      - id: catch-all
        when: {}
        then: {route: NFA, level: 1}
)");
  ASSERT_NE(policy, nullptr);
  TestContact c("{concerns: [NEGLECT], immediate_risk: false}");
  Evaluation ev = policy->Evaluate(c.facts);
  EXPECT_EQ(ev.recommendation.rule_id(), "neglect");
  // Tables after the deciding one are not considered.
  std::vector<std::string> considered;
  for (const auto& r : ev.explanation.rules()) considered.push_back(r.table() + "/" + r.rule_id());
  EXPECT_THAT(considered, ElementsAre("first/risk", "second/neglect", "second/no-neglect"));
}

TEST_F(PolicyTest, NoMatchLeavesTheDecisionToTriage) {
  auto policy = MustLoad(kOneRule);
  TestContact c("{concerns: [HOUSING], immediate_risk: true}");
  Evaluation ev = policy->Evaluate(c.facts);
  EXPECT_EQ(ev.recommendation.route(), v1::Route::ROUTE_UNSPECIFIED);
  EXPECT_EQ(ev.recommendation.level(), 0);
  EXPECT_EQ(ev.recommendation.rule_id(), "");
  EXPECT_THAT(ev.recommendation.reasons(), ElementsAre(HasSubstr("triage staff must decide")));
  EXPECT_EQ(ev.recommendation.rules_version(), policy->version());
  EXPECT_TRUE(ev.urgent);  // immediate risk is always urgent
  EXPECT_EQ(ev.timescales.decision().hours(), 24);
  EXPECT_EQ(ev.timescales.mash().hours(), 72);
  EXPECT_EQ(policy->Decide(c.facts), nullptr);
}

// --- Conditions -------------------------------------------------------------------

struct ConditionCase {
  const char* name;
  const char* when;
  const char* contact;
  v1::Prior prior;
  bool out_of_hours;
  bool holds;
};

class ConditionTest : public PolicyTest, public ::testing::WithParamInterface<ConditionCase> {};

TEST_P(ConditionTest, HoldsExactlyWhenItShould) {
  const ConditionCase& c = GetParam();
  auto policy = MustLoad(std::string("  - name: t\n    hit_policy: FIRST\n    rules:\n") +
                         "      - id: r\n        when: " + c.when +
                         "\n        then: {route: MASH, level: 3}\n");
  ASSERT_NE(policy, nullptr);
  // Contacts are received on 3 March 2026.
  TestContact contact(c.contact);
  contact.facts.prior = c.prior;
  contact.facts.out_of_hours = c.out_of_hours;
  Evaluation ev = policy->Evaluate(contact.facts);
  EXPECT_EQ(ev.recommendation.rule_id() == "r", c.holds);
  EXPECT_EQ(policy->EvaluateFast(contact.facts).recommendation.rule_id() == "r", c.holds);
  ASSERT_EQ(ev.explanation.rules_size(), 1);
  EXPECT_EQ(ev.explanation.rules(0).matched(), c.holds);
  for (const auto& check : ev.explanation.rules(0).conditions()) {
    EXPECT_FALSE(check.condition().empty());
    EXPECT_FALSE(check.expected().empty());
    EXPECT_FALSE(check.seen().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, ConditionTest,
    ::testing::Values(
        ConditionCase{"AnyOfHolds",
                      "{concerns: {any_of: [NEGLECT, HOUSING]}}",
                      "{concerns: [HOUSING]}",
                      {},
                      false,
                      true},
        ConditionCase{"AnyOfFails",
                      "{concerns: {any_of: [NEGLECT]}}",
                      "{concerns: [HOUSING]}",
                      {},
                      false,
                      false},
        ConditionCase{"AllOfHolds",
                      "{concerns: {all_of: [NEGLECT, HOUSING]}}",
                      "{concerns: [HOUSING, OTHER, NEGLECT]}",
                      {},
                      false,
                      true},
        ConditionCase{"AllOfFails",
                      "{concerns: {all_of: [NEGLECT, HOUSING]}}",
                      "{concerns: [HOUSING]}",
                      {},
                      false,
                      false},
        ConditionCase{"NoneOfHolds",
                      "{concerns: {none_of_group: harm}}",
                      "{concerns: [NEGLECT]}",
                      {},
                      false,
                      true},
        ConditionCase{"NoneOfFails",
                      "{concerns: {none_of_group: harm}}",
                      "{concerns: [NEGLECT, PHYSICAL_ABUSE]}",
                      {},
                      false,
                      false},
        ConditionCase{"OnlyFromHolds",
                      "{concerns: {only_from: [HOUSING, OTHER]}}",
                      "{concerns: [OTHER]}",
                      {},
                      false,
                      true},
        ConditionCase{"OnlyFromFails",
                      "{concerns: {only_from: [HOUSING, OTHER]}}",
                      "{concerns: [OTHER, NEGLECT]}",
                      {},
                      false,
                      false},
        ConditionCase{"ImmediateRiskYes",
                      "{immediate_risk: true}",
                      "{immediate_risk: true}",
                      {},
                      false,
                      true},
        ConditionCase{
            "ImmediateRiskNotGivenIsNo", "{immediate_risk: false}", "{}", {}, false, true},
        ConditionCase{"ImmediateRiskFails",
                      "{immediate_risk: true}",
                      "{immediate_risk: false}",
                      {},
                      false,
                      false},
        ConditionCase{"ConsentHolds",
                      "{consent: [REFUSED, NOT_SOUGHT]}",
                      "{consent: {status: NOT_SOUGHT}}",
                      {},
                      false,
                      true},
        ConditionCase{
            "ConsentFails", "{consent: [REFUSED]}", "{consent: {status: GIVEN}}", {}, false, false},
        ConditionCase{"ConsentMissingFails", "{consent: [REFUSED]}", "{}", {}, false, false},
        ConditionCase{
            "SourceHolds", "{source: [POLICE, SCHOOLS]}", "{source: SCHOOLS}", {}, false, true},
        ConditionCase{"SourceFails", "{source: [POLICE]}", "{source: HEALTH_GP}", {}, false, false},
        ConditionCase{"ChannelHolds", "{channel: [PHONE]}", "{channel: PHONE}", {}, false, true},
        ConditionCase{"ChannelFails", "{channel: [PHONE]}", "{channel: PORTAL}", {}, false, false},
        // Born 3 March 2025: 12 months old on 3 March 2026.
        ConditionCase{"TwelveMonthsIsNotUnderOne",
                      "{child_age: {max_months: 11}}",
                      "{children: [{date_of_birth: \"2025-03-03\"}]}",
                      {},
                      false,
                      false},
        ConditionCase{"ElevenMonthsIsUnderOne",
                      "{child_age: {max_months: 11}}",
                      "{children: [{date_of_birth: \"2025-03-04\"}]}",
                      {},
                      false,
                      true},
        ConditionCase{"MaxYearsZeroIsUnderOne",
                      "{child_age: {max_years: 0}}",
                      "{children: [{date_of_birth: \"2025-03-04\"}]}",
                      {},
                      false,
                      true},
        ConditionCase{"MinYearsOneOnTheBirthday",
                      "{child_age: {min_years: 1}}",
                      "{children: [{date_of_birth: \"2025-03-03\"}]}",
                      {},
                      false,
                      true},
        ConditionCase{"MaxYearsIncludesTheWholeYear",
                      "{child_age: {max_years: 15}}",
                      "{children: [{date_of_birth: \"2010-03-04\"}]}",
                      {},
                      false,
                      true},
        ConditionCase{"SixteenthBirthdayIsOverFifteen",
                      "{child_age: {max_years: 15}}",
                      "{children: [{date_of_birth: \"2010-03-03\"}]}",
                      {},
                      false,
                      false},
        ConditionCase{"SomeChildInRange",
                      "{child_age: {min_years: 10}}",
                      "{children: [{date_of_birth: \"2023-01-01\"}, {date_of_birth: "
                      "\"2012-06-01\"}]}",
                      {},
                      false,
                      true},
        ConditionCase{"UnbornHolds",
                      "{child_age: {unborn: true}}",
                      "{children: [{date_of_birth: \"2020-01-01\"}, {expected_date_of_birth: "
                      "\"2026-06-01\"}]}",
                      {},
                      false,
                      true},
        ConditionCase{"UnbornFails",
                      "{child_age: {unborn: true}}",
                      "{children: [{date_of_birth: \"2020-01-01\"}]}",
                      {},
                      false,
                      false},
        ConditionCase{"BornFailsForUnbornOnly",
                      "{child_age: {unborn: false}}",
                      "{children: [{expected_date_of_birth: \"2026-06-01\"}]}",
                      {},
                      false,
                      false},
        ConditionCase{"UnknownAgeNeverHolds",
                      "{child_age: {min_years: 0}}",
                      "{children: [{given_name: Sam}]}",
                      {},
                      false,
                      false},
        ConditionCase{
            "ChildrenHolds", "{children: {min: 2}}", "{children: [{}, {}, {}]}", {}, false, true},
        ConditionCase{
            "ChildrenFails", "{children: {min: 2}}", "{children: [{}]}", {}, false, false},
        ConditionCase{"ContactsHolds", "{contacts_12m: {min: 2, max: 3}}", "{}", PriorOf(3, 0),
                      false, true},
        ConditionCase{"ContactsFails", "{contacts_12m: {min: 2, max: 3}}", "{}", PriorOf(4, 0),
                      false, false},
        ConditionCase{"ReferralsHolds", "{referrals_12m: {max: 0}}", "{}", PriorOf(5, 0), false,
                      true},
        ConditionCase{"ReferralsFails", "{referrals_12m: {max: 0}}", "{}", PriorOf(5, 1), false,
                      false},
        ConditionCase{"OpenCaseHolds", "{open_case: true}", "{}", PriorOf(0, 0, true), false, true},
        ConditionCase{"OpenCaseFails", "{open_case: true}", "{}", PriorOf(0, 0, false), false,
                      false},
        ConditionCase{"OutOfHoursHolds", "{out_of_hours: true}", "{}", {}, true, true},
        ConditionCase{"InHoursHolds", "{out_of_hours: false}", "{}", {}, false, true},
        ConditionCase{"OutOfHoursFails", "{out_of_hours: true}", "{}", {}, false, false}),
    [](const ::testing::TestParamInfo<ConditionCase>& param) { return param.param.name; });

TEST_F(PolicyTest, UnknownAgeIsExplained) {
  auto policy = MustLoad(R"(  - name: t
    hit_policy: FIRST
    rules:
      - id: baby
        when: {child_age: {max_months: 11}}
        then: {route: MASH, level: 4}
)");
  TestContact c(
      "{children: [{given_name: Sam}, {date_of_birth: \"2025-10-01\"}, "
      "{expected_date_of_birth: \"2026-07-01\"}, {date_of_birth: \"2019-02-30\"}]}");
  Evaluation ev = policy->Evaluate(c.facts);
  ASSERT_EQ(ev.explanation.rules_size(), 1);
  ASSERT_EQ(ev.explanation.rules(0).conditions_size(), 1);
  const v1::ConditionCheck& check = ev.explanation.rules(0).conditions(0);
  EXPECT_TRUE(check.held());
  EXPECT_EQ(check.expected(), "under 12 months");
  EXPECT_THAT(check.seen(), HasSubstr("child 1: age not known (no date of birth given"));
  EXPECT_THAT(check.seen(), HasSubstr("child 2: 5 months"));
  EXPECT_THAT(check.seen(), HasSubstr("child 3: unborn"));
  EXPECT_THAT(check.seen(), HasSubstr("child 4: age not known (the date of birth is not a date"));
  // Explanations never carry children's names.
  EXPECT_THAT(check.seen(), Not(HasSubstr("Sam")));
  EXPECT_THAT(ev.recommendation.reasons(),
              ElementsAre("A child is aged under 12 months (5 months)."));
}

}  // namespace
}  // namespace frontdoor::rules
