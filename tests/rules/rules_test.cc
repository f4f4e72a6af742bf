// Unit tests of loading a policy: what loads, what the loader remembers
// (lines, versions), and the exact overlap check of UNIQUE and PRIORITY
// tables. Policies that must not load are data cases (policy_errors_test.cc).

#include "rules/policy.h"
#include "tests/rules/policy_fixture.h"
#include "tests/rules/test_support.h"

namespace frontdoor::rules {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::kHeader;
using testing::kOneRule;
using testing::kOutcome;
using testing::LineOf;
using testing::PolicyTest;
using testing::TestContact;
using namespace std::chrono_literals;

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

// The same window set by one rule, beside a timescale the rule overrides:
// the rule's length replaces the policy's, never mixes with it.
TEST_F(PolicyTest, ARuleMaySetTheWarningWindowAndOverrideATimescale) {
  auto policy = MustLoad(R"(  - name: t
    hit_policy: FIRST
    rules:
      - id: r1
        when: {concerns: {any_of: [NEGLECT]}}
        then: {route: MASH, level: 3, timescales: {warn_before_minutes: 30, mash: {working_hours: 4}}}
)");
  ASSERT_NE(policy, nullptr);
  TestContact c("{concerns: [NEGLECT]}");
  Evaluation ev = policy->Evaluate(c.facts);
  EXPECT_EQ(ev.timescales.warn_before_minutes(), 30);
  EXPECT_EQ(ev.timescales.mash().working_hours(), 4);
  EXPECT_EQ(ev.timescales.mash().length_case(), v1::TimescaleSpec::kWorkingHours);
  EXPECT_EQ(ev.timescales.decision().hours(), 24);
}

}  // namespace
}  // namespace frontdoor::rules
