// Runs every data-driven rule case under tests/rules/cases against the
// default policy and the shipped bank holidays, one parameterised test per
// file (DuckDB-style: adding a case is adding a file). Also checks that the
// runner itself reports a wrong expectation, so a case cannot pass by
// accident.
#include "rules/rule_cases.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <sstream>

#include "tests/rules/test_support.h"

namespace frontdoor::rules {
namespace {

using testing::BankHolidaysPath;
using ::testing::Contains;
using testing::DefaultPolicyPath;
using ::testing::HasSubstr;
using testing::SourceDir;
using testing::TempDir;

std::filesystem::path CasesDir() { return SourceDir() / "tests" / "rules" / "cases"; }

const Policy& DefaultPolicy() {
  static const std::shared_ptr<const Policy> policy = [] {
    auto loaded = Policy::LoadFile(DefaultPolicyPath());
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status();
      return std::shared_ptr<const Policy>();
    }
    return *loaded;
  }();
  return *policy;
}

// The calendar `frontdoor rules test` counts with: the default policy's
// office hours and the shipped bank holidays.
const Calendar& DefaultCalendar() {
  static const Calendar calendar = [] {
    auto made = CalendarForCases(DefaultPolicy(), BankHolidaysPath());
    EXPECT_TRUE(made.ok()) << made.status();
    return *std::move(made);
  }();
  return calendar;
}

class RuleCaseTest : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(RuleCaseTest, MeetsItsExpectations) {
  RuleCaseResult result = RunRuleCaseFile(DefaultPolicy(), DefaultCalendar(), GetParam());
  std::string failures;
  for (const std::string& f : result.failures) failures += "\n  " + f;
  EXPECT_TRUE(result.passed) << GetParam().string() << " (" << result.name << ")" << failures;

  // Whatever the case expects, the three ways of evaluating agree, and the
  // explanation chooses exactly the recommended rule.
  auto rule_case = LoadRuleCase(GetParam());
  ASSERT_TRUE(rule_case.ok());
  auto facts = FactsForCase(*rule_case, DefaultCalendar());
  ASSERT_TRUE(facts.ok());
  Evaluation full = DefaultPolicy().Evaluate(*facts);
  Evaluation fast = DefaultPolicy().EvaluateFast(*facts);
  EXPECT_EQ(full.recommendation.SerializeAsString(), fast.recommendation.SerializeAsString());
  EXPECT_EQ(full.timescales.SerializeAsString(), fast.timescales.SerializeAsString());
  const v1::Rule* decided = DefaultPolicy().Decide(*facts);
  EXPECT_EQ(decided ? decided->id() : "", full.recommendation.rule_id());
  std::vector<std::string> chosen;
  for (const v1::RuleCheck& r : full.explanation.rules()) {
    if (r.chosen()) {
      chosen.push_back(r.rule_id());
      EXPECT_TRUE(r.matched());
    }
  }
  EXPECT_THAT(chosen, ::testing::ElementsAre(full.recommendation.rule_id()));
}

std::string CaseName(const ::testing::TestParamInfo<std::filesystem::path>& info) {
  std::string name = std::filesystem::relative(info.param, CasesDir()).replace_extension().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, RuleCaseTest, ::testing::ValuesIn(ListRuleCases(CasesDir())),
                         CaseName);

TEST(RuleCasesTest, ThereAreEnoughCases) { EXPECT_GE(ListRuleCases(CasesDir()).size(), 40u); }

TEST(RuleCasesTest, EveryRuleOfTheDefaultPolicyIsCovered) {
  std::set<std::string> covered;
  for (const auto& file : ListRuleCases(CasesDir())) {
    auto c = LoadRuleCase(file);
    if (c.ok() && c->expect().has_rule_id()) covered.insert(c->expect().rule_id());
  }
  for (const auto& table : DefaultPolicy().spec().tables()) {
    for (const auto& rule : table.rules()) {
      EXPECT_TRUE(covered.contains(rule.id())) << "no case expects rule " << rule.id();
    }
  }
}

constexpr char kCase[] = R"(name: Housing only, consent given
received_at: 2026-03-03T10:00:00Z
contact:
  channel: PORTAL
  source: SCHOOLS
  consent: {status: GIVEN}
  children: [{given_name: Test, family_name: Child, date_of_birth: "2019-04-01"}]
  concerns: [HOUSING]
  immediate_risk: false
expect:
  route: SIGNPOST
  level: 1
  rule_id: universal-needs
)";

TEST(RuleCasesTest, AWrongExpectationFailsWithAMessage) {
  TempDir dir;
  std::string wrong = kCase;
  wrong.replace(wrong.find("level: 1"), 8, "level: 3");
  wrong += "  reasons_include: [\"no such words\"]\n  urgent: true\n";
  std::filesystem::path file = dir.Write("wrong.yaml", wrong);
  RuleCaseResult result = RunRuleCaseFile(DefaultPolicy(), DefaultCalendar(), file);
  EXPECT_FALSE(result.passed);
  EXPECT_THAT(result.failures, Contains(HasSubstr("level: expected 3, got 1")));
  EXPECT_THAT(result.failures, Contains(HasSubstr("reasons: none includes \"no such words\"")));
  EXPECT_THAT(result.failures, Contains(HasSubstr("urgent: expected true, got false")));
}

TEST(RuleCasesTest, ABadCaseFileFailsNamingItsLine) {
  TempDir dir;
  std::string bad = kCase;
  bad.replace(bad.find("route: SIGNPOST"), 15, "rout: SIGNPOST");
  std::filesystem::path file = dir.Write("bad.yaml", bad);
  RuleCaseResult result = RunRuleCaseFile(DefaultPolicy(), DefaultCalendar(), file);
  EXPECT_FALSE(result.passed);
  EXPECT_THAT(result.failures, Contains(HasSubstr(":11: expect.rout: is not a field")));
}

TEST(RuleCasesTest, ACaseMustAnswerTheImmediateRiskQuestion) {
  TempDir dir;
  std::string unanswered = kCase;
  unanswered.erase(unanswered.find("  immediate_risk: false\n"), 24);
  RuleCaseResult result =
      RunRuleCaseFile(DefaultPolicy(), DefaultCalendar(), dir.Write("c.yaml", unanswered));
  EXPECT_FALSE(result.passed);
  EXPECT_THAT(result.failures, Contains(HasSubstr("contact.immediate_risk: is required")));
}

TEST(RuleCasesTest, TimescalesAreChecked) {
  TempDir dir;
  std::string right = kCase;
  right += "  timescales: {decision: {hours: 24}, mash_red: {working_hours: 4}}\n";
  RuleCaseResult passed =
      RunRuleCaseFile(DefaultPolicy(), DefaultCalendar(), dir.Write("right.yaml", right));
  EXPECT_TRUE(passed.passed) << ::testing::PrintToString(passed.failures);
  std::string wrong = kCase;
  wrong += "  timescales: {decision: {hours: 2}, mash: {working_days: 3}}\n";
  RuleCaseResult failed =
      RunRuleCaseFile(DefaultPolicy(), DefaultCalendar(), dir.Write("wrong.yaml", wrong));
  EXPECT_FALSE(failed.passed);
  EXPECT_THAT(failed.failures, Contains("timescales.decision: expected 2 hours, got 24 hours"));
  EXPECT_THAT(failed.failures, Contains("timescales.mash: expected 3 working days, got 72 hours"));
  // A timescales expectation alone is something to check.
  std::string only = kCase;
  only.erase(only.find("  route: SIGNPOST"));
  only += "  timescales: {decision: {hours: 24}}\n";
  EXPECT_TRUE(LoadRuleCase(dir.Write("only.yaml", only)).ok());
}

TEST(RuleCasesTest, OutOfHoursIsWorkedOutWhenNotGiven) {
  TempDir dir;
  std::string text = kCase;
  // Saturday 7 March 2026, and a child missing.
  text.replace(text.find("2026-03-03T10:00:00Z"), 20, "2026-03-07T10:00:00Z");
  text.replace(text.find("[HOUSING]"), 9, "[MISSING]");
  auto c = LoadRuleCase(dir.Write("c.yaml", text));
  ASSERT_TRUE(c.ok()) << c.status();
  auto facts = FactsForCase(*c, DefaultCalendar());
  ASSERT_TRUE(facts.ok());
  EXPECT_TRUE(facts->out_of_hours);
  EXPECT_EQ(DefaultPolicy().Evaluate(*facts).recommendation.rule_id(), "missing-out-of-hours");
  // Tuesday 16:59 London time (GMT) is open; 17:00 is not.
  c->mutable_received_at()->set_seconds(1772557140);  // 2026-03-03T16:59:00Z
  EXPECT_FALSE(FactsForCase(*c, DefaultCalendar())->out_of_hours);
  c->mutable_received_at()->set_seconds(1772557200);  // 2026-03-03T17:00:00Z
  EXPECT_TRUE(FactsForCase(*c, DefaultCalendar())->out_of_hours);
}

TEST(RuleCasesTest, AgesCountToTheLondonDate) {
  TempDir dir;
  std::string text = kCase;
  // 23:30 UTC on 31 May 2026 is already 1 June in London (BST), the day
  // the child turns 1.
  text.replace(text.find("2026-03-03T10:00:00Z"), 20, "2026-05-31T23:30:00Z");
  text.replace(text.find("2019-04-01"), 10, "2025-06-01");
  auto c = LoadRuleCase(dir.Write("c.yaml", text));
  ASSERT_TRUE(c.ok());
  auto facts = FactsForCase(*c, DefaultCalendar());
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->received_on, std::chrono::year{2026} / std::chrono::June / 1);
}

TEST(RuleCasesTest, RunRuleCasesSummarisesAndFailsOnAnyFailure) {
  TempDir dir;
  dir.Write("cases/good.yaml", kCase);
  std::ostringstream out;
  EXPECT_EQ(RunRuleCases(DefaultPolicyPath(), dir.path() / "cases", BankHolidaysPath(), out), 0)
      << out.str();
  EXPECT_THAT(out.str(), HasSubstr("1 cases: 1 passed, 0 failed"));
  std::string wrong = kCase;
  wrong.replace(wrong.find("route: SIGNPOST"), 15, "route: MASH");
  dir.Write("cases/sub/wrong.yaml", wrong);
  out.str("");
  EXPECT_NE(RunRuleCases(DefaultPolicyPath(), dir.path() / "cases", BankHolidaysPath(), out), 0);
  EXPECT_THAT(out.str(), HasSubstr("route: expected MASH, got SIGNPOST (rule universal-needs)"));
  EXPECT_THAT(out.str(), HasSubstr("2 cases: 1 passed, 1 failed"));
  out.str("");
  EXPECT_NE(RunRuleCases(DefaultPolicyPath(), dir.path() / "empty", BankHolidaysPath(), out), 0);
}

TEST(RuleCasesTest, TheRepositoryCasesPassThroughTheCliEntryPoint) {
  std::ostringstream out;
  EXPECT_EQ(RunRuleCases(DefaultPolicyPath(), CasesDir(), BankHolidaysPath(), out), 0) << out.str();
}

TEST(ExplainContactTest, ExplainsAJsonContact) {
  TempDir dir;
  std::filesystem::path file = dir.Write("contact.json", R"({
    "received_at": "2026-03-03T10:00:00Z",
    "channel": "PHONE", "source": "HEALTH_VISITOR",
    "consent": {"status": "GIVEN"},
    "children": [{"given_name": "Test", "family_name": "Baby", "date_of_birth": "2025-11-20"}],
    "concerns": ["DOMESTIC_ABUSE"], "immediate_risk": false,
    "narrative": "synthetic"
  })");
  std::ostringstream out;
  EXPECT_EQ(ExplainContact(DefaultPolicyPath(), file, BankHolidaysPath(), out), 0) << out.str();
  EXPECT_THAT(out.str(), HasSubstr("Recommendation: MASH"));
  EXPECT_THAT(out.str(), HasSubstr("rule baby-toxic-trio"));
  EXPECT_THAT(out.str(), HasSubstr("child 1: 3 months"));
  EXPECT_THAT(out.str(), HasSubstr("[safety-first] immediate-risk: did not match"));
}

TEST(ExplainContactTest, ABadContactNamesTheField) {
  TempDir dir;
  std::filesystem::path file = dir.Write("contact.json", "{\"concerns\": [\"NOPE\"]}");
  std::ostringstream out;
  EXPECT_NE(ExplainContact(DefaultPolicyPath(), file, BankHolidaysPath(), out), 0);
  EXPECT_THAT(out.str(), HasSubstr("concerns[0]: \"NOPE\" is not one of"));
}

}  // namespace
}  // namespace frontdoor::rules
