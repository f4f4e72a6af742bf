// Decide and Apply without a server or a store: the events each command
// causes, the state they fold into, and that replaying the history gives
// the same state.
#include "engine/contact_machine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "google/protobuf/util/message_differencer.h"
#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using testing::DefaultPolicy;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::kSaturday2am;
using testing::kTuesday10am;
using ::testing::Not;
using testing::SchoolContact;

std::vector<v1::EventType::Code> Types(const std::vector<v1::Event>& events) {
  std::vector<v1::EventType::Code> out;
  for (const auto& e : events) out.push_back(e.type());
  return out;
}

class ContactMachineTest : public ::testing::Test {
 protected:
  DecideInputs At(TimePoint now) const {
    DecideInputs in;
    in.now = now;
    in.policy = active_.policy.get();
    in.calendar = active_.calendar.get();
    return in;
  }

  // Decides `command` against `state_`, applies the events, returns them.
  std::vector<v1::Event> Run(const ContactCommand& command, TimePoint now) {
    return Run(command, At(now));
  }
  std::vector<v1::Event> Run(const ContactCommand& command, DecideInputs in) {
    in.new_contact_id = "FD-00000001";
    auto events = Decide(has_state_ ? &state_ : nullptr, command, in);
    EXPECT_TRUE(events.ok()) << events.status();
    if (!events.ok()) return {};
    for (const auto& e : *events) {
      Apply(state_, e);
      history_.push_back(e);
    }
    has_state_ = true;
    return *events;
  }

  // A school's contact about a child the case system has an open case for,
  // on a Tuesday morning.
  std::vector<v1::Event> SubmitAboutChildWithOpenCase() {
    DecideInputs in = At(kTuesday10am);
    in.prior.mutable_open_case()->set_case_id("CASE-17");
    in.prior.mutable_open_case()->set_team("Children in Need Team 2");
    return Run(SubmitContact{SchoolContact(), KeyActor("example-school"), "", ""}, in);
  }

  v1::Letter LastLetter() const {
    for (auto it = history_.rbegin(); it != history_.rend(); ++it) {
      if (it->has_letter_issued()) return it->letter_issued().letter();
    }
    ADD_FAILURE() << "no letter";
    return {};
  }

  ActivePolicy active_ = DefaultPolicy();
  v1::ContactRecord state_;
  bool has_state_ = false;
  std::vector<v1::Event> history_;
};

TEST_F(ContactMachineTest, SubmissionStartsTheDecisionTimescaleAndAcknowledges) {
  auto events =
      Run(SubmitContact{SchoolContact(), KeyActor("example-school"), "", ""}, kTuesday10am);
  EXPECT_THAT(Types(events),
              ElementsAre(v1::EventType::CONTACT_RECEIVED, v1::EventType::TIMESCALE_STARTED,
                          v1::EventType::LETTER_ISSUED));
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].seq(), i + 1);
    EXPECT_EQ(events[i].id(), "FD-00000001-" + std::to_string(i + 1));
    EXPECT_EQ(events[i].actor(), "example-school");
  }
  const v1::Contact& c = state_.contact();
  EXPECT_EQ(c.id(), "FD-00000001");
  EXPECT_EQ(c.state(), v1::ContactState::AWAITING_DECISION);
  ASSERT_EQ(c.deadlines_size(), 1);
  EXPECT_EQ(c.deadlines(0).name(), "decision");
  EXPECT_EQ(FromProto(c.deadlines(0).due_at()), kTuesday10am + std::chrono::hours(24));
  EXPECT_FALSE(c.deadlines(0).breached());
  EXPECT_THAT(c.recommendation().rules_version(), HasSubstr("sha256:"));
  EXPECT_FALSE(c.recommendation().rule_id().empty());
  EXPECT_EQ(c.narrative(), SchoolContact().narrative());

  v1::Letter ack = LastLetter();
  EXPECT_EQ(ack.kind(), v1::LetterKind::ACKNOWLEDGEMENT);
  EXPECT_EQ(ack.email(), "dsl@school.example.org");
  EXPECT_FALSE(ack.undeliverable());
  EXPECT_THAT(ack.body(), Not(HasSubstr("SYNTHETIC-NARRATIVE")));
  EXPECT_THAT(ack.body(), Not(HasSubstr("Sam")));
  EXPECT_THAT(ack.body(), Not(HasSubstr("2018-03-02")));
  EXPECT_THAT(ack.body(), HasSubstr("FD-00000001"));
}

TEST_F(ContactMachineTest, ReplayingTheHistoryGivesTheSameState) {
  Run(SubmitContact{SchoolContact(), KeyActor("example-school"), "", ""}, kTuesday10am);
  v1::DecisionRequest d;
  d.set_route(v1::Route::MASH);
  d.set_rag(v1::Rag::RED);
  d.set_reason("Checks needed.");
  Run(RecordDecision{"FD-00000001", d, KeyActor("ifd-triage")},
      kTuesday10am + std::chrono::hours(2));
  v1::MashOutcomeRequest o;
  o.set_outcome(v1::MashOutcome::STRATEGY_DISCUSSION);
  o.set_reason("Reasonable cause to suspect significant harm.");
  o.set_unanswered_checks_reason("Enough is known without them.");
  Run(RecordMashOutcome{"FD-00000001", o, KeyActor("ifd-triage")},
      kTuesday10am + std::chrono::hours(3));

  v1::ContactRecord replayed;
  for (const auto& e : history_) Apply(replayed, e);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(replayed, state_));
}

TEST_F(ContactMachineTest, MashDecisionStopsTheDecisionClockAndStartsMash) {
  Run(SubmitContact{SchoolContact(), KeyActor("example-school"), "", ""}, kTuesday10am);
  v1::DecisionRequest d;
  d.set_route(v1::Route::MASH);
  d.set_rag(v1::Rag::RED);
  d.set_reason("Checks needed.");
  TimePoint decided = kTuesday10am + std::chrono::hours(2);
  auto events = Run(RecordDecision{"FD-00000001", d, KeyActor("ifd-triage")}, decided);
  EXPECT_THAT(Types(events),
              ElementsAre(v1::EventType::TIMESCALE_STOPPED, v1::EventType::DECISION_RECORDED,
                          v1::EventType::TIMESCALE_STARTED, v1::EventType::CHECK_REQUESTED,
                          v1::EventType::CHECK_REQUESTED, v1::EventType::CHECK_REQUESTED));
  EXPECT_TRUE(events[0].timescale_stopped().met());
  EXPECT_EQ(state_.contact().state(), v1::ContactState::IN_MASH);
  EXPECT_EQ(state_.contact().mash().rag(), v1::Rag::RED);
  ASSERT_EQ(state_.contact().deadlines_size(), 1);
  EXPECT_EQ(state_.contact().deadlines(0).name(), "mash");
  // Red: 4 working hours from 12:00 on a Tuesday is 16:00 the same day.
  EXPECT_EQ(FromProto(state_.contact().deadlines(0).due_at()), decided + std::chrono::hours(4));

  auto again =
      Decide(&state_, RecordDecision{"FD-00000001", d, KeyActor("ifd-triage")}, At(decided));
  EXPECT_TRUE(absl::IsFailedPrecondition(again.status()));
}

TEST_F(ContactMachineTest, MashOutcomeClosesWithAnOutcomeLetter) {
  Run(SubmitContact{SchoolContact(), KeyActor("example-school"), "", ""}, kTuesday10am);
  v1::DecisionRequest d;
  d.set_route(v1::Route::MASH);
  d.set_reason("Checks needed.");
  Run(RecordDecision{"FD-00000001", d, KeyActor("ifd-triage")}, kTuesday10am);
  v1::MashOutcomeRequest o;
  o.set_outcome(v1::MashOutcome::EARLY_HELP);
  o.set_reason("The family agreed to a family support worker.");
  o.set_unanswered_checks_reason("Enough is known without them.");
  o.set_team("Early Help North");
  auto events = Run(RecordMashOutcome{"FD-00000001", o, KeyActor("mash-officer")}, kTuesday10am);
  // The three checks still asked are marked not needed first.
  EXPECT_THAT(Types(events),
              ElementsAre(v1::EventType::CHECK_ANSWERED, v1::EventType::CHECK_ANSWERED,
                          v1::EventType::CHECK_ANSWERED, v1::EventType::TIMESCALE_STOPPED,
                          v1::EventType::MASH_OUTCOME_RECORDED,
                          v1::EventType::CONTACT_CLOSED, v1::EventType::LETTER_ISSUED));
  EXPECT_EQ(state_.contact().state(), v1::ContactState::CLOSED);
  EXPECT_EQ(state_.contact().outcome(), v1::Outcome::EARLY_HELP);
  EXPECT_THAT(state_.contact().deadlines(), IsEmpty());
  v1::Letter letter = LastLetter();
  EXPECT_EQ(letter.kind(), v1::LetterKind::OUTCOME);
  EXPECT_THAT(letter.body(), HasSubstr("The family agreed to a family support worker."));
  EXPECT_THAT(letter.body(), Not(HasSubstr("SYNTHETIC-NARRATIVE")));
}

TEST_F(ContactMachineTest, TimerBreachesOnceAndStaleTimersDoNothing) {
  Run(SubmitContact{SchoolContact(), KeyActor("example-school"), "", ""}, kTuesday10am);
  TimePoint due = FromProto(state_.contact().deadlines(0).due_at());
  auto breach = Run(FireTimer{"FD-00000001", "decision", due}, due + std::chrono::hours(1));
  ASSERT_THAT(Types(breach), ElementsAre(v1::EventType::TIMESCALE_BREACHED));
  EXPECT_EQ(FromProto(breach[0].timescale_breached().due_at()), due);
  EXPECT_EQ(FromProto(breach[0].at()), due + std::chrono::hours(1));
  EXPECT_TRUE(state_.contact().deadlines(0).breached());

  // The same timer again, or one for another due time: nothing.
  EXPECT_THAT(Run(FireTimer{"FD-00000001", "decision", due}, due + std::chrono::hours(2)),
              IsEmpty());
  EXPECT_THAT(Run(FireTimer{"FD-00000001", "decision", due - std::chrono::hours(1)}, due),
              IsEmpty());

  // Finishing the late step records that it was not met.
  v1::DecisionRequest d;
  // As recommended, so that it takes effect without a manager.
  d.set_route(v1::Route::EARLY_HELP);
  d.set_reason("Early help offered.");
  auto decided =
      Run(RecordDecision{"FD-00000001", d, KeyActor("ifd-triage")}, due + std::chrono::hours(3));
  EXPECT_FALSE(decided[0].timescale_stopped().met());
  EXPECT_EQ(state_.contact().outcome(), v1::Outcome::EARLY_HELP);
}

TEST_F(ContactMachineTest, WarningTimerMarksTheStepDueSoonOnce) {
  Run(SubmitContact{SchoolContact(), KeyActor("example-school"), "", ""}, kTuesday10am);
  const v1::Deadline& d = state_.contact().deadlines(0);
  TimePoint due = FromProto(d.due_at());
  ASSERT_TRUE(d.has_warn_at());
  TimePoint warn = FromProto(d.warn_at());
  EXPECT_EQ(warn, due - std::chrono::minutes(kDefaultWarnBeforeMinutes));
  auto warned = Run(FireTimer{"FD-00000001", "decision/due-soon", warn}, warn);
  ASSERT_THAT(Types(warned), ElementsAre(v1::EventType::TIMESCALE_DUE_SOON));
  EXPECT_TRUE(state_.contact().deadlines(0).due_soon());
  EXPECT_THAT(Run(FireTimer{"FD-00000001", "decision/due-soon", warn}, warn), IsEmpty());

  v1::DecisionRequest decision;
  decision.set_route(v1::Route::EARLY_HELP);
  decision.set_reason("Early help offered.");
  Run(RecordDecision{"FD-00000001", decision, KeyActor("ifd-triage")},
      warn + std::chrono::minutes(30));
  ASSERT_EQ(state_.contact().results_size(), 1);
  EXPECT_EQ(state_.contact().results(0).name(), "decision");
  EXPECT_TRUE(state_.contact().results(0).met());
  EXPECT_EQ(FromProto(state_.contact().results(0).finished_at()), warn + std::chrono::minutes(30));
}

TEST_F(ContactMachineTest, TimerForAFinishedStepDoesNothing) {
  Run(SubmitContact{SchoolContact(), KeyActor("example-school"), "", ""}, kTuesday10am);
  TimePoint due = FromProto(state_.contact().deadlines(0).due_at());
  v1::DecisionRequest d;
  d.set_route(v1::Route::SIGNPOST);
  d.set_reason("Universal services can help.");
  Run(RecordDecision{"FD-00000001", d, KeyActor("ifd-triage")},
      kTuesday10am + std::chrono::hours(1));
  EXPECT_THAT(Run(FireTimer{"FD-00000001", "decision", due}, due), IsEmpty());
}

TEST_F(ContactMachineTest, ImmediateRiskOutOfHoursRaisesAnEdtAlert) {
  v1::ContactSubmission s = SchoolContact();
  s.set_source(v1::Source::POLICE);
  s.set_channel(v1::Channel::OUT_OF_HOURS);
  s.set_immediate_risk(true);
  s.clear_concerns();
  s.add_concerns(v1::Concern::PHYSICAL_ABUSE);
  auto events = Run(SubmitContact{s, KeyActor("merseyside-police"), "", ""}, kSaturday2am);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[1].type(), v1::EventType::EDT_ALERT);
  EXPECT_FALSE(events[1].edt_alert().reason().empty());
  EXPECT_TRUE(events[0].contact_received().out_of_hours());
}

TEST_F(ContactMachineTest, ImmediateRiskInOfficeHoursRaisesNoAlert) {
  v1::ContactSubmission s = SchoolContact();
  s.set_immediate_risk(true);
  auto events = Run(SubmitContact{s, KeyActor("example-school"), "", ""}, kTuesday10am);
  for (const auto& e : events) EXPECT_NE(e.type(), v1::EventType::EDT_ALERT);
}

TEST_F(ContactMachineTest, OpenCaseClosesAtOnceToTheAllocatedTeam) {
  auto events = SubmitAboutChildWithOpenCase();
  ASSERT_FALSE(events.empty());
  const v1::ContactRecord& state = state_;
  EXPECT_EQ(state.contact().state(), v1::ContactState::CLOSED);
  EXPECT_EQ(state.contact().outcome(), v1::Outcome::EXISTING_CASE);
  EXPECT_TRUE(state.contact().decision().automatic());
  EXPECT_EQ(events.back().type(), v1::EventType::LETTER_ISSUED);
  EXPECT_EQ(events.back().letter_issued().letter().kind(), v1::LetterKind::OUTCOME);
}

// Who the child is needs a person's eye first: a contact with an identity
// review is never decided by the policy alone, even with an open case.
TEST_F(ContactMachineTest, AnIdentityReviewStopsTheAutomaticDecision) {
  DecideInputs in = At(kTuesday10am);
  in.prior.mutable_open_case()->set_case_id("CASE-17");
  in.prior.mutable_open_case()->set_team("Children in Need Team 2");
  v1::IdentityReview& review = in.identity_reviews.emplace_back();
  review.set_matched_person_id("P-00000001");
  review.set_reason("synthetic");
  in.open_contacts = {"FD-00000000"};
  Run(SubmitContact{SchoolContact(), KeyActor("example-school"), "", ""}, in);
  const v1::Contact& c = state_.contact();
  EXPECT_EQ(c.state(), v1::ContactState::AWAITING_DECISION);
  EXPECT_FALSE(c.has_decision());
  EXPECT_EQ(c.recommendation().route(), v1::Route::EXISTING_CASE);
  ASSERT_EQ(c.identity_reviews_size(), 1);
  EXPECT_EQ(c.identity_reviews(0).matched_person_id(), "P-00000001");
  EXPECT_THAT(c.linked_contacts(), ::testing::ElementsAre("FD-00000000"));
  ASSERT_NE(FindDeadline(c, kDecisionTimescale), nullptr);
  // A linked contact decided elsewhere is recorded, and changes nothing else.
  auto events = Run(LinkContact{"FD-00000001", "FD-00000000", v1::Route::NFA, KeyActor("triage-1")},
                    kTuesday10am);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type(), v1::EventType::CONTACT_LINKED);
  EXPECT_EQ(events[0].contact_linked().linked_route(), v1::Route::NFA);
  EXPECT_EQ(state_.contact().state(), v1::ContactState::AWAITING_DECISION);
  EXPECT_THAT(state_.contact().linked_contacts(), ::testing::ElementsAre("FD-00000000"));
}

TEST_F(ContactMachineTest, AnonymousReferrerLettersAreKeptButUndeliverable) {
  v1::ContactSubmission s = SchoolContact();
  s.set_source(v1::Source::ANONYMOUS);
  s.clear_referrer();
  Run(SubmitContact{s, KeyActor("ifd-triage"), "", ""}, kTuesday10am);
  EXPECT_TRUE(LastLetter().undeliverable());
}

TEST_F(ContactMachineTest, CommandsOnUnknownContactsAreNotFound) {
  v1::DecisionRequest d;
  d.set_route(v1::Route::NFA);
  d.set_reason("x");
  auto events =
      Decide(nullptr, RecordDecision{"FD-404", d, KeyActor("ifd-triage")}, At(kTuesday10am));
  EXPECT_TRUE(absl::IsNotFound(events.status()));
}

// A member of staff signed in through the identity provider.
v1::Actor Person(const std::string& subject, const std::string& name, const std::string& role) {
  v1::Actor actor;
  actor.set_kind(v1::Actor::PERSON);
  actor.set_id(subject);
  actor.set_name(name);
  actor.set_role(role);
  actor.set_organisation("council");
  return actor;
}

TEST_F(ContactMachineTest, EveryEventACommandCausesNamesItsActorInFull) {
  v1::Actor school = KeyActor("example-school", "Example Primary");
  for (const auto& e : Run(SubmitContact{SchoolContact(), school, "", ""}, kTuesday10am)) {
    EXPECT_EQ(e.actor(), "example-school");
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(e.caused_by(), school));
  }
  EXPECT_EQ(state_.contact().submitted_by(), "example-school");

  v1::Actor sam = Person("sub-5a7", "Sam Patel", "triage");
  v1::DecisionRequest d;
  d.set_route(v1::Route::MASH);
  d.set_rag(v1::Rag::AMBER);
  d.set_reason("Checks needed.");
  auto decided = Run(RecordDecision{"FD-00000001", d, sam}, kTuesday10am + std::chrono::hours(1));
  ASSERT_FALSE(decided.empty());
  for (const auto& e : decided) {
    EXPECT_EQ(e.actor(), "sub-5a7");
    EXPECT_EQ(e.caused_by().kind(), v1::Actor::PERSON);
    EXPECT_EQ(e.caused_by().name(), "Sam Patel");
    EXPECT_EQ(e.caused_by().role(), "triage");
  }
  const v1::FrontDoorDecision& decision = state_.contact().decision();
  EXPECT_EQ(decision.decided_by(), "sub-5a7");
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(decision.decided_by_actor(), sam));

  v1::Actor alex = Person("sub-a1e", "Alex Jones", "triage");
  v1::MashOutcomeRequest o;
  o.set_outcome(v1::MashOutcome::EARLY_HELP);
  o.set_reason("Family support agreed.");
  o.set_unanswered_checks_reason("Enough is known without them.");
  for (const auto& e :
       Run(RecordMashOutcome{"FD-00000001", o, alex}, kTuesday10am + std::chrono::hours(2))) {
    EXPECT_EQ(e.actor(), "sub-a1e");
    EXPECT_EQ(e.caused_by().name(), "Alex Jones");
  }
  EXPECT_EQ(state_.contact().mash().completed_by(), "sub-a1e");
  EXPECT_EQ(state_.contact().mash().completed_by_actor().name(), "Alex Jones");
}

TEST_F(ContactMachineTest, TimersCauseEventsWithNoActor) {
  Run(SubmitContact{SchoolContact(), KeyActor("example-school"), "", ""}, kTuesday10am);
  const v1::Deadline& d = state_.contact().deadlines(0);
  TimePoint warn = FromProto(d.warn_at());
  TimePoint due = FromProto(d.due_at());
  auto warned = Run(FireTimer{"FD-00000001", "decision/due-soon", warn}, warn);
  auto breached = Run(FireTimer{"FD-00000001", "decision", due}, due);
  ASSERT_EQ(warned.size(), 1u);
  ASSERT_EQ(breached.size(), 1u);
  for (const v1::Event* e : {&warned[0], &breached[0]}) {
    EXPECT_EQ(e->actor(), "");
    EXPECT_FALSE(e->has_caused_by()) << e->DebugString();
  }
}

TEST_F(ContactMachineTest, ThePolicysOwnDecisionNamesNoDecider) {
  auto events = SubmitAboutChildWithOpenCase();
  ASSERT_FALSE(events.empty());
  const v1::ContactRecord& state = state_;
  // The submission caused it; the policy decided it.
  EXPECT_EQ(events.back().caused_by().id(), "example-school");
  EXPECT_EQ(state.contact().decision().decided_by(), "policy");
  EXPECT_FALSE(state.contact().decision().has_decided_by_actor());
}

TEST_F(ContactMachineTest, EventsStoredBeforeActorsHadNamesStillApply) {
  Run(SubmitContact{SchoolContact(), KeyActor("example-school"), "", ""}, kTuesday10am);
  v1::DecisionRequest d;
  d.set_route(v1::Route::MASH);
  d.set_reason("Checks needed.");
  Run(RecordDecision{"FD-00000001", d, KeyActor("ifd-triage")}, kTuesday10am);
  v1::MashOutcomeRequest o;
  o.set_outcome(v1::MashOutcome::NFA);
  o.set_reason("No further action.");
  o.set_unanswered_checks_reason("Enough is known without them.");
  Run(RecordMashOutcome{"FD-00000001", o, KeyActor("ifd-triage")}, kTuesday10am);

  // As stored before this change: the actor's id only.
  v1::ContactRecord replayed;
  for (v1::Event e : history_) {
    e.clear_caused_by();
    Apply(replayed, e);
  }
  const v1::Contact& c = replayed.contact();
  EXPECT_EQ(c.state(), v1::ContactState::CLOSED);
  EXPECT_EQ(c.submitted_by(), "example-school");
  EXPECT_EQ(c.decision().decided_by(), "ifd-triage");
  EXPECT_FALSE(c.decision().has_decided_by_actor());
  EXPECT_EQ(c.mash().completed_by(), "ifd-triage");
  EXPECT_FALSE(c.mash().has_completed_by_actor());
}

}  // namespace
}  // namespace frontdoor
