// MASH checks and the RAG re-rating without a server: which agencies a
// contact entering MASH asks and by when, answers, the overdue timer, a MASH
// outcome with checks unanswered, a new RAG, and what the batch projection
// writes for each.
#include "engine/mash_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/batch_projection.h"
#include "engine/urgency.h"
#include "rules/checks.h"
#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using std::chrono::hours;
using testing::DefaultPolicy;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::kTuesday10am;
using testing::SchoolContact;

std::vector<v1::EventType::Code> Types(const std::vector<v1::Event>& events) {
  std::vector<v1::EventType::Code> out;
  for (const auto& e : events) out.push_back(e.type());
  return out;
}

class MashChecksTest : public ::testing::Test {
 protected:
  DecideInputs At(TimePoint now) const {
    DecideInputs in;
    in.now = now;
    in.policy = active_.policy.get();
    in.calendar = active_.calendar.get();
    in.new_contact_id = "FD-00000001";
    return in;
  }

  absl::StatusOr<std::vector<v1::Event>> Try(const ContactCommand& command, TimePoint now) {
    return Decide(has_state_ ? &state_ : nullptr, command, At(now));
  }

  std::vector<v1::Event> Run(const ContactCommand& command, TimePoint now) {
    auto events = Try(command, now);
    EXPECT_TRUE(events.ok()) << events.status();
    if (!events.ok()) return {};
    for (const auto& e : *events) {
      projections_.push_back(ProjectEvent(state_, e));
      Apply(state_, e);
    }
    has_state_ = true;
    return *events;
  }

  // A school's contact decided to MASH at `rag` an hour after it came in
  // (Tuesday 11:00, office hours).
  std::vector<v1::Event> IntoMash(v1::Rag::Code rag, v1::ContactSubmission s = SchoolContact()) {
    Run(SubmitContact{std::move(s), KeyActor("example-school"), "", ""}, kTuesday10am);
    v1::DecisionRequest d;
    d.set_route(v1::Route::MASH);
    d.set_rag(rag);
    d.set_reason("Needs multi-agency checks.");
    projections_.clear();
    return Run(RecordDecision{"FD-00000001", d, KeyActor("ifd-triage")}, kTuesday10am + hours(1));
  }

  AnswerCheck Answer(v1::Source::Code agency, bool by_agency = true) const {
    AnswerCheck a;
    a.contact_id = "FD-00000001";
    a.agency = agency;
    a.answer.set_summary("No police record of the family.");
    a.answer.set_risk_indicated(false);
    if (!by_agency) a.answer.set_reason("Phoned by DC Example, Example Police");
    a.actor = KeyActor(by_agency ? "merseyside-police" : "ifd-triage");
    a.by_agency = by_agency;
    return a;
  }

  ActivePolicy active_ = DefaultPolicy();
  v1::ContactRecord state_;
  bool has_state_ = false;
  std::vector<EventProjection> projections_;
};

TEST_F(MashChecksTest, EnteringMashAsksPoliceHealthAndSchoolDueByTheRag) {
  auto events = IntoMash(v1::Rag::AMBER);
  EXPECT_THAT(Types(events),
              ElementsAre(v1::EventType::TIMESCALE_STOPPED, v1::EventType::DECISION_RECORDED,
                          v1::EventType::TIMESCALE_STARTED, v1::EventType::CHECK_REQUESTED,
                          v1::EventType::CHECK_REQUESTED, v1::EventType::CHECK_REQUESTED));
  const v1::Contact& c = state_.contact();
  ASSERT_EQ(c.checks_size(), 3);
  EXPECT_EQ(c.checks(0).agency(), v1::Source::POLICE);
  EXPECT_EQ(c.checks(1).agency(), v1::Source::HEALTH_GP);
  EXPECT_EQ(c.checks(2).agency(), v1::Source::SCHOOLS);
  // Amber: 12 working hours from Tuesday 11:00 is Wednesday 15:00, inside
  // the MASH deadline of 24 working hours (Friday 11:00).
  for (const v1::Check& check : c.checks()) {
    EXPECT_EQ(check.state(), v1::CheckState::REQUESTED);
    EXPECT_EQ(FromProto(check.requested_at()), kTuesday10am + hours(1));
    EXPECT_EQ(FromProto(check.due_at()), kTuesday10am + hours(29));
  }
  EXPECT_EQ(FromProto(FindDeadline(c, kMashTimescale)->due_at()), kTuesday10am + hours(73));
  // Each check has its own timer and its place on its agency's list.
  const EventProjection& police = projections_.at(3);
  ASSERT_EQ(police.timers_set.size(), 1u);
  EXPECT_EQ(police.timers_set[0].name(), "check/POLICE");
  EXPECT_EQ(FromProto(police.timers_set[0].due_at()), kTuesday10am + hours(29));
  EXPECT_THAT(police.checks_indexed,
              ElementsAre(Store::AgencyCheckEntry{v1::Source::POLICE, v1::CheckState::REQUESTED,
                                                  kTuesday10am + hours(29), "FD-00000001"}));
  // The request leaves the building, for the agency's webhook.
  EXPECT_TRUE(police.emitted);
}

TEST_F(MashChecksTest, RedChecksAreDueWithinTwoWorkingHoursGreenWithinTwoDays) {
  IntoMash(v1::Rag::RED);
  EXPECT_EQ(FromProto(state_.contact().checks(0).due_at()), kTuesday10am + hours(3));
  EXPECT_EQ(FromProto(FindDeadline(state_.contact(), kMashTimescale)->due_at()),
            kTuesday10am + hours(5));
}

TEST_F(MashChecksTest, GreenChecksAreDueInFortyEightClockHours) {
  IntoMash(v1::Rag::GREEN);
  EXPECT_EQ(FromProto(state_.contact().checks(0).due_at()), kTuesday10am + hours(49));
}

TEST_F(MashChecksTest, ConcernsAddAgencies) {
  v1::ContactSubmission s = SchoolContact();
  s.add_concerns(v1::Concern::DOMESTIC_ABUSE);
  s.add_concerns(v1::Concern::PARENTAL_SUBSTANCE_MISUSE);
  IntoMash(v1::Rag::AMBER, s);
  std::vector<v1::Source::Code> agencies;
  for (const v1::Check& check : state_.contact().checks()) agencies.push_back(check.agency());
  // Probation (OTHER_LEGAL) for domestic abuse; adult health services.
  EXPECT_THAT(agencies, ElementsAre(v1::Source::POLICE, v1::Source::HEALTH_GP, v1::Source::SCHOOLS,
                                    v1::Source::OTHER_LEGAL, v1::Source::HEALTH_OTHER));
}

TEST_F(MashChecksTest, AgenciesFromAPolicyWithoutAChecksSection) {
  google::protobuf::RepeatedField<int> concerns;
  concerns.Add(v1::Concern::DOMESTIC_ABUSE);
  EXPECT_THAT(rules::CheckAgencies(v1::ChecksPolicy(), concerns),
              ElementsAre(v1::Source::POLICE, v1::Source::HEALTH_GP, v1::Source::SCHOOLS));
  v1::ChecksPolicy policy;
  policy.add_agencies(v1::Source::POLICE);
  auto* by = policy.add_by_concern();
  by->add_concerns(v1::Concern::DOMESTIC_ABUSE);
  by->add_agencies(v1::Source::OTHER_LEGAL);
  by->add_agencies(v1::Source::POLICE);  // already asked: once only
  EXPECT_THAT(rules::CheckAgencies(policy, concerns),
              ElementsAre(v1::Source::POLICE, v1::Source::OTHER_LEGAL));
  EXPECT_THAT(rules::CheckAgencies(policy, {}), ElementsAre(v1::Source::POLICE));
  // No due time in the policy: checks are due with the MASH work.
  EXPECT_EQ(rules::CheckDueSpec(v1::ChecksPolicy(), v1::Rag::RED), nullptr);
}

TEST_F(MashChecksTest, AnAgencyAnswersItsCheckOnceAndTheTimerStops) {
  IntoMash(v1::Rag::AMBER);
  projections_.clear();
  auto events = Run(Answer(v1::Source::POLICE), kTuesday10am + hours(2));
  EXPECT_THAT(Types(events), ElementsAre(v1::EventType::CHECK_ANSWERED));
  const v1::Check& check = state_.contact().checks(0);
  EXPECT_EQ(check.state(), v1::CheckState::ANSWERED);
  EXPECT_EQ(check.summary(), "No police record of the family.");
  EXPECT_FALSE(check.risk_indicated());
  EXPECT_EQ(check.answered_by(), "merseyside-police");
  const EventProjection& p = projections_.at(0);
  ASSERT_EQ(p.timers_deleted.size(), 1u);
  EXPECT_EQ(p.timers_deleted[0].name, "check/POLICE");
  EXPECT_EQ(p.checks_unindexed.at(0).state, v1::CheckState::REQUESTED);
  EXPECT_EQ(p.checks_indexed.at(0).state, v1::CheckState::ANSWERED);

  auto again = Try(Answer(v1::Source::POLICE), kTuesday10am + hours(3));
  EXPECT_TRUE(absl::IsFailedPrecondition(again.status())) << again.status();
  auto housing = Try(Answer(v1::Source::HOUSING), kTuesday10am + hours(3));
  EXPECT_TRUE(absl::IsNotFound(housing.status())) << housing.status();
}

TEST_F(MashChecksTest, StaffRecordAPhoneAnswerOrNotNeededWithAReason) {
  IntoMash(v1::Rag::AMBER);
  Run(Answer(v1::Source::HEALTH_GP, /*by_agency=*/false), kTuesday10am + hours(2));
  EXPECT_EQ(state_.contact().checks(1).reason(), "Phoned by DC Example, Example Police");
  EXPECT_EQ(state_.contact().checks(1).answered_by(), "ifd-triage");

  AnswerCheck not_needed = Answer(v1::Source::SCHOOLS, /*by_agency=*/false);
  not_needed.answer.Clear();
  not_needed.answer.set_state(v1::CheckState::NOT_NEEDED);
  EXPECT_TRUE(absl::IsInvalidArgument(Try(not_needed, kTuesday10am + hours(2)).status()));
  not_needed.answer.set_reason("The school made the contact and told us what it knows.");
  Run(not_needed, kTuesday10am + hours(2));
  EXPECT_EQ(state_.contact().checks(2).state(), v1::CheckState::NOT_NEEDED);

  // A partner cannot mark its own check not needed.
  v1::CheckAnswerRequest r;
  r.set_state(v1::CheckState::NOT_NEEDED);
  r.set_reason("x");
  EXPECT_EQ(ValidateCheckAnswer(r, /*by_agency=*/true).at(0).field, "state");
}

TEST_F(MashChecksTest, AnOverdueCheckIsChasedOnce) {
  IntoMash(v1::Rag::AMBER);
  const TimePoint due = kTuesday10am + hours(29);
  projections_.clear();
  auto events = Run(FireTimer{"FD-00000001", "check/POLICE", due}, due);
  ASSERT_THAT(Types(events), ElementsAre(v1::EventType::CHECK_OVERDUE));
  EXPECT_EQ(events[0].check_overdue().agency(), v1::Source::POLICE);
  EXPECT_EQ(FromProto(events[0].check_overdue().due_at()), due);
  EXPECT_TRUE(projections_.at(0).emitted);
  EXPECT_TRUE(state_.contact().checks(0).overdue());
  EXPECT_THAT(Run(FireTimer{"FD-00000001", "check/POLICE", due}, due), IsEmpty());
  // An answered check's timer is stale.
  Run(Answer(v1::Source::HEALTH_GP), due - hours(1));
  EXPECT_THAT(Run(FireTimer{"FD-00000001", "check/HEALTH_GP", due}, due), IsEmpty());
}

TEST_F(MashChecksTest, AMashOutcomeWithUnansweredChecksNeedsAReason) {
  IntoMash(v1::Rag::AMBER);
  Run(Answer(v1::Source::POLICE), kTuesday10am + hours(2));
  v1::MashOutcomeRequest o;
  o.set_outcome(v1::MashOutcome::EARLY_HELP);
  o.set_reason("Family agreed to early help.");
  auto errors = ValidateUnansweredChecks(state_.contact(), o);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "unanswered_checks_reason");
  EXPECT_THAT(errors[0].message, HasSubstr("HEALTH_GP and SCHOOLS have not answered"));
  RecordMashOutcome cmd{"FD-00000001", o, KeyActor("ifd-triage")};
  EXPECT_TRUE(absl::IsInvalidArgument(Try(cmd, kTuesday10am + hours(3)).status()));

  cmd.outcome.set_unanswered_checks_reason("The GP and school are closed for half term.");
  auto events = Run(cmd, kTuesday10am + hours(3));
  EXPECT_EQ(events.at(0).type(), v1::EventType::CHECK_ANSWERED);
  EXPECT_EQ(events.at(1).type(), v1::EventType::CHECK_ANSWERED);
  EXPECT_EQ(state_.contact().state(), v1::ContactState::CLOSED);
  EXPECT_EQ(state_.contact().checks(0).state(), v1::CheckState::ANSWERED);
  EXPECT_EQ(state_.contact().checks(1).state(), v1::CheckState::NOT_NEEDED);
  EXPECT_THAT(state_.contact().checks(2).reason(), HasSubstr("closed for half term"));
}

TEST_F(MashChecksTest, ARagChangeMovesTheDeadlineTheWarningAndTheChecks) {
  IntoMash(v1::Rag::AMBER);
  const TimePoint old_due = kTuesday10am + hours(73);
  Run(Answer(v1::Source::SCHOOLS), kTuesday10am + hours(1));
  ChangeRag change{"FD-00000001", {}, KeyActor("ifd-triage")};
  change.change.set_rag(v1::Rag::RED);
  change.change.set_reason("Police say the father has returned home.");
  projections_.clear();
  auto events = Run(change, kTuesday10am + hours(2));
  ASSERT_THAT(Types(events), ElementsAre(v1::EventType::RAG_CHANGED));
  const v1::RagChanged& r = events[0].rag_changed();
  EXPECT_EQ(r.from(), v1::Rag::AMBER);
  EXPECT_EQ(r.to(), v1::Rag::RED);
  // Red: 4 working hours from entering MASH at 11:00, checks in 2.
  const TimePoint new_due = kTuesday10am + hours(5);
  EXPECT_EQ(FromProto(r.mash_due_at()), new_due);
  EXPECT_EQ(FromProto(r.mash_warn_at()), new_due - hours(2));
  ASSERT_EQ(r.checks_due_size(), 2);  // the school has answered
  EXPECT_EQ(FromProto(r.checks_due(0).due_at()), kTuesday10am + hours(3));
  const v1::Contact& c = state_.contact();
  EXPECT_EQ(c.mash().rag(), v1::Rag::RED);
  EXPECT_EQ(FromProto(FindDeadline(c, kMashTimescale)->due_at()), new_due);
  EXPECT_EQ(FromProto(c.checks(0).due_at()), kTuesday10am + hours(3));
  EXPECT_EQ(FromProto(c.checks(2).due_at()), kTuesday10am + hours(29));

  const EventProjection& p = projections_.at(0);
  // The worklist entry moves to the new due time and to red's rank.
  EXPECT_THAT(p.worklist_removed,
              ElementsAre(WorklistRef{Queue::kMash, kRankAmber, old_due, "FD-00000001"}));
  EXPECT_THAT(p.worklist_added,
              ElementsAre(WorklistRef{Queue::kMash, kRankRed, new_due, "FD-00000001"}));
  std::vector<std::string> set, deleted;
  for (const auto& t : p.timers_set) set.push_back(t.name());
  for (const auto& t : p.timers_deleted) deleted.push_back(t.name);
  EXPECT_THAT(set, ElementsAre("mash", "mash/due-soon", "check/POLICE", "check/HEALTH_GP"));
  EXPECT_THAT(deleted, ElementsAre("mash", "mash/due-soon", "check/POLICE", "check/HEALTH_GP"));

  // The old timers are stale; the new deadline breaches.
  EXPECT_THAT(Run(FireTimer{"FD-00000001", "mash", old_due}, old_due), IsEmpty());
  auto breach = Run(FireTimer{"FD-00000001", "mash", new_due}, new_due);
  EXPECT_THAT(Types(breach), ElementsAre(v1::EventType::TIMESCALE_BREACHED));
}

TEST_F(MashChecksTest, ARagChangeNeedsANewRatingAReasonAndMash) {
  v1::RagChangeRequest same;
  same.set_rag(v1::Rag::AMBER);
  auto errors = ValidateRagChange(same, v1::Rag::AMBER);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].field, "rag");
  EXPECT_EQ(errors[1].field, "reason");
  Run(SubmitContact{SchoolContact(), KeyActor("example-school"), "", ""}, kTuesday10am);
  ChangeRag change{"FD-00000001", {}, KeyActor("ifd-triage")};
  change.change.set_rag(v1::Rag::RED);
  change.change.set_reason("x");
  EXPECT_TRUE(absl::IsFailedPrecondition(Try(change, kTuesday10am).status()));
}

}  // namespace
}  // namespace frontdoor
