// Unit tests of what a recommendation says for itself, on the default
// policy: the explanation of every rule considered, the generated reasons,
// timescales with their overrides, and urgency.
#include <atomic>
#include <sstream>
#include <thread>

#include "rules/policy.h"
#include "rules/rule_cases.h"
#include "tests/rules/policy_fixture.h"
#include "tests/rules/test_support.h"

namespace frontdoor::rules {
namespace {

using testing::DefaultPolicyTest;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::kHeader;
using testing::PolicyTest;
using testing::PriorOf;
using testing::TempDir;
using testing::TestContact;
using namespace std::chrono_literals;

// --- Explanation, reasons, timescales, urgency ---------------------------------

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

}  // namespace
}  // namespace frontdoor::rules
