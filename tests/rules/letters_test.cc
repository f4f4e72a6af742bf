// Unit tests of letters: templates, what goes into a letter (and that the
// narrative never can), and the wording of dates, children and outcomes.
#include "rules/letters.h"
#include "frontdoor/codes.h"
#include "rules/policy.h"
#include "tests/rules/policy_fixture.h"
#include "tests/rules/test_support.h"

namespace frontdoor::rules {
namespace {

using testing::DefaultPolicyTest;
using ::testing::HasSubstr;
using testing::kOneRule;
using ::testing::Not;
using testing::PolicyTest;
using namespace std::chrono_literals;

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

// An urgent contact's referrer hears what happens now, never "by tomorrow".
TEST_F(DefaultPolicyTest, TheAcknowledgementOfAnUrgentContactSaysWhatHappensNow) {
  LetterValues values = SampleValues();
  values.urgent = true;
  values.decision_due = "12:15 on 3 March 2026";
  values.decision_within = "2 hours";
  auto ack = policy_->RenderLetter("acknowledgement", values);
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_THAT(ack->body, HasSubstr("a child may be at immediate risk of significant harm, so we "
                                   "are treating your contact as urgent."));
  EXPECT_THAT(ack->body, HasSubstr("We will decide what happens now within 2 hours, by 12:15 on "
                                   "3 March 2026"));
  EXPECT_THAT(ack->body, HasSubstr("If a child is in immediate danger, call 999 now."));
  EXPECT_THAT(ack->body, Not(HasSubstr("decide what happens next by")));
  EXPECT_THAT(ack->body, Not(HasSubstr("emergency duty team has been alerted")));
  EXPECT_THAT(ack->body, Not(HasSubstr("\n\n\n")));

  values.emergency_duty_team_alerted = true;
  ack = policy_->RenderLetter("acknowledgement", values);
  ASSERT_TRUE(ack.ok());
  EXPECT_THAT(ack->body, HasSubstr("It reached us outside office hours, so the emergency duty team "
                                   "has been alerted and is acting on it now."));
  EXPECT_THAT(ack->body, HasSubstr("within 2 hours"));

  // Not urgent: the usual wording, and no urgent paragraph.
  values = SampleValues();
  ack = policy_->RenderLetter("acknowledgement", values);
  ASSERT_TRUE(ack.ok());
  EXPECT_THAT(ack->body, HasSubstr("We will decide what happens next by 4 March 2026 at 10:15"));
  EXPECT_THAT(ack->body, Not(HasSubstr("urgent")));
  EXPECT_THAT(ack->body, HasSubstr("If you think a child is in immediate danger, call 999."));
  EXPECT_THAT(ack->body, Not(HasSubstr("\n\n\n")));
}

TEST_F(PolicyTest, UrgentAndTheDutyTeamAreValuesATemplateMayUse) {
  dir_.Write("ack.txt",
             "Received {{contact_id}}\n\n{{#urgent}}Urgent: within {{decision_within}}."
             "{{#emergency_duty_team_alerted}} EDT alerted.{{/emergency_duty_team_alerted}}"
             "{{/urgent}}{{^urgent}}By {{decision_due}}.{{/urgent}}\n");
  auto policy = MustLoad(kOneRule);
  ASSERT_NE(policy, nullptr);
  LetterValues values = SampleValues();
  EXPECT_EQ(policy->RenderLetter("acknowledgement", values)->body, "By 4 March 2026 at 10:15.\n");
  values.urgent = true;
  values.decision_within = "2 hours";
  values.emergency_duty_team_alerted = true;
  EXPECT_EQ(policy->RenderLetter("acknowledgement", values)->body,
            "Urgent: within 2 hours. EDT alerted.\n");
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

TEST(LetterValuesTest, UrgentWhenAChildIsSaidToBeAtImmediateRisk) {
  v1::Contact c;
  *c.mutable_received_at() = ToProto(At("2026-03-03T10:15:00Z"));
  EXPECT_FALSE(LetterValuesFor(c, nullptr).urgent);
  c.set_immediate_risk(false);
  EXPECT_FALSE(LetterValuesFor(c, nullptr).urgent);
  c.set_immediate_risk(true);
  EXPECT_TRUE(LetterValuesFor(c, nullptr).urgent);
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

}  // namespace
}  // namespace frontdoor::rules
