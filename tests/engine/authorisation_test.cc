// Management oversight in the contact machine, without a server: a decision
// below the recommendation (or on a listed route) waits for a manager with
// its own timescale; authorised, it takes effect as a direct decision would
// (closure and outcome letter, or MASH); returned, the contact awaits a
// decision again with a fresh decision timescale and the note in its
// history; nobody authorises their own decision.
#include "engine/authorisation.h"

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using testing::DefaultPolicy;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::kTuesday10am;
using testing::SchoolContact;

constexpr char kId[] = "FD-00000001";

std::vector<v1::EventType::Code> Types(const std::vector<v1::Event>& events) {
  std::vector<v1::EventType::Code> out;
  for (const auto& e : events) out.push_back(e.type());
  return out;
}

// A school's worry about physical abuse: the default policy recommends MASH.
v1::ContactSubmission PhysicalAbuseContact() {
  v1::ContactSubmission s = SchoolContact();
  s.clear_concerns();
  s.add_concerns(v1::Concern::PHYSICAL_ABUSE);
  return s;
}

v1::DecisionRequest Decision(v1::Route::Code route, v1::Rag::Code rag = v1::Rag::RAG_UNSPECIFIED) {
  v1::DecisionRequest d;
  d.set_route(route);
  d.set_rag(rag);
  d.set_reason("The bruise has an innocent explanation the school has confirmed.");
  return d;
}

v1::AuthorisationRequest Answer(v1::AuthorisationOutcome::Code outcome, std::string note = "") {
  v1::AuthorisationRequest a;
  a.set_outcome(outcome);
  a.set_note(std::move(note));
  return a;
}

const v1::Actor& Worker() {
  static const v1::Actor a = KeyActor("sam-patel", "county-front-door");
  return a;
}
const v1::Actor& Manager() {
  static const v1::Actor a = KeyActor("morgan-lee", "county-front-door");
  return a;
}

class AuthorisationTest : public ::testing::Test {
 protected:
  DecideInputs At(TimePoint now) const {
    DecideInputs in;
    in.now = now;
    in.policy = active_.policy.get();
    in.calendar = active_.calendar.get();
    in.new_contact_id = kId;
    return in;
  }

  absl::StatusOr<std::vector<v1::Event>> Try(const ContactCommand& command, TimePoint now) {
    auto events = Decide(has_state_ ? &state_ : nullptr, command, At(now));
    if (!events.ok()) return events;
    for (const auto& e : *events) Apply(state_, e);
    has_state_ = true;
    return events;
  }
  std::vector<v1::Event> Run(const ContactCommand& command, TimePoint now) {
    auto events = Try(command, now);
    EXPECT_TRUE(events.ok()) << events.status();
    return events.ok() ? *events : std::vector<v1::Event>{};
  }

  // Submitted on Tuesday at 10:00; the worker decides NFA at 11:00.
  void SubmitAndDecideNfa() {
    Run(SubmitContact{PhysicalAbuseContact(), KeyActor("example-school"), "", ""}, kTuesday10am);
    ASSERT_EQ(state_.contact().recommendation().route(), v1::Route::MASH);
    Run(RecordDecision{kId, Decision(v1::Route::NFA), Worker()}, kTuesday10am + hours(1));
  }

  // The default policy with `routes` always needing a manager.
  void UsePolicyListing(const std::string& routes) {
    const auto source = testing::DefaultPolicyPath();
    std::stringstream text;
    text << std::ifstream(source).rdbuf();
    std::string yaml = text.str();
    const std::string from = "routes: []";
    ASSERT_NE(yaml.find(from), std::string::npos);
    yaml.replace(yaml.find(from), from.size(), "routes: [" + routes + "]");
    std::filesystem::copy(source.parent_path() / "letters", dir_.path() / "letters",
                          std::filesystem::copy_options::recursive);
    std::ofstream(dir_.path() / "policy.yaml") << yaml;
    auto loaded = LoadActivePolicy(dir_.path() / "policy.yaml", testing::BankHolidaysPath());
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    active_ = *loaded;
  }

  static std::chrono::hours hours(int n) { return std::chrono::hours(n); }

  ActivePolicy active_ = DefaultPolicy();
  testing::TempDir dir_{"authorisation"};
  v1::ContactRecord state_;
  bool has_state_ = false;
};

TEST_F(AuthorisationTest, ClosingBelowTheRecommendationWaitsForAManager) {
  Run(SubmitContact{PhysicalAbuseContact(), KeyActor("example-school"), "", ""}, kTuesday10am);
  auto events =
      Run(RecordDecision{kId, Decision(v1::Route::NFA), Worker()}, kTuesday10am + hours(1));
  EXPECT_THAT(Types(events),
              ElementsAre(v1::EventType::TIMESCALE_STOPPED, v1::EventType::AUTHORISATION_REQUESTED,
                          v1::EventType::TIMESCALE_STARTED));
  // The worker decided in time: the decision timescale is met.
  EXPECT_EQ(events[0].timescale_stopped().name(), "decision");
  EXPECT_TRUE(events[0].timescale_stopped().met());
  const v1::AuthorisationRequested& requested = events[1].authorisation_requested();
  EXPECT_EQ(requested.decision().route(), v1::Route::NFA);
  EXPECT_EQ(requested.decision().decided_by(), "sam-patel");
  EXPECT_THAT(requested.why(), HasSubstr("no further action"));
  EXPECT_THAT(requested.why(), HasSubstr("lower level of need than the rules recommended"));

  const v1::Contact& c = state_.contact();
  EXPECT_EQ(c.state(), v1::ContactState::AWAITING_AUTHORISATION);
  EXPECT_FALSE(c.has_decision());
  EXPECT_EQ(c.outcome(), v1::Outcome::OUTCOME_UNSPECIFIED);
  EXPECT_EQ(c.authorisation().decision().decided_by_actor().id(), "sam-patel");
  EXPECT_EQ(FromProto(c.authorisation().requested_at()), kTuesday10am + hours(1));
  ASSERT_EQ(c.deadlines_size(), 1);
  EXPECT_EQ(c.deadlines(0).name(), "authorisation");
  // 4 working hours from 11:00 on a Tuesday.
  EXPECT_EQ(FromProto(c.deadlines(0).due_at()), kTuesday10am + hours(5));
  // No outcome letter yet: only the acknowledgement.
  for (const auto& e : events) EXPECT_FALSE(e.has_letter_issued());
}

TEST_F(AuthorisationTest, ADecisionAsRecommendedTakesEffectAtOnce) {
  Run(SubmitContact{PhysicalAbuseContact(), KeyActor("example-school"), "", ""}, kTuesday10am);
  Run(RecordDecision{kId, Decision(v1::Route::MASH, v1::Rag::AMBER), Worker()},
      kTuesday10am + hours(1));
  EXPECT_EQ(state_.contact().state(), v1::ContactState::IN_MASH);
  EXPECT_FALSE(state_.contact().has_authorisation());
}

TEST_F(AuthorisationTest, AuthorisedTheDecisionClosesTheContactWithItsOutcomeLetter) {
  SubmitAndDecideNfa();
  auto events =
      Run(RecordAuthorisation{kId, Answer(v1::AuthorisationOutcome::AUTHORISED), Manager()},
          kTuesday10am + hours(2));
  EXPECT_THAT(Types(events),
              ElementsAre(v1::EventType::AUTHORISATION_RECORDED, v1::EventType::TIMESCALE_STOPPED,
                          v1::EventType::DECISION_RECORDED, v1::EventType::CONTACT_CLOSED,
                          v1::EventType::LETTER_ISSUED));
  EXPECT_EQ(events[1].timescale_stopped().name(), "authorisation");
  EXPECT_TRUE(events[1].timescale_stopped().met());
  EXPECT_EQ(events[0].actor(), "morgan-lee");
  const v1::Contact& c = state_.contact();
  EXPECT_EQ(c.state(), v1::ContactState::CLOSED);
  EXPECT_EQ(c.outcome(), v1::Outcome::NFA);
  // The decision is still the worker's, made when they made it.
  EXPECT_EQ(c.decision().decided_by(), "sam-patel");
  EXPECT_EQ(c.decision().decided_by_actor().id(), "sam-patel");
  EXPECT_EQ(FromProto(c.decision().decided_at()), kTuesday10am + hours(1));
  EXPECT_EQ(c.authorisation().outcome(), v1::AuthorisationOutcome::AUTHORISED);
  EXPECT_EQ(c.authorisation().answered_by(), "morgan-lee");
  EXPECT_TRUE(c.deadlines().empty());
  EXPECT_EQ(events.back().letter_issued().letter().kind(), v1::LetterKind::OUTCOME);
  EXPECT_THAT(events.back().letter_issued().letter().body(), HasSubstr("innocent explanation"));
}

TEST_F(AuthorisationTest, ReturnedTheContactAwaitsADecisionAgainWithAFreshTimescale) {
  SubmitAndDecideNfa();
  auto events = Run(RecordAuthorisation{kId,
                                        Answer(v1::AuthorisationOutcome::RETURNED,
                                               "Ask the school nurse before closing this."),
                                        Manager()},
                    kTuesday10am + hours(3));
  EXPECT_THAT(Types(events),
              ElementsAre(v1::EventType::AUTHORISATION_RECORDED, v1::EventType::TIMESCALE_STOPPED,
                          v1::EventType::TIMESCALE_STARTED));
  EXPECT_EQ(events[0].authorisation_recorded().note(), "Ask the school nurse before closing this.");
  const v1::Contact& c = state_.contact();
  EXPECT_EQ(c.state(), v1::ContactState::AWAITING_DECISION);
  EXPECT_EQ(c.authorisation().outcome(), v1::AuthorisationOutcome::RETURNED);
  EXPECT_EQ(c.authorisation().note(), "Ask the school nurse before closing this.");
  ASSERT_EQ(c.deadlines_size(), 1);
  EXPECT_EQ(c.deadlines(0).name(), "decision");
  // The policy's 24 hours, counted from the return.
  EXPECT_EQ(FromProto(c.deadlines(0).started_at()), kTuesday10am + hours(3));
  EXPECT_EQ(FromProto(c.deadlines(0).due_at()), kTuesday10am + hours(27));

  // The worker decides again, as recommended this time.
  Run(RecordDecision{kId, Decision(v1::Route::MASH, v1::Rag::RED), Worker()},
      kTuesday10am + hours(4));
  EXPECT_EQ(state_.contact().state(), v1::ContactState::IN_MASH);
}

TEST_F(AuthorisationTest, NobodyAuthorisesTheirOwnDecision) {
  SubmitAndDecideNfa();
  auto refused = Try(RecordAuthorisation{kId, Answer(v1::AuthorisationOutcome::AUTHORISED),
                                         KeyActor("sam-patel", "county-front-door")},
                     kTuesday10am + hours(2));
  EXPECT_TRUE(absl::IsPermissionDenied(refused.status())) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("nobody authorises their own decision"));
  EXPECT_EQ(state_.contact().state(), v1::ContactState::AWAITING_AUTHORISATION);
}

TEST_F(AuthorisationTest, OnlyADecisionThatWaitsCanBeAnsweredAndAReturnNeedsANote) {
  Run(SubmitContact{PhysicalAbuseContact(), KeyActor("example-school"), "", ""}, kTuesday10am);
  auto early =
      Try(RecordAuthorisation{kId, Answer(v1::AuthorisationOutcome::AUTHORISED), Manager()},
          kTuesday10am);
  EXPECT_TRUE(absl::IsFailedPrecondition(early.status())) << early.status();
  Run(RecordDecision{kId, Decision(v1::Route::NFA), Worker()}, kTuesday10am + hours(1));
  auto bare = Try(RecordAuthorisation{kId, Answer(v1::AuthorisationOutcome::RETURNED), Manager()},
                  kTuesday10am + hours(2));
  EXPECT_TRUE(absl::IsInvalidArgument(bare.status())) << bare.status();
  EXPECT_THAT(ValidateAuthorisation(Answer(v1::AuthorisationOutcome::RETURNED, " ")),
              ElementsAre(::testing::Field(&FieldError::field, "note")));
  EXPECT_THAT(
      ValidateAuthorisation(Answer(v1::AuthorisationOutcome::AUTHORISATION_OUTCOME_UNSPECIFIED)),
      ElementsAre(::testing::Field(&FieldError::field, "outcome")));
}

TEST_F(AuthorisationTest, TheAuthorisationTimescaleBreachesOnce) {
  SubmitAndDecideNfa();
  TimePoint due = FromProto(state_.contact().deadlines(0).due_at());
  auto breach = Run(FireTimer{kId, "authorisation", due}, due);
  ASSERT_THAT(Types(breach), ElementsAre(v1::EventType::TIMESCALE_BREACHED));
  EXPECT_EQ(breach[0].timescale_breached().name(), "authorisation");
  EXPECT_TRUE(state_.contact().deadlines(0).breached());
  EXPECT_TRUE(Run(FireTimer{kId, "authorisation", due}, due + hours(1)).empty());
  // Authorised late: the timescale is recorded as not met.
  auto late = Run(RecordAuthorisation{kId, Answer(v1::AuthorisationOutcome::AUTHORISED), Manager()},
                  due + hours(1));
  EXPECT_FALSE(late[1].timescale_stopped().met());
}

TEST_F(AuthorisationTest, AListedRouteWaitsAndAuthorisedMashStartsMash) {
  UsePolicyListing("MASH");
  Run(SubmitContact{PhysicalAbuseContact(), KeyActor("example-school"), "", ""}, kTuesday10am);
  Run(RecordDecision{kId, Decision(v1::Route::MASH, v1::Rag::RED), Worker()},
      kTuesday10am + hours(1));
  EXPECT_EQ(state_.contact().state(), v1::ContactState::AWAITING_AUTHORISATION);
  EXPECT_THAT(state_.contact().authorisation().why(), HasSubstr("every decision for the Multi"));
  auto events =
      Run(RecordAuthorisation{kId, Answer(v1::AuthorisationOutcome::AUTHORISED), Manager()},
          kTuesday10am + hours(2));
  EXPECT_THAT(Types(events),
              ElementsAre(v1::EventType::AUTHORISATION_RECORDED, v1::EventType::TIMESCALE_STOPPED,
                          v1::EventType::DECISION_RECORDED, v1::EventType::TIMESCALE_STARTED,
                          // MASH asks the policy's agencies (police, GP, school).
                          v1::EventType::CHECK_REQUESTED, v1::EventType::CHECK_REQUESTED,
                          v1::EventType::CHECK_REQUESTED));
  const v1::Contact& c = state_.contact();
  EXPECT_EQ(c.state(), v1::ContactState::IN_MASH);
  EXPECT_EQ(c.mash().rag(), v1::Rag::RED);
  ASSERT_EQ(c.deadlines_size(), 1);
  EXPECT_EQ(c.deadlines(0).name(), "mash");
  // Red: 4 working hours from 12:00.
  EXPECT_EQ(FromProto(c.deadlines(0).due_at()), kTuesday10am + hours(6));
}

}  // namespace
}  // namespace frontdoor
