// `frontdoor rules test` and the engine must agree about a contact: both
// build its facts with rules::FactsFor and a Calendar made from the
// policy's office hours and the shipped bank holidays. The case file
// missing-on-christmas-day.yaml arrives at 11:00 on a Friday that is a bank
// holiday, and its outcome turns on out_of_hours; before rule cases used the
// calendar they counted it as office hours and disagreed with the engine.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/active_policy.h"
#include "engine/contact_machine.h"
#include "rules/facts.h"
#include "rules/rule_cases.h"
#include "tests/rules/test_support.h"

namespace frontdoor::rules {
namespace {

using testing::BankHolidaysPath;
using testing::DefaultPolicyPath;
using testing::SourceDir;

std::filesystem::path ChristmasCase() {
  return SourceDir() / "tests/rules/cases/out-of-hours/missing-on-christmas-day.yaml";
}

class RuleCasesAgreeWithTheEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto active = LoadActivePolicy(DefaultPolicyPath(), BankHolidaysPath());
    ASSERT_TRUE(active.ok()) << active.status();
    active_ = *std::move(active);
    auto rule_case = LoadRuleCase(ChristmasCase());
    ASSERT_TRUE(rule_case.ok()) << rule_case.status();
    case_ = *std::move(rule_case);
    ASSERT_FALSE(case_.has_out_of_hours()) << "the case must leave out_of_hours to the calendar";
  }

  TimePoint ReceivedAt() const { return FromProto(case_.received_at()); }

  ActivePolicy active_;
  v1::RuleCase case_;
};

TEST_F(RuleCasesAgreeWithTheEngineTest, TheCasePassesAsRulesTestRunsIt) {
  auto calendar = CalendarForCases(*active_.policy, BankHolidaysPath());
  ASSERT_TRUE(calendar.ok()) << calendar.status();
  RuleCaseResult result = RunRuleCaseFile(*active_.policy, *calendar, ChristmasCase());
  std::string failures;
  for (const std::string& f : result.failures) failures += "\n  " + f;
  EXPECT_TRUE(result.passed) << failures;
}

TEST_F(RuleCasesAgreeWithTheEngineTest, FactsForCaseAreTheEnginesFacts) {
  auto for_case = FactsForCase(case_, *active_.calendar);
  ASSERT_TRUE(for_case.ok()) << for_case.status();
  // The facts the engine stored: what Decide recorded in CONTACT_RECEIVED,
  // read back as replays and explanations read it.
  DecideInputs in;
  in.now = ReceivedAt();
  in.policy = active_.policy.get();
  in.calendar = active_.calendar.get();
  in.new_contact_id = "FD-00000001";
  in.prior = case_.prior();
  v1::ContactSubmission submission = case_.contact();
  *submission.mutable_received_at() = case_.received_at();
  auto events = Decide(nullptr, SubmitContact{submission, KeyActor("police"), "", ""}, in);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_FALSE(events->empty());
  Facts engine = FactsOf(events->front().contact_received(), *active_.calendar);
  EXPECT_TRUE(engine.out_of_hours);
  EXPECT_EQ(for_case->out_of_hours, engine.out_of_hours);
  EXPECT_EQ(for_case->received_on, engine.received_on);
  EXPECT_EQ(for_case->received_on, std::chrono::year{2026} / std::chrono::December / 25);
}

TEST_F(RuleCasesAgreeWithTheEngineTest, DecideRecommendsWhatTheCaseExpects) {
  DecideInputs in;
  in.now = ReceivedAt();
  in.policy = active_.policy.get();
  in.calendar = active_.calendar.get();
  in.new_contact_id = "FD-00000001";
  in.prior = case_.prior();
  v1::ContactSubmission submission = case_.contact();
  *submission.mutable_received_at() = case_.received_at();
  auto events = Decide(nullptr, SubmitContact{submission, KeyActor("police"), "", ""}, in);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_FALSE(events->empty());
  const v1::ContactReceived& received = events->front().contact_received();
  EXPECT_TRUE(received.out_of_hours());
  EXPECT_EQ(received.recommendation().rule_id(), case_.expect().rule_id());
  EXPECT_EQ(received.recommendation().route(), case_.expect().route());
  bool alerted = false;
  for (const v1::Event& e : *events) alerted = alerted || e.has_edt_alert();
  EXPECT_TRUE(alerted) << "an urgent contact out of hours alerts the emergency duty team";
}

TEST_F(RuleCasesAgreeWithTheEngineTest, WithoutTheBankHolidayTheOutcomeDiffers) {
  // The office hours alone, as rule cases used to count them.
  auto no_holidays = Calendar::Make(active_.policy->spec().office_hours(), {});
  ASSERT_TRUE(no_holidays.ok()) << no_holidays.status();
  auto facts = FactsForCase(case_, *no_holidays);
  ASSERT_TRUE(facts.ok());
  EXPECT_FALSE(facts->out_of_hours);
  EXPECT_NE(active_.policy->Evaluate(*facts).recommendation.rule_id(), case_.expect().rule_id());
}

}  // namespace
}  // namespace frontdoor::rules
