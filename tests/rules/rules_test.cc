// Unit tests of the rule engine: loading a policy (the policies that must
// not load are data cases, policy_errors_test.cc); the three hit policies and the exact overlap
// check of UNIQUE and PRIORITY tables; each kind of condition; the
// explanation and generated reasons; timescales; letters (including that
// the narrative cannot get into one) and their wording; and the version
// hash.
#include <algorithm>
#include <atomic>
#include <sstream>
#include <thread>

#include "frontdoor/codes.h"
#include "rules/letters.h"
#include "rules/policy.h"
#include "rules/rule_cases.h"
#include "tests/rules/test_support.h"

namespace frontdoor::rules {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using testing::FromYaml;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::LineOf;
using ::testing::Not;
using testing::TempDir;
using testing::TestContact;
using namespace std::chrono_literals;

constexpr char kHeader[] = R"(label: Test policy
letters:
  acknowledgement: ack.txt
  outcome: outcome.txt
signposts:
  hub: {service: Test Family Hub, what_for: everyday worries, how_to_reach: 01632 960000}
concern_groups:
  harm: {label: significant harm, concerns: [SEXUAL_ABUSE, PHYSICAL_ABUSE]}
tables:
)";

constexpr char kAck[] = "Received {{contact_id}}\n\nDear {{referrer_name}}, about {{children}}.\n";
constexpr char kOutcome[] =
    "Outcome {{contact_id}}\n\n{{outcome}}: {{reason}}\n{{#signposts}}- {{service}} "
    "({{how_to_reach}})\n{{/signposts}}";

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("ack.txt", kAck);
    dir_.Write("outcome.txt", kOutcome);
  }

  absl::StatusOr<std::shared_ptr<const Policy>> Load(const std::string& tables) {
    text_ = std::string(kHeader) + tables;
    errors_.clear();
    return Policy::LoadText(text_, "test.yaml", dir_.path(), &errors_);
  }

  std::shared_ptr<const Policy> MustLoad(const std::string& tables) {
    auto policy = Load(tables);
    for (const PolicyError& e : errors_) ADD_FAILURE() << e.ToString();
    EXPECT_TRUE(policy.ok()) << policy.status();
    return policy.ok() ? *policy : nullptr;
  }

  // The errors as "line: field: message" lines, for matching.
  std::vector<std::string> ErrorLines() const {
    std::vector<std::string> lines;
    for (const PolicyError& e : errors_) lines.push_back(e.ToString());
    return lines;
  }

  const PolicyError* ErrorFor(std::string_view field) const {
    for (const PolicyError& e : errors_) {
      if (e.field == field) return &e;
    }
    return nullptr;
  }

  TempDir dir_;
  std::string text_;
  std::vector<PolicyError> errors_;
};

constexpr char kOneRule[] = R"(  - name: t
    hit_policy: FIRST
    rules:
      - id: r1
        when: {concerns: {any_of: [NEGLECT]}}
        then: {route: MASH, level: 3}
)";

// --- Loading -----------------------------------------------------------------
// Policies that must not load are data cases: policy_errors/, run by
// policy_errors_test.cc.

TEST_F(PolicyTest, LoadsAGoodPolicyAndHashesIt) {
  auto policy = MustLoad(kOneRule);
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(policy->label(), "Test policy");
  EXPECT_THAT(policy->version(), ::testing::MatchesRegex("sha256:[0-9a-f]{16}"));
  EXPECT_EQ(policy->text(), text_);
  // The same text and templates give the same version.
  EXPECT_EQ(MustLoad(kOneRule)->version(), policy->version());
}

TEST_F(PolicyTest, VersionChangesWhenATemplateChanges) {
  std::string before = MustLoad(kOneRule)->version();
  dir_.Write("outcome.txt", std::string(kOutcome) + "\nWith thanks.\n");
  std::string after = MustLoad(kOneRule)->version();
  EXPECT_NE(before, after);
}

TEST_F(PolicyTest, VersionChangesWhenThePolicyChanges) {
  std::string before = MustLoad(kOneRule)->version();
  std::string changed = kOneRule;
  changed.replace(changed.find("level: 3"), 8, "level: 4");
  EXPECT_NE(MustLoad(changed)->version(), before);
}

TEST(PolicyErrorTest, ToStringNamesFileLineAndField) {
  PolicyError e{"test.yaml", 9, "tables[0].rules[0].whenn", "is not a field of Rule"};
  EXPECT_EQ(e.ToString(), "test.yaml:9: tables[0].rules[0].whenn: is not a field of Rule");
  EXPECT_EQ((PolicyError{"test.yaml", 0, "", "the policy file is empty"}).ToString(),
            "test.yaml: the policy file is empty");
}

TEST_F(PolicyTest, LoadFileReportsAMissingFile) {
  std::vector<PolicyError> errors;
  auto policy = Policy::LoadFile(dir_.path() / "nope.yaml", &errors);
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kNotFound);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].file, HasSubstr("nope.yaml"));
}

TEST_F(PolicyTest, LoadFileFindsTemplatesNextToThePolicy) {
  std::filesystem::path file = dir_.Write("policy.yaml", std::string(kHeader) + kOneRule);
  auto policy = Policy::LoadFile(file);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ((*policy)->path(), file);
}

// --- Overlap of rules in UNIQUE tables -----------------------------------------

struct OverlapCase {
  const char* name;
  const char* a;
  const char* b;
  bool overlap;
};

class OverlapTest : public PolicyTest, public ::testing::WithParamInterface<OverlapCase> {};

TEST_P(OverlapTest, UniqueTableRefusesExactlyTheOverlappingPairs) {
  const OverlapCase& c = GetParam();
  std::string tables =
      std::string("  - name: t\n    hit_policy: UNIQUE\n    rules:\n") +
      "      - id: rule-a\n        when: " + c.a + "\n        then: {route: MASH, level: 3}\n" +
      "      - id: rule-b\n        when: " + c.b + "\n        then: {route: NFA, level: 1}\n";
  auto policy = Load(tables);
  if (!c.overlap) {
    EXPECT_TRUE(policy.ok()) << ::testing::PrintToString(ErrorLines());
    return;
  }
  ASSERT_FALSE(policy.ok());
  const PolicyError* e = ErrorFor("tables[0].rules[1]");
  ASSERT_NE(e, nullptr) << ::testing::PrintToString(ErrorLines());
  EXPECT_THAT(e->message,
              AllOf(HasSubstr("\"rule-a\""), HasSubstr("\"rule-b\""), HasSubstr("UNIQUE")));
  EXPECT_EQ(e->line, LineOf(text_, "- id: rule-b"));
}

INSTANTIATE_TEST_SUITE_P(
    Dimensions, OverlapTest,
    ::testing::Values(
        OverlapCase{"EmptyOverlapsAnything", "{}", "{concerns: {any_of: [NEGLECT]}}", true},
        OverlapCase{"SharedAnyOf", "{concerns: {any_of: [NEGLECT]}}",
                    "{concerns: {any_of: [NEGLECT, HOUSING]}}", true},
        OverlapCase{"AnyOfVersusNoneOf", "{concerns: {any_of: [NEGLECT]}}",
                    "{concerns: {none_of: [NEGLECT]}}", false},
        OverlapCase{"AnyOfWithAnOtherMember", "{concerns: {any_of: [NEGLECT, HOUSING]}}",
                    "{concerns: {none_of: [NEGLECT]}}", true},
        OverlapCase{"DisjointAnyOfCanBothBeRaised", "{concerns: {any_of: [NEGLECT]}}",
                    "{concerns: {any_of: [HOUSING]}}", true},
        OverlapCase{"OnlyFromVersusAnyOfOutside", "{concerns: {only_from: [HOUSING]}}",
                    "{concerns: {any_of: [NEGLECT]}}", false},
        OverlapCase{"OnlyFromSharingOne", "{concerns: {only_from: [HOUSING, OTHER]}}",
                    "{concerns: {only_from: [OTHER, NEGLECT]}}", true},
        // A contact raises at least one concern, so two disjoint only_from
        // lists never meet.
        OverlapCase{"DisjointOnlyFrom", "{concerns: {only_from: [HOUSING]}}",
                    "{concerns: {only_from: [OTHER]}}", false},
        OverlapCase{"AllOfVersusNoneOf", "{concerns: {all_of: [NEGLECT, HOUSING]}}",
                    "{concerns: {none_of: [HOUSING]}}", false},
        OverlapCase{"AllOfOutsideOnlyFrom", "{concerns: {all_of: [NEGLECT, HOUSING]}}",
                    "{concerns: {only_from: [NEGLECT, OTHER]}}", false},
        OverlapCase{"GroupCountsAsItsConcerns", "{concerns: {none_of_group: harm}}",
                    "{concerns: {any_of: [SEXUAL_ABUSE]}}", false},
        OverlapCase{"ImmediateRiskDiffers", "{immediate_risk: true}", "{immediate_risk: false}",
                    false},
        OverlapCase{"ImmediateRiskAndUnconstrained", "{immediate_risk: true}",
                    "{concerns: {any_of: [NEGLECT]}}", true},
        OverlapCase{"ConsentDisjoint", "{consent: [REFUSED]}", "{consent: [GIVEN, NOT_SOUGHT]}",
                    false},
        OverlapCase{"ConsentShared", "{consent: [REFUSED, GIVEN]}", "{consent: [GIVEN]}", true},
        OverlapCase{"SourceDisjoint", "{source: [POLICE]}", "{source: [SCHOOLS, HEALTH_GP]}",
                    false},
        OverlapCase{"ChannelShared", "{channel: [PHONE, EMAIL]}", "{channel: [EMAIL]}", true},
        OverlapCase{"ContactsDisjoint", "{contacts_12m: {max: 1}}", "{contacts_12m: {min: 2}}",
                    false},
        OverlapCase{"ContactsTouch", "{contacts_12m: {max: 2}}", "{contacts_12m: {min: 2}}", true},
        OverlapCase{"ReferralsDisjoint", "{referrals_12m: {min: 3}}",
                    "{referrals_12m: {min: 0, max: 2}}", false},
        OverlapCase{"ChildrenDisjoint", "{children: {max: 1}}", "{children: {min: 2}}", false},
        OverlapCase{"OpenCaseDiffers", "{open_case: true}", "{open_case: false}", false},
        OverlapCase{"OutOfHoursDiffers", "{out_of_hours: true}", "{out_of_hours: false}", false},
        OverlapCase{"OutOfHoursAndOpenCase", "{out_of_hours: true}", "{open_case: true}", true},
        // "Some child in range": a baby and a teenager can be on one contact.
        OverlapCase{"DifferentAgesTwoChildren", "{child_age: {max_years: 0}}",
                    "{child_age: {min_years: 13}}", true},
        OverlapCase{"DifferentAgesOneChild", "{child_age: {max_years: 0}, children: {max: 1}}",
                    "{child_age: {min_years: 13}}", false},
        OverlapCase{"YearsIncludeTheWholeYear",
                    "{child_age: {min_years: 1, max_years: 2}, children: {max: 1}}",
                    "{child_age: {max_months: 12}}", true},
        OverlapCase{"MonthsBelowAYear",
                    "{child_age: {min_years: 1, max_years: 2}, children: {max: 1}}",
                    "{child_age: {max_months: 11}}", false},
        OverlapCase{"UnbornAndUnborn", "{child_age: {unborn: true}}",
                    "{child_age: {unborn: true}, children: {max: 1}}", true},
        OverlapCase{"UnbornAndBornOneChild", "{child_age: {unborn: true}, children: {max: 1}}",
                    "{child_age: {unborn: false}}", false},
        OverlapCase{"UnbornAndBabyTwoChildren", "{child_age: {unborn: true}}",
                    "{child_age: {max_months: 11}}", true},
        OverlapCase{"OneDimensionDisjointIsEnough",
                    "{concerns: {any_of: [NEGLECT]}, consent: [GIVEN], children: {min: 1}}",
                    "{concerns: {any_of: [NEGLECT]}, consent: [REFUSED]}", false}),
    [](const ::testing::TestParamInfo<OverlapCase>& param) { return param.param.name; });

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

v1::Prior PriorOf(int contacts, int referrals, bool open_case = false) {
  v1::Prior p;
  p.set_contacts_12m(contacts);
  p.set_referrals_12m(referrals);
  if (open_case) {
    p.mutable_open_case()->set_case_id("C-1");
    p.mutable_open_case()->set_team("Team North");
  }
  return p;
}

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

// --- Explanation, reasons, timescales, urgency ---------------------------------

class DefaultPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<PolicyError> errors;
    auto loaded = Policy::LoadFile(testing::DefaultPolicyPath(), &errors);
    for (const PolicyError& e : errors) ADD_FAILURE() << e.ToString();
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    policy_ = *loaded;
  }
  std::shared_ptr<const Policy> policy_;
};

TEST_F(DefaultPolicyTest, ExplainsWhyNotLevelFour) {
  TestContact c(R"({channel: PORTAL, source: SCHOOLS, consent: {status: GIVEN},
      children: [{given_name: Amy, date_of_birth: "2018-05-01"}], concerns: [NEGLECT],
      immediate_risk: false})");
  Evaluation ev = policy_->Evaluate(c.facts);
  EXPECT_EQ(ev.recommendation.rule_id(), "possible-harm");
  EXPECT_EQ(ev.recommendation.level(), 3);
  const v1::RuleCheck* serious = nullptr;
  int chosen = 0;
  for (const v1::RuleCheck& r : ev.explanation.rules()) {
    if (r.rule_id() == "serious-abuse") serious = &r;
    chosen += r.chosen() ? 1 : 0;
    EXPECT_FALSE(r.table().empty());
    EXPECT_FALSE(r.description().empty()) << r.rule_id();
  }
  EXPECT_EQ(chosen, 1);
  ASSERT_NE(serious, nullptr);
  EXPECT_EQ(serious->table(), "significant-harm");
  EXPECT_FALSE(serious->matched());
  ASSERT_EQ(serious->conditions_size(), 1);
  EXPECT_EQ(serious->conditions(0).condition(), "Concerns raised include at least one of");
  EXPECT_THAT(serious->conditions(0).expected(), HasSubstr("serious abuse: "));
  EXPECT_THAT(serious->conditions(0).expected(), HasSubstr("sexual abuse"));
  EXPECT_EQ(serious->conditions(0).seen(), "neglect");
  EXPECT_FALSE(serious->conditions(0).held());
  // The whole explanation reads as text too.
  std::string text = FormatEvaluation(ev, true);
  EXPECT_THAT(text, HasSubstr("[significant-harm] serious-abuse: did not match"));
  EXPECT_THAT(text, HasSubstr("[level-of-need] possible-harm: CHOSEN"));
}

TEST_F(DefaultPolicyTest, ConsentRefusedReasonsReadAsSentences) {
  TestContact c(R"({channel: EMAIL, source: HEALTH_GP, consent: {status: REFUSED, reason: x},
      children: [{date_of_birth: "2016-09-12"}], concerns: [HOUSING, FINANCIAL_HARDSHIP]})");
  Evaluation ev = policy_->Evaluate(c.facts);
  EXPECT_EQ(ev.recommendation.route(), v1::Route::RETURN_TO_REFERRER);
  ASSERT_EQ(ev.recommendation.reasons_size(), 2);
  // The rule's own words first, then what the contact showed.
  EXPECT_THAT(ev.recommendation.reasons(0), HasSubstr("needs the family's agreement"));
  EXPECT_EQ(ev.recommendation.reasons(1),
            "Consent was refused, no child is said to be at immediate risk, nothing raised "
            "suggests significant harm and there were no earlier referrals about the children "
            "in the last 12 months.");
  EXPECT_EQ(ev.outcome_letter, "returned");
  EXPECT_FALSE(ev.urgent);
  EXPECT_EQ(ev.recommendation.policy_label(), "Northfield continuum of need 2026");
}

TEST_F(DefaultPolicyTest, FastEvaluationGivesTheSameRecommendation) {
  TestContact c(R"({channel: PHONE, source: POLICE, consent: {status: NOT_SOUGHT},
      children: [{expected_date_of_birth: "2026-06-01"}, {date_of_birth: "2024-01-01"}],
      concerns: [DOMESTIC_ABUSE]})");
  c.facts.prior = PriorOf(1, 0);
  Evaluation full = policy_->Evaluate(c.facts);
  Evaluation fast = policy_->EvaluateFast(c.facts);
  EXPECT_EQ(full.recommendation.SerializeAsString(), fast.recommendation.SerializeAsString());
  EXPECT_EQ(full.timescales.SerializeAsString(), fast.timescales.SerializeAsString());
  EXPECT_EQ(full.urgent, fast.urgent);
  EXPECT_EQ(full.outcome_letter, fast.outcome_letter);
  EXPECT_GT(full.explanation.rules_size(), 0);
  EXPECT_EQ(fast.explanation.rules_size(), 0);
  EXPECT_EQ(full.recommendation.rule_id(), "unborn-toxic-trio");
}

TEST_F(DefaultPolicyTest, TimescalesComeFromThePolicy) {
  TestContact c("{consent: {status: GIVEN}, concerns: [SEXUAL_ABUSE]}");
  Evaluation ev = policy_->Evaluate(c.facts);
  EXPECT_EQ(ev.timescales.decision().hours(), 24);
  EXPECT_EQ(ev.timescales.mash().hours(), 72);
  EXPECT_EQ(ev.timescales.mash_red().working_hours(), 4);
  EXPECT_EQ(ev.timescales.mash_amber().working_hours(), 24);
  EXPECT_EQ(ev.timescales.mash_green().hours(), 72);
  EXPECT_TRUE(ev.urgent);  // the rule says so
}

TEST_F(PolicyTest, RuleTimescalesOverrideThePolicyFieldByField) {
  text_ = std::string(kHeader) + R"(  - name: t
    hit_policy: FIRST
    rules:
      - id: fast
        when: {concerns: {any_of: [NEGLECT]}}
        then: {route: MASH, level: 4, urgent: true, timescales: {decision: {working_hours: 2}}}
      - id: plain
        when: {}
        then: {route: NFA, level: 1}
timescales:
  mash: {working_days: 3}
)";
  auto policy = Policy::LoadText(text_, "test.yaml", dir_.path(), &errors_);
  ASSERT_TRUE(policy.ok()) << policy.status();
  TestContact neglect("{concerns: [NEGLECT]}");
  Evaluation ev = (*policy)->Evaluate(neglect.facts);
  EXPECT_EQ(ev.timescales.decision().working_hours(), 2);
  EXPECT_EQ(ev.timescales.mash().working_days(), 3);
  EXPECT_TRUE(ev.urgent);
  TestContact other("{concerns: [OTHER], immediate_risk: false}");
  Evaluation plain = (*policy)->Evaluate(other.facts);
  EXPECT_EQ(plain.timescales.decision().hours(), 24);  // the default
  EXPECT_EQ(plain.timescales.mash().working_days(), 3);
  EXPECT_FALSE(plain.urgent);
}

TEST_F(PolicyTest, ImmediateRiskIsAlwaysUrgent) {
  auto policy = MustLoad(R"(  - name: t
    hit_policy: FIRST
    rules:
      - id: any
        when: {}
        then: {route: MASH, level: 3}
)");
  TestContact risk("{immediate_risk: true}");
  EXPECT_TRUE(policy->Evaluate(risk.facts).urgent);
  TestContact none("{}");
  EXPECT_FALSE(policy->Evaluate(none.facts).urgent);
}

TEST_F(DefaultPolicyTest, SignpostsAreResolved) {
  TestContact c("{consent: {status: GIVEN}, concerns: [HOUSING]}");
  Evaluation ev = policy_->Evaluate(c.facts);
  EXPECT_EQ(ev.recommendation.route(), v1::Route::SIGNPOST);
  ASSERT_GT(ev.recommendation.signposts_size(), 0);
  EXPECT_EQ(ev.recommendation.signposts(0).service(), "Northfield Family Hub");
  EXPECT_THAT(ev.recommendation.signposts(0).how_to_reach(), HasSubstr("01632 960"));
}

TEST_F(DefaultPolicyTest, EvaluationIsThreadSafe) {
  TestContact c(R"({consent: {status: GIVEN}, concerns: [CHILD_MENTAL_HEALTH],
      children: [{date_of_birth: "2012-01-01"}]})");
  const std::string expected = policy_->Evaluate(c.facts).recommendation.SerializeAsString();
  std::atomic<int> mismatches{0};
  auto work = [&] {
    for (int i = 0; i < 2000; ++i) {
      if (policy_->Evaluate(c.facts).recommendation.SerializeAsString() != expected) ++mismatches;
    }
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(DefaultPolicyTest, CheckPolicyPrintsASummary) {
  std::ostringstream out, err;
  EXPECT_EQ(CheckPolicy(testing::DefaultPolicyPath(), out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("Northfield continuum of need 2026"));
  EXPECT_THAT(out.str(), HasSubstr(policy_->version()));
  EXPECT_THAT(out.str(), HasSubstr("significant-harm (PRIORITY)"));
  EXPECT_THAT(out.str(), HasSubstr("mash_red 4 working hours"));
  EXPECT_THAT(err.str(), IsEmpty());
}

TEST(CheckPolicyTest, PrintsErrorsWithFileAndLine) {
  TempDir dir;
  std::filesystem::path file =
      dir.Write("bad.yaml", "label: x\ntables:\n  - name: t\n    hit_policy: SOMETIMES\n");
  std::ostringstream out, err;
  EXPECT_NE(CheckPolicy(file, out, err), 0);
  EXPECT_THAT(err.str(),
              HasSubstr(file.string() + ":4: tables[0].hit_policy: \"SOMETIMES\" is not one of"));
  EXPECT_THAT(out.str(), IsEmpty());
}

// --- Letters -------------------------------------------------------------------

LetterValues SampleValues() {
  LetterValues v;
  v.contact_id = "C-2026-000123";
  v.external_ref = "SCH/77";
  v.referrer_name = "Ms Rowan O'Hara & Co";
  v.received_date = "3 March 2026";
  v.children = "A.B. (aged 7) and C.B. (aged 4 months)";
  v.outcome = "signposted to services that can help";
  v.reason = "Universal services can meet these needs.";
  v.route = "signposting to services that can help";
  v.decision_due = "4 March 2026 at 10:15";
  v1::Signpost s;
  s.set_service("Test Family Hub");
  s.set_what_for("everyday worries");
  s.set_how_to_reach("01632 960000");
  v.signposts.push_back(s);
  return v;
}

TEST_F(PolicyTest, RendersALetterWithSubjectAndBody) {
  auto policy = MustLoad(kOneRule);
  auto letter = policy->RenderLetter("outcome", SampleValues());
  ASSERT_TRUE(letter.ok()) << letter.status();
  EXPECT_EQ(letter->subject, "Outcome C-2026-000123");
  EXPECT_EQ(letter->body,
            "signposted to services that can help: Universal services can meet these needs.\n"
            "- Test Family Hub (01632 960000)\n");
  auto ack = policy->RenderLetter("acknowledgement", SampleValues());
  ASSERT_TRUE(ack.ok());
  // Plain text: nothing is HTML-escaped.
  EXPECT_EQ(ack->body,
            "Dear Ms Rowan O'Hara & Co, about A.B. (aged 7) and C.B. (aged 4 months).\n");
}

TEST_F(PolicyTest, UnknownLetterIsNotFound) {
  auto policy = MustLoad(kOneRule);
  EXPECT_EQ(policy->RenderLetter("nope", SampleValues()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(DefaultPolicyTest, DefaultLettersRenderCompletely) {
  LetterValues values = SampleValues();
  for (const auto& [name, file] : policy_->spec().letters()) {
    auto letter = policy_->RenderLetter(name, values);
    ASSERT_TRUE(letter.ok()) << name << ": " << letter.status();
    EXPECT_FALSE(letter->subject.empty()) << name;
    EXPECT_THAT(letter->subject, HasSubstr("C-2026-000123")) << name;
    EXPECT_THAT(letter->body, HasSubstr("A.B. (aged 7)")) << name;
    EXPECT_THAT(letter->body, HasSubstr("your reference SCH/77")) << name;
    EXPECT_THAT(letter->body, Not(HasSubstr("{{"))) << name;
  }
  // Without a reference the sentence about it disappears.
  values.external_ref.clear();
  auto ack = policy_->RenderLetter("acknowledgement", values);
  ASSERT_TRUE(ack.ok());
  EXPECT_THAT(ack->body, Not(HasSubstr("your reference")));
  EXPECT_THAT(ack->body, HasSubstr("by 4 March 2026 at 10:15"));
  values.decision_due.clear();
  EXPECT_THAT(policy_->RenderLetter("acknowledgement", values)->body,
              Not(HasSubstr("decide what happens next")));
  // Signposting lists where to turn.
  auto signposting = policy_->RenderLetter("signposting", SampleValues());
  EXPECT_THAT(signposting->body, HasSubstr("  - Test Family Hub: everyday worries. 01632 960000"));
}

// --- Letter wording ------------------------------------------------------------

TimePoint At(const char* rfc3339) {
  absl::StatusOr<TimePoint> t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.value_or(TimePoint{});
}

v1::Child* AddChild(v1::Contact& c, const char* given, const char* family) {
  v1::Child* child = c.add_children();
  child->set_given_name(given);
  child->set_family_name(family);
  return child;
}

TEST(LetterValuesTest, WordsDatesAndChildrenInLondonTime) {
  v1::Contact c;
  c.set_id("FD-00000007");
  c.set_external_ref("SCH-1");
  c.mutable_referrer()->set_name("Ada Teacher");
  // 00:30 on 1 July in London (BST): dates and ages count from 1 July.
  *c.mutable_received_at() = ToProto(At("2026-06-30T23:30:00Z"));
  AddChild(c, "jo", "Smith")->set_date_of_birth("2019-01-15");
  AddChild(c, "Émile", "")->set_date_of_birth("2025-05-01");
  AddChild(c, "", "")->set_date_of_birth("2026-06-01");
  AddChild(c, "", "")->set_expected_date_of_birth("2027-03-05");
  AddChild(c, "Kit", "Lee")->set_expected_date_of_birth("2027-01-10");
  v1::Deadline decision;
  decision.set_name("decision");
  *decision.mutable_due_at() = ToProto(At("2026-07-02T08:30:00Z"));

  LetterValues v = LetterValuesFor(c, &decision);
  EXPECT_EQ(v.contact_id, "FD-00000007");
  EXPECT_EQ(v.external_ref, "SCH-1");
  EXPECT_EQ(v.referrer_name, "Ada Teacher");
  EXPECT_EQ(v.received_date, "1 July 2026");
  EXPECT_EQ(v.decision_due, "09:30 on 2 July 2026");
  EXPECT_EQ(v.children,
            "J.S. (aged 7), É. (aged 14 months), a child (aged 1 month), an unborn baby (due "
            "March 2027) and K.L., unborn, (due January 2027)");
  EXPECT_TRUE(v.outcome.empty());
  EXPECT_TRUE(LetterValuesFor(c, nullptr).decision_due.empty());
}

TEST(LetterValuesTest, AnOutcomeBringsItsReasonRouteAndSignposts) {
  v1::Contact c;
  *c.mutable_received_at() = ToProto(At("2026-03-03T10:00:00Z"));
  c.set_outcome(v1::Outcome::SIGNPOSTED);
  c.mutable_decision()->set_route(v1::Route::SIGNPOST);
  c.mutable_decision()->set_reason("Universal services can meet these needs.");
  c.mutable_recommendation()->add_signposts()->set_service("Test Family Hub");
  LetterValues v = LetterValuesFor(c, nullptr);
  EXPECT_EQ(v.received_date, "3 March 2026");
  EXPECT_EQ(v.outcome, LabelOf(v1::Outcome::SIGNPOSTED));
  EXPECT_EQ(v.route, LabelOf(v1::Route::SIGNPOST));
  EXPECT_EQ(v.reason, "Universal services can meet these needs.");
  ASSERT_EQ(v.signposts.size(), 1u);
  EXPECT_EQ(v.signposts[0].service(), "Test Family Hub");
  // The MASH's reason, once it has recorded an outcome.
  c.set_outcome(v1::Outcome::NFA);
  c.mutable_mash()->set_outcome(v1::MashOutcome::NFA);
  c.mutable_mash()->set_reason("No role for children's social care.");
  v = LetterValuesFor(c, nullptr);
  EXPECT_EQ(v.reason, "No role for children's social care.");
  EXPECT_TRUE(v.signposts.empty());
}

// Regression: warn_before_minutes is a number among the timescales, and the
// loader read every field of Timescales as a timescale message, so a policy
// that set it aborted `rules check` and, through SIGHUP, the server.
TEST(WarnBeforeMinutesTest, APolicyAndARuleMaySetTheWarningWindow) {
  std::string text = frontdoor::testing::ReadFile(testing::DefaultPolicyPath());
  const std::string at = "timescales:\n  decision: {hours: 24}\n";
  ASSERT_NE(text.find(at), std::string::npos);
  text.replace(text.find(at), at.size(), at + "  warn_before_minutes: 90\n");
  std::vector<PolicyError> errors;
  auto policy =
      Policy::LoadText(text, "default.yaml", testing::DefaultPolicyPath().parent_path(), &errors);
  for (const PolicyError& e : errors) ADD_FAILURE() << e.ToString();
  ASSERT_TRUE(policy.ok()) << policy.status();
  TestContact c(R"({channel: PORTAL, source: SCHOOLS, consent: {status: GIVEN},
      children: [{given_name: Amy, date_of_birth: "2018-05-01"}], concerns: [NEGLECT],
      immediate_risk: false})");
  Evaluation ev = (*policy)->Evaluate(c.facts);
  EXPECT_EQ(ev.recommendation.rule_id(), "possible-harm");
  EXPECT_EQ(ev.timescales.warn_before_minutes(), 90);
  EXPECT_EQ(ev.timescales.decision().hours(), 24);
}

}  // namespace
}  // namespace frontdoor::rules
