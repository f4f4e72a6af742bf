// The indicators' decisions per worker against a real store: decisions made
// through the Processor by people and keys, counted by who made them and
// whether in time; the policy's own decisions are nobody's; and a contact
// stored before people had names counts under the id it kept.
#include "engine/reports.h"

#include <future>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/processor.h"
#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using testing::DefaultPolicy;
using testing::kTuesday10am;
using testing::SchoolContact;
using testing::TempDir;

constexpr std::chrono::year_month_day kFrom{std::chrono::year(2026), std::chrono::November,
                                            std::chrono::day(23)};
constexpr std::chrono::year_month_day kTo{std::chrono::year(2026), std::chrono::November,
                                          std::chrono::day(29)};

v1::Actor Person(const std::string& subject, const std::string& name) {
  v1::Actor actor;
  actor.set_kind(v1::Actor::PERSON);
  actor.set_id(subject);
  actor.set_name(name);
  actor.set_role("triage");
  return actor;
}

class ReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.path() / "db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  void StartProcessor() {
    processor_ = std::make_unique<Processor>(*store_, clock_, policies_, &metrics_);
    ASSERT_TRUE(processor_->Start().ok());
  }
  void TearDown() override {
    if (processor_) processor_->Stop();
  }

  CommandResult Run(Command command) {
    auto promise = std::make_shared<std::promise<CommandResult>>();
    auto future = promise->get_future();
    EXPECT_TRUE(processor_->Submit(
        std::move(command), [promise](CommandResult r) { promise->set_value(std::move(r)); }));
    return future.get();
  }

  std::string Submit() {
    CommandResult r = Run(SubmitContact{SchoolContact(), KeyActor("example-school"), "", ""});
    EXPECT_TRUE(r.status.ok()) << r.status;
    return r.status.ok() ? r.contact->contact().id() : "";
  }

  void Decide(const std::string& id, const v1::Actor& actor) {
    v1::DecisionRequest d;
    d.set_route(v1::Route::NFA);
    d.set_reason("SYNTHETIC: no role for children's services");
    CommandResult r = Run(RecordDecision{id, d, actor});
    ASSERT_TRUE(r.status.ok()) << r.status;
  }

  v1::Indicators Indicators() {
    ActivePolicy active = policies_.Get();
    auto out =
        ComputeIndicators(*store_, *active.calendar, active.policy->spec().targets(), kFrom, kTo);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : v1::Indicators();
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  ManualClock clock_{kTuesday10am};
  PolicySlot policies_{DefaultPolicy()};
  MetricsRegistry metrics_;
  std::unique_ptr<Processor> processor_;
};

TEST_F(ReportsTest, CountsDecisionsByWhoMadeThemAndWhetherInTime) {
  StartProcessor();
  v1::Actor sam = Person("sub-5a7", "Sam Patel");
  v1::Actor alex = Person("sub-a1e", "Alex Jones");
  std::string first = Submit(), second = Submit(), late = Submit();
  Decide(first, sam);
  Decide(second, sam);
  // Two days on: past the decision timescale.
  ASSERT_TRUE(Run(SetClock{std::nullopt, std::chrono::hours(48)}).status.ok());
  Decide(late, alex);
  // The policy's own decision (an open case) is no worker's.
  v1::OpenCaseRequest open_case;
  *open_case.add_children() = SchoolContact().children(0);
  open_case.set_team("Children in Need Team 2");
  ASSERT_TRUE(Run(RecordOpenCase{"CASE-1", open_case, KeyActor("case-system")}).status.ok());
  CommandResult automatic = Run(SubmitContact{SchoolContact(), KeyActor("example-school"), "", ""});
  ASSERT_TRUE(automatic.status.ok()) << automatic.status;
  ASSERT_TRUE(automatic.contact->contact().decision().automatic());

  v1::Indicators in = Indicators();
  EXPECT_EQ(in.contacts_received(), 4);
  EXPECT_EQ(in.decided_within_timescale().total(), 4);
  ASSERT_EQ(in.decisions_by_worker_size(), 2) << in.DebugString();
  const auto& most = in.decisions_by_worker(0);
  EXPECT_EQ(most.actor().id(), "sub-5a7");
  EXPECT_EQ(most.actor().name(), "Sam Patel");
  EXPECT_EQ(most.actor().role(), "triage");
  EXPECT_EQ(most.decisions(), 2);
  EXPECT_EQ(most.in_time(), 2);
  EXPECT_DOUBLE_EQ(most.in_time_share(), 1.0);
  const auto& other = in.decisions_by_worker(1);
  EXPECT_EQ(other.actor().name(), "Alex Jones");
  EXPECT_EQ(other.decisions(), 1);
  EXPECT_EQ(other.in_time(), 0);
  EXPECT_DOUBLE_EQ(other.in_time_share(), 0.0);
}

TEST_F(ReportsTest, AContactStoredBeforePeopleHadNamesCountsUnderItsId) {
  v1::ContactRecord record;
  record.set_last_seq(5);
  v1::Contact& c = *record.mutable_contact();
  c.set_id("FD-00000001");
  c.set_state(v1::ContactState::CLOSED);
  c.set_outcome(v1::Outcome::NFA);
  *c.mutable_received_at() = ToProto(kTuesday10am);
  c.mutable_decision()->set_route(v1::Route::NFA);
  c.mutable_decision()->set_decided_by("triage-key");
  *c.mutable_decision()->mutable_decided_at() = ToProto(kTuesday10am + std::chrono::hours(1));
  v1::TimescaleResult& result = *c.add_results();
  result.set_name("decision");
  result.set_met(true);
  *result.mutable_finished_at() = ToProto(kTuesday10am + std::chrono::hours(1));
  Store::Batch batch = store_->NewBatch();
  batch.PutContact(record);
  batch.PutReceived(kTuesday10am, c.id());
  ASSERT_TRUE(store_->Commit(batch).ok());

  v1::Indicators in = Indicators();
  ASSERT_EQ(in.decisions_by_worker_size(), 1);
  const auto& worker = in.decisions_by_worker(0);
  EXPECT_EQ(worker.actor().id(), "triage-key");
  EXPECT_EQ(worker.actor().name(), "triage-key");
  EXPECT_EQ(worker.actor().kind(), v1::Actor::KIND_UNSPECIFIED);
  EXPECT_EQ(worker.decisions(), 1);
  EXPECT_EQ(worker.in_time(), 1);
}

}  // namespace
}  // namespace frontdoor
