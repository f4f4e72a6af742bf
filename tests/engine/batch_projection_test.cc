// The batch projection on its own, without a store: given the contact before
// an event and the event, which timers, worklist entries, breaches, people
// links and tallies result, and whether the event goes to the outbox.
#include "engine/batch_projection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/contact_machine.h"
#include "engine/urgency.h"
#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::kTuesday10am;

constexpr char kId[] = "FD-00000042";
const auto kHour = std::chrono::hours(1);

v1::Event EventAt(TimePoint at) {
  v1::Event e;
  e.set_id(std::string(kId) + "-2");
  e.set_contact_id(kId);
  e.set_seq(2);
  *e.mutable_at() = ToProto(at);
  return e;
}

// A contact awaiting a decision, recommended amber, its decision step open
// (due in 24 hours, warning from 22) and about two children.
v1::ContactRecord AwaitingDecision(bool breached = false) {
  v1::ContactRecord r;
  v1::Contact* c = r.mutable_contact();
  c->set_id(kId);
  c->set_state(v1::ContactState::AWAITING_DECISION);
  c->set_source(v1::Source::SCHOOLS);
  c->mutable_recommendation()->set_rag(v1::Rag::AMBER);
  c->add_person_ids("P-1");
  c->add_person_ids("P-2");
  v1::Deadline* d = c->add_deadlines();
  d->set_name(kDecisionTimescale);
  *d->mutable_started_at() = ToProto(kTuesday10am);
  *d->mutable_due_at() = ToProto(kTuesday10am + 24 * kHour);
  *d->mutable_warn_at() = ToProto(kTuesday10am + 22 * kHour);
  if (breached) {
    d->set_breached(true);
    *d->mutable_breached_at() = ToProto(kTuesday10am + 25 * kHour);
  }
  return r;
}

TEST(BatchProjection, AContactReceivedIsIndexedByTimeAndByItsPeople) {
  v1::Event e = EventAt(kTuesday10am);
  auto* received = e.mutable_contact_received();
  *received->mutable_received_at() = ToProto(kTuesday10am - kHour);
  received->add_person_ids("P-1");
  received->add_person_ids("P-2");
  EventProjection p = ProjectEvent(v1::ContactRecord(), e);
  EXPECT_EQ(p.received, kTuesday10am - kHour);
  ASSERT_TRUE(p.people.has_value());
  EXPECT_EQ(*p.people, (PeopleLink{PeopleLink::kContact, {"P-1", "P-2"}, kTuesday10am - kHour}));
  EXPECT_THAT(p.timers_set, IsEmpty());
  EXPECT_THAT(p.tallies, IsEmpty());
  // The acknowledgement leaves the building (for webhook subscribers).
  EXPECT_TRUE(p.emitted);
}

TEST(BatchProjection, AStartedTimescaleSetsItsTimerAndWarningAndJoinsItsWorklist) {
  v1::Event e = EventAt(kTuesday10am);
  auto* started = e.mutable_timescale_started();
  started->set_name(kDecisionTimescale);
  *started->mutable_started_at() = ToProto(kTuesday10am);
  *started->mutable_due_at() = ToProto(kTuesday10am + 24 * kHour);
  *started->mutable_warn_at() = ToProto(kTuesday10am + 22 * kHour);
  EventProjection p = ProjectEvent(v1::ContactRecord(), e);
  ASSERT_EQ(p.timers_set.size(), 2u);
  EXPECT_EQ(p.timers_set[0].contact_id(), kId);
  EXPECT_EQ(p.timers_set[0].name(), "decision");
  EXPECT_EQ(FromProto(p.timers_set[0].due_at()), kTuesday10am + 24 * kHour);
  EXPECT_EQ(p.timers_set[1].name(), "decision/due-soon");
  EXPECT_EQ(FromProto(p.timers_set[1].due_at()), kTuesday10am + 22 * kHour);
  EXPECT_THAT(p.worklist_added, ElementsAre(WorklistRef{Queue::kTriage, kRankUnrated,
                                                        kTuesday10am + 24 * kHour, kId}));
  EXPECT_THAT(p.tallies, ElementsAre(TallyChange{"open/decision", +1}));
  EXPECT_THAT(p.timers_deleted, IsEmpty());
  EXPECT_FALSE(p.received.has_value());
  EXPECT_FALSE(p.emitted);
}

TEST(BatchProjection, AMashTimescaleWithoutWarningSetsOneTimer) {
  v1::Event e = EventAt(kTuesday10am);
  auto* started = e.mutable_timescale_started();
  started->set_name(kMashTimescale);
  *started->mutable_due_at() = ToProto(kTuesday10am + 72 * kHour);
  EventProjection p = ProjectEvent(AwaitingDecision(), e);
  ASSERT_EQ(p.timers_set.size(), 1u);
  EXPECT_EQ(p.timers_set[0].name(), "mash");
  EXPECT_THAT(p.worklist_added,
              ElementsAre(WorklistRef{Queue::kMash, kRankAmber, kTuesday10am + 72 * kHour, kId}));
  EXPECT_THAT(p.tallies, ElementsAre(TallyChange{"open/mash", +1}));
}

// The entry's rank is the contact's: put and deleted with the same one.
TEST(BatchProjection, AnImmediateRiskContactIsRankedFirstOnItsWorklist) {
  v1::ContactRecord before = AwaitingDecision();
  before.mutable_contact()->set_immediate_risk(true);
  v1::Event start = EventAt(kTuesday10am);
  start.mutable_timescale_started()->set_name(kDecisionTimescale);
  *start.mutable_timescale_started()->mutable_due_at() = ToProto(kTuesday10am + 2 * kHour);
  EXPECT_THAT(
      ProjectEvent(before, start).worklist_added,
      ElementsAre(WorklistRef{Queue::kTriage, kRankImmediateRisk, kTuesday10am + 2 * kHour, kId}));
  v1::Event stop = EventAt(kTuesday10am + kHour);
  stop.mutable_timescale_stopped()->set_name(kDecisionTimescale);
  *stop.mutable_timescale_stopped()->mutable_due_at() = ToProto(kTuesday10am + 2 * kHour);
  EXPECT_THAT(
      ProjectEvent(before, stop).worklist_removed,
      ElementsAre(WorklistRef{Queue::kTriage, kRankImmediateRisk, kTuesday10am + 2 * kHour, kId}));
}

TEST(BatchProjection, AStoppedTimescaleDeletesBothTimersAndLeavesItsWorklist) {
  v1::Event e = EventAt(kTuesday10am + 2 * kHour);
  auto* stopped = e.mutable_timescale_stopped();
  stopped->set_name(kDecisionTimescale);
  *stopped->mutable_due_at() = ToProto(kTuesday10am + 24 * kHour);
  stopped->set_met(true);
  EventProjection p = ProjectEvent(AwaitingDecision(), e);
  EXPECT_THAT(p.timers_deleted,
              ElementsAre(TimerRef{kTuesday10am + 24 * kHour, kId, "decision"},
                          TimerRef{kTuesday10am + 22 * kHour, kId, "decision/due-soon"}));
  EXPECT_THAT(p.worklist_removed,
              ElementsAre(WorklistRef{Queue::kTriage, kRankAmber, kTuesday10am + 24 * kHour, kId}));
  EXPECT_THAT(p.tallies, ElementsAre(TallyChange{"open/decision", -1}));
  EXPECT_THAT(p.breaches, IsEmpty());
  EXPECT_FALSE(p.emitted);
}

TEST(BatchProjection, FinishingALateStepResolvesItsBreach) {
  v1::Event e = EventAt(kTuesday10am + 30 * kHour);
  auto* stopped = e.mutable_timescale_stopped();
  stopped->set_name(kDecisionTimescale);
  *stopped->mutable_due_at() = ToProto(kTuesday10am + 24 * kHour);
  EventProjection p = ProjectEvent(AwaitingDecision(/*breached=*/true), e);
  ASSERT_EQ(p.breaches.size(), 1u);
  const v1::Breach& b = p.breaches[0];
  EXPECT_EQ(b.contact_id(), kId);
  EXPECT_EQ(b.timescale(), "decision");
  EXPECT_EQ(FromProto(b.due_at()), kTuesday10am + 24 * kHour);
  EXPECT_EQ(FromProto(b.raised_at()), kTuesday10am + 25 * kHour);
  EXPECT_EQ(FromProto(b.resolved_at()), kTuesday10am + 30 * kHour);
  EXPECT_EQ(p.breaches_raised, 0u);
}

TEST(BatchProjection, ABreachIsStoredOpenWithTheCurrentRagAndLeavesTheBuilding) {
  v1::Event e = EventAt(kTuesday10am + 25 * kHour);
  e.mutable_timescale_breached()->set_name(kDecisionTimescale);
  *e.mutable_timescale_breached()->mutable_due_at() = ToProto(kTuesday10am + 24 * kHour);
  EventProjection p = ProjectEvent(AwaitingDecision(), e);
  ASSERT_EQ(p.breaches.size(), 1u);
  EXPECT_EQ(p.breaches_raised, 1u);
  EXPECT_EQ(FromProto(p.breaches[0].raised_at()), kTuesday10am + 25 * kHour);
  EXPECT_FALSE(p.breaches[0].has_resolved_at());
  EXPECT_EQ(p.breaches[0].rag(), v1::Rag::AMBER);
  EXPECT_EQ(p.breaches[0].source(), v1::Source::SCHOOLS);
  EXPECT_TRUE(p.emitted);

  // In MASH, the RAG is MASH's.
  v1::ContactRecord in_mash = AwaitingDecision();
  in_mash.mutable_contact()->set_state(v1::ContactState::IN_MASH);
  in_mash.mutable_contact()->mutable_mash()->set_rag(v1::Rag::RED);
  EXPECT_EQ(ProjectEvent(in_mash, e).breaches[0].rag(), v1::Rag::RED);

  // A timescale the contact does not have raises nothing, but still goes out.
  e.mutable_timescale_breached()->set_name("unknown");
  EventProjection none = ProjectEvent(AwaitingDecision(), e);
  EXPECT_THAT(none.breaches, IsEmpty());
  EXPECT_EQ(none.breaches_raised, 0u);
  EXPECT_TRUE(none.emitted);
}

TEST(BatchProjection, AReferralIsIndexedUnderItsPeopleAndOtherClosuresAreNot) {
  v1::Event e = EventAt(kTuesday10am + 3 * kHour);
  e.mutable_contact_closed()->set_outcome(v1::Outcome::SOCIAL_CARE_ASSESSMENT);
  EventProjection p = ProjectEvent(AwaitingDecision(), e);
  ASSERT_TRUE(p.people.has_value());
  EXPECT_EQ(*p.people,
            (PeopleLink{PeopleLink::kReferral, {"P-1", "P-2"}, kTuesday10am + 3 * kHour}));
  EXPECT_TRUE(p.emitted);

  e.mutable_contact_closed()->set_outcome(v1::Outcome::NFA);
  EventProjection nfa = ProjectEvent(AwaitingDecision(), e);
  EXPECT_FALSE(nfa.people.has_value());
  EXPECT_TRUE(nfa.emitted);
}

TEST(BatchProjection, LettersAlertsAndDecisionsLeaveTheBuildingTimescaleStepsDoNot) {
  v1::Event letter = EventAt(kTuesday10am);
  letter.mutable_letter_issued()->mutable_letter()->set_email("dsl@school.example.org");
  EXPECT_TRUE(ProjectEvent(AwaitingDecision(), letter).emitted);
  // A letter with nowhere to go still leaves: for the list of letters to post.
  letter.mutable_letter_issued()->mutable_letter()->set_undeliverable(true);
  EXPECT_TRUE(ProjectEvent(AwaitingDecision(), letter).emitted);

  v1::Event alert = EventAt(kTuesday10am);
  alert.mutable_edt_alert()->set_rule_id("police-immediate");
  EXPECT_TRUE(ProjectEvent(AwaitingDecision(), alert).emitted);

  v1::Event due_soon = EventAt(kTuesday10am);
  due_soon.mutable_timescale_due_soon()->set_name("decision");
  EXPECT_FALSE(ProjectEvent(AwaitingDecision(), due_soon).emitted);

  // A decision leaves the building and writes nothing else beyond itself.
  v1::Event decision = EventAt(kTuesday10am);
  decision.mutable_decision_recorded();
  EventProjection p = ProjectEvent(AwaitingDecision(), decision);
  EXPECT_TRUE(p.emitted);
  EXPECT_FALSE(p.received.has_value());
  EXPECT_FALSE(p.people.has_value());
  EXPECT_THAT(p.timers_set, IsEmpty());
  EXPECT_THAT(p.timers_deleted, IsEmpty());
  EXPECT_THAT(p.breaches, IsEmpty());
  EXPECT_THAT(p.tallies, IsEmpty());
}

TEST(BatchProjection, StateTalliesAreNamedByState) {
  EXPECT_EQ(StateTally(v1::ContactState::IN_MASH), "state/IN_MASH");
  EXPECT_EQ(StateTally(v1::ContactState::AWAITING_DECISION), kTallyNames[0]);
}

}  // namespace
}  // namespace frontdoor
