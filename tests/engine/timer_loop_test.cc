// The timer loop on its own, driven as the writer drives it, over a table of
// timers that can be told to fail: when the writer may sleep, which timers a
// batch fires, when recovery is done and clock steps are answered, and that
// a failed read is an error that is retried, never "no timers due".
#include "engine/timer_loop.h"

#include <map>
#include <tuple>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::kTuesday10am;
using ::testing::Optional;

const auto kHour = std::chrono::hours(1);

// Pending timers in memory, ordered as the store orders them; the next
// `failures` reads fail.
class FakeTimerTable final : public TimerTable {
 public:
  void Add(const std::string& id, TimePoint due) { timers_[{due, id}] = true; }
  void Remove(const std::string& id, TimePoint due) { timers_.erase({due, id}); }
  absl::StatusOr<std::vector<v1::Timer>> DueTimers(TimePoint from, TimePoint up_to,
                                                   size_t limit) const override {
    ++reads;
    if (failures > 0) {
      --failures;
      return absl::UnavailableError("injected: the timers cannot be read");
    }
    std::vector<v1::Timer> out;
    for (auto it = timers_.lower_bound({from, ""}); it != timers_.end() && out.size() < limit;
         ++it) {
      if (std::get<0>(it->first) > up_to) break;
      v1::Timer t;
      t.set_contact_id(std::get<1>(it->first));
      t.set_name("decision");
      *t.mutable_due_at() = ToProto(std::get<0>(it->first));
      out.push_back(std::move(t));
    }
    return out;
  }

  mutable int failures = 0;
  mutable int reads = 0;

 private:
  std::map<std::tuple<TimePoint, std::string>, bool> timers_;
};

// A clock the test moves that is not "manual": the loop treats it as the
// system clock and sleeps until the next timer is due.
class SteppedClock final : public Clock {
 public:
  explicit SteppedClock(TimePoint now) : now_(now) {}
  TimePoint Now() const override { return now_; }
  bool IsManual() const override { return false; }
  void Set(TimePoint t) { now_ = t; }

 private:
  TimePoint now_;
};

std::vector<std::string> Ids(const std::vector<v1::Timer>& timers) {
  std::vector<std::string> out;
  for (const auto& t : timers) out.push_back(t.contact_id());
  return out;
}

class TimerLoopTest : public ::testing::Test {
 protected:
  // One batch as the writer runs it: read the due timers, "commit" (their
  // keys leave the table when the commit succeeds), finish.
  std::vector<v1::Timer> RunBatch(TimerLoop& loop, absl::Status commit = absl::OkStatus()) {
    TimerLoop::Batch batch = loop.BeginBatch();
    auto due = loop.TakeDue(batch, clock_.Now());
    std::vector<v1::Timer> fired = due.ok() ? *due : std::vector<v1::Timer>{};
    for (const auto& t : fired) batch.Fired(FromProto(t.due_at()));
    if (commit.ok()) {
      for (const auto& t : fired) table_.Remove(t.contact_id(), FromProto(t.due_at()));
    }
    loop.Finish(batch, commit);
    return fired;
  }

  FakeTimerTable table_;
  ManualClock clock_{kTuesday10am};
  ManualClock retry_clock_{kTuesday10am};
};

TEST_F(TimerLoopTest, RecoveryFiresWhatFellDueWhileStoppedThenWaitsForTheClock) {
  table_.Add("FD-1", kTuesday10am - 2 * kHour);
  table_.Add("FD-2", kTuesday10am - kHour);
  table_.Add("FD-3", kTuesday10am + kHour);
  TimerLoop loop(table_, clock_, retry_clock_);
  ASSERT_TRUE(loop.Load().ok());
  EXPECT_FALSE(loop.recovered());
  // The start-up sweep does not wait.
  EXPECT_THAT(loop.IdleFor(), Optional(Millis(0)));
  EXPECT_THAT(Ids(RunBatch(loop)), ElementsAre("FD-1", "FD-2"));
  EXPECT_TRUE(loop.recovered());
  // A manual clock moves only by clock steps, which are commands.
  EXPECT_EQ(loop.IdleFor(), std::nullopt);

  clock_.Set(kTuesday10am + kHour);
  EXPECT_THAT(loop.IdleFor(), Optional(Millis(0)));
  EXPECT_THAT(Ids(RunBatch(loop)), ElementsAre("FD-3"));
  EXPECT_EQ(loop.IdleFor(), std::nullopt);
}

TEST_F(TimerLoopTest, OnTheSystemClockTheWriterSleepsUntilTheNextTimerIsDue) {
  SteppedClock clock(kTuesday10am);
  table_.Add("FD-1", kTuesday10am + kHour);
  TimerLoop loop(table_, clock, retry_clock_);
  ASSERT_TRUE(loop.Load().ok());
  EXPECT_THAT(Ids(RunBatch(loop)), IsEmpty());
  EXPECT_THAT(loop.IdleFor(), Optional(Millis(kHour)));
  clock.Set(kTuesday10am + kHour);
  EXPECT_THAT(loop.IdleFor(), Optional(Millis(0)));
}

TEST_F(TimerLoopTest, AClockStepIsAnsweredOnceTheBatchThatFiresTheLastDueTimerCommits) {
  TimerLoopOptions options;
  options.max_timers_per_batch = 2;
  table_.Add("FD-1", kTuesday10am + kHour);
  table_.Add("FD-2", kTuesday10am + 2 * kHour);
  table_.Add("FD-3", kTuesday10am + 3 * kHour);
  TimerLoop loop(table_, clock_, retry_clock_, options);
  ASSERT_TRUE(loop.Load().ok());
  RunBatch(loop);
  std::vector<absl::Status> answers;
  clock_.Set(kTuesday10am + 5 * kHour);
  loop.AddClockWaiter([&](absl::Status s) { answers.push_back(s); });
  EXPECT_THAT(Ids(RunBatch(loop)), ElementsAre("FD-1", "FD-2"));
  EXPECT_THAT(answers, IsEmpty()) << "one timer due is left";
  EXPECT_THAT(loop.IdleFor(), Optional(Millis(0)));
  EXPECT_THAT(Ids(RunBatch(loop)), ElementsAre("FD-3"));
  EXPECT_THAT(answers, ElementsAre(absl::OkStatus()));
}

TEST_F(TimerLoopTest, ABatchThatStartsAnOverdueTimerIsNotTheLast) {
  TimerLoop loop(table_, clock_, retry_clock_);
  ASSERT_TRUE(loop.Load().ok());
  RunBatch(loop);
  std::vector<absl::Status> answers;
  loop.AddClockWaiter([&](absl::Status s) { answers.push_back(s); });
  TimerLoop::Batch batch = loop.BeginBatch();
  ASSERT_TRUE(loop.TakeDue(batch, clock_.Now()).ok());
  // A contact received two days ago: its timescale is due already.
  batch.Started(kTuesday10am - 24 * kHour, clock_.Now());
  table_.Add("FD-9", kTuesday10am - 24 * kHour);
  loop.Finish(batch, absl::OkStatus());
  EXPECT_THAT(answers, IsEmpty());
  EXPECT_THAT(Ids(RunBatch(loop)), ElementsAre("FD-9"));
  EXPECT_THAT(answers, ElementsAre(absl::OkStatus()));
}

// Regression: a store error reading the timers was taken for "no timers due",
// which marked recovery done and told clock steps every timer had fired.
TEST_F(TimerLoopTest, AFailedReadIsAnErrorRetriedAfterABackoffNotNoTimersDue) {
  table_.Add("FD-1", kTuesday10am - kHour);
  TimerLoop loop(table_, clock_, retry_clock_);
  ASSERT_TRUE(loop.Load().ok());
  std::vector<absl::Status> answers;
  loop.AddClockWaiter([&](absl::Status s) { answers.push_back(s); });
  table_.failures = 2;

  TimerLoop::Batch batch = loop.BeginBatch();
  EXPECT_TRUE(absl::IsUnavailable(loop.TakeDue(batch, clock_.Now()).status()));
  loop.Finish(batch, absl::OkStatus());
  EXPECT_FALSE(loop.recovered());
  EXPECT_THAT(answers, IsEmpty());
  // The writer waits before trying again, and does not spin meanwhile.
  EXPECT_THAT(loop.IdleFor(), Optional(Millis(10)));

  retry_clock_.Set(retry_clock_.Now() + Millis(10));
  EXPECT_THAT(loop.IdleFor(), Optional(Millis(0)));
  EXPECT_THAT(Ids(RunBatch(loop)), IsEmpty());  // fails again
  EXPECT_FALSE(loop.recovered());
  EXPECT_THAT(answers, IsEmpty());
  EXPECT_THAT(loop.IdleFor(), Optional(Millis(20))) << "the backoff doubles";

  retry_clock_.Set(retry_clock_.Now() + Millis(20));
  EXPECT_THAT(Ids(RunBatch(loop)), ElementsAre("FD-1"));
  EXPECT_TRUE(loop.recovered());
  EXPECT_THAT(answers, ElementsAre(absl::OkStatus()));
  EXPECT_EQ(loop.IdleFor(), std::nullopt);
}

// Regression: a batch whose read failed but whose commit succeeded dropped
// the floor it had lowered for an overdue timer it started, so that timer
// was never read again until a restart.
TEST_F(TimerLoopTest, AnOverdueTimerStartedInABatchWhoseReadFailedStillFires) {
  table_.Add("FD-1", kTuesday10am - kHour);
  TimerLoop loop(table_, clock_, retry_clock_);
  ASSERT_TRUE(loop.Load().ok());
  // Firing FD-1 raises the floor past the timer started below.
  EXPECT_THAT(Ids(RunBatch(loop)), ElementsAre("FD-1"));
  table_.failures = 1;
  TimerLoop::Batch batch = loop.BeginBatch();
  EXPECT_FALSE(loop.TakeDue(batch, clock_.Now()).ok());
  // A contact received two days ago: its timescale is due already.
  batch.Started(kTuesday10am - 24 * kHour, clock_.Now());
  table_.Add("FD-9", kTuesday10am - 24 * kHour);
  loop.Finish(batch, absl::OkStatus());
  retry_clock_.Set(retry_clock_.Now() + Millis(10));
  EXPECT_THAT(Ids(RunBatch(loop)), ElementsAre("FD-9"));
}

TEST_F(TimerLoopTest, AFailedCommitAnswersTheClockStepWithItsErrorAndFiresAgain) {
  table_.Add("FD-1", kTuesday10am - kHour);
  TimerLoop loop(table_, clock_, retry_clock_);
  ASSERT_TRUE(loop.Load().ok());
  std::vector<absl::Status> answers;
  loop.AddClockWaiter([&](absl::Status s) { answers.push_back(s); });
  const absl::Status refused = absl::UnavailableError("injected: the commit failed");
  EXPECT_THAT(Ids(RunBatch(loop, refused)), ElementsAre("FD-1"));
  EXPECT_THAT(answers, ElementsAre(refused));
  EXPECT_FALSE(loop.recovered());
  EXPECT_THAT(loop.IdleFor(), Optional(Millis(10)));
  retry_clock_.Set(retry_clock_.Now() + Millis(10));
  // Nothing it fired was stored: the same timer fires again.
  EXPECT_THAT(Ids(RunBatch(loop)), ElementsAre("FD-1"));
  EXPECT_TRUE(loop.recovered());
}

TEST_F(TimerLoopTest, StoppingAnswersWaitingClockSteps) {
  TimerLoop loop(table_, clock_, retry_clock_);
  ASSERT_TRUE(loop.Load().ok());
  std::vector<absl::Status> answers;
  loop.AddClockWaiter([&](absl::Status s) { answers.push_back(s); });
  loop.AbandonWaiters(absl::UnavailableError("stopping"));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_TRUE(absl::IsUnavailable(answers[0]));
}

TEST_F(TimerLoopTest, AFailedReadAtStartIsAnError) {
  table_.failures = 1;
  TimerLoop loop(table_, clock_, retry_clock_);
  EXPECT_TRUE(absl::IsUnavailable(loop.Load()));
}

}  // namespace
}  // namespace frontdoor
