// The single writer on a real RocksDB: commands queued together commit as
// one batch, timers fire when the manual clock passes them (and at start-up
// when they fell due while it was stopped), idempotency keys hold within a
// batch and expire after their retention (swept out a page per batch), a
// full queue is refused rather than grown, and a store that cannot
// read its timers holds recovery and clock steps back instead of being
// taken for "no timers due".
#include "engine/processor.h"

#include <atomic>
#include <future>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using testing::DefaultPolicy;
using ::testing::HasSubstr;
using testing::kTuesday10am;
using testing::SchoolContact;
using testing::TempDir;

// The store's timers, with reads that fail on demand: every read after the
// first (the one Start makes) fails while `failing` is set.
class FaultyTimers final : public TimerTable {
 public:
  explicit FaultyTimers(const Store& store) : store_(store) {}
  absl::StatusOr<std::vector<v1::Timer>> DueTimers(TimePoint from, TimePoint up_to,
                                                   size_t limit) const override {
    if (reads_++ > 0 && failing) {
      if (++failures_ == 3) failed_three_times.set_value();
      return absl::UnavailableError("injected: the timers cannot be read");
    }
    return store_.DueTimers(from, up_to, limit);
  }

  std::atomic<bool> failing{true};
  mutable std::promise<void> failed_three_times;

 private:
  const Store& store_;
  mutable std::atomic<int> reads_{0};
  mutable std::atomic<int> failures_{0};
};

int BreachesOf(const Store& store, const std::string& id) {
  auto events = store.GetEvents(id);
  EXPECT_TRUE(events.ok()) << events.status();
  if (!events.ok()) return -1;
  int breaches = 0;
  for (const auto& e : *events) breaches += e.has_timescale_breached() ? 1 : 0;
  return breaches;
}

class ProcessorTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenStore(); }

  void OpenStore() {
    auto store = Store::Open(dir_.path() / "db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  std::unique_ptr<Processor> MakeProcessor(ProcessorOptions options = {}) {
    return std::make_unique<Processor>(*store_, clock_, policies_, &metrics_, options);
  }

  // Queues `command`; the future is ready once the Processor answers.
  static std::future<CommandResult> Queue(Processor& p, Command command) {
    auto promise = std::make_shared<std::promise<CommandResult>>();
    auto future = promise->get_future();
    bool queued = p.Submit(std::move(command),
                           [promise](CommandResult r) { promise->set_value(std::move(r)); });
    EXPECT_TRUE(queued);
    return future;
  }

  static SubmitContact Contact(const std::string& key = "", const std::string& digest = "") {
    return SubmitContact{SchoolContact(), KeyActor("example-school"), key, digest};
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  ManualClock clock_{kTuesday10am};
  PolicySlot policies_{DefaultPolicy()};
  MetricsRegistry metrics_;
};

TEST_F(ProcessorTest, CommandsQueuedTogetherCommitAsOneBatch) {
  auto processor = MakeProcessor();
  std::vector<std::future<CommandResult>> futures;
  for (int i = 0; i < 100; ++i) futures.push_back(Queue(*processor, Contact()));
  ASSERT_TRUE(processor->Start().ok());
  std::set<std::string> ids;
  for (auto& f : futures) {
    CommandResult r = f.get();
    ASSERT_TRUE(r.status.ok()) << r.status;
    ids.insert(r.contact->contact().id());
  }
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_EQ(*ids.begin(), "FD-00000001");
  EXPECT_EQ(*ids.rbegin(), "FD-00000100");
  Histogram::Snapshot batches = metrics_.GetHistogram("frontdoor_batch_commands", "", {}).Read();
  EXPECT_EQ(batches.count, 1u);
  EXPECT_EQ(batches.sum, 100);
  for (const auto& id : ids) {
    auto stored = store_->GetContact(id);
    ASSERT_TRUE(stored.ok() && stored->has_value()) << id;
  }
  EXPECT_EQ(store_->Worklist(Queue::kTriage, 1000)->size(), 100u);
  MetricsSnapshot metrics = metrics_.Snapshot();
  EXPECT_EQ(metrics.Value("frontdoor_contacts", "state=\"AWAITING_DECISION\""), 100);
  EXPECT_EQ(metrics.Value("frontdoor_open_timescales", "timescale=\"decision\""), 100);
  // Every contact's acknowledgement and its letter went to the outbox.
  EXPECT_EQ(store_->ReadOutbox(0, 1000)->size(), 200u);
}

TEST_F(ProcessorTest, SetClockAnswersAfterTheTimersItPassedHaveFired) {
  auto processor = MakeProcessor();
  ASSERT_TRUE(processor->Start().ok());
  CommandResult created = Queue(*processor, Contact()).get();
  ASSERT_TRUE(created.status.ok()) << created.status;
  CommandResult moved =
      Queue(*processor, SetClock{kTuesday10am + std::chrono::hours(25), {}}).get();
  ASSERT_TRUE(moved.status.ok()) << moved.status;
  EXPECT_EQ(moved.now, kTuesday10am + std::chrono::hours(25));
  auto breaches = *store_->Breaches(/*open_only=*/true, 10);
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_EQ(breaches[0].contact_id(), created.contact->contact().id());
  EXPECT_EQ(FromProto(breaches[0].due_at()), kTuesday10am + std::chrono::hours(24));
  EXPECT_TRUE(store_->DueTimers(TimePoint{}, TimePoint::max() - Millis(1), 10)->empty());
  // The clock never goes back.
  CommandResult back = Queue(*processor, SetClock{kTuesday10am, {}}).get();
  EXPECT_TRUE(absl::IsInvalidArgument(back.status));
}

TEST_F(ProcessorTest, TimersThatFellDueWhileStoppedFireAtStartUpOnce) {
  std::string id;
  {
    auto processor = MakeProcessor();
    ASSERT_TRUE(processor->Start().ok());
    id = Queue(*processor, Contact()).get().contact->contact().id();
    processor->Stop();
  }
  clock_.Set(kTuesday10am + std::chrono::hours(30));
  for (int restart = 0; restart < 2; ++restart) {
    auto processor = MakeProcessor();
    ASSERT_TRUE(processor->Start().ok());
    // A zero clock step is answered only once the start-up sweep is done.
    ASSERT_TRUE(Queue(*processor, SetClock{clock_.Now(), {}}).get().status.ok());
    EXPECT_TRUE(processor->recovered());
    processor->Stop();
    auto events = *store_->GetEvents(id);
    int breaches = 0;
    for (const auto& e : events) {
      if (!e.has_timescale_breached()) continue;
      ++breaches;
      EXPECT_EQ(FromProto(e.timescale_breached().due_at()), kTuesday10am + std::chrono::hours(24));
      EXPECT_EQ(FromProto(e.at()), kTuesday10am + std::chrono::hours(30));
    }
    EXPECT_EQ(breaches, 1) << "after restart " << restart;
  }
}

// Regression: a store error reading the due timers was taken for "0 timers",
// which marked recovery done and told clock steps that every timer had fired.
TEST_F(ProcessorTest, TimersThatCannotBeReadHoldRecoveryAndClockStepsBackUntilTheyCan) {
  std::string id;
  {
    auto processor = MakeProcessor();
    ASSERT_TRUE(processor->Start().ok());
    id = Queue(*processor, Contact()).get().contact->contact().id();
    processor->Stop();
  }
  clock_.Set(kTuesday10am + std::chrono::hours(30));
  FaultyTimers timers(*store_);
  ProcessorOptions options;
  options.timers = &timers;
  auto processor = MakeProcessor(options);
  ASSERT_TRUE(processor->Start().ok());
  auto step = Queue(*processor, SetClock{clock_.Now(), {}});
  // The writer tries again (after a backoff), rather than giving up.
  ASSERT_EQ(timers.failed_three_times.get_future().wait_for(std::chrono::seconds(30)),
            std::future_status::ready);
  EXPECT_FALSE(processor->recovered());
  EXPECT_EQ(step.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "the clock step was answered before its timers fired";
  EXPECT_EQ(BreachesOf(*store_, id), 0);

  timers.failing = false;
  CommandResult moved = step.get();
  ASSERT_TRUE(moved.status.ok()) << moved.status;
  EXPECT_TRUE(processor->recovered());
  EXPECT_EQ(BreachesOf(*store_, id), 1);
}

TEST_F(ProcessorTest, ClockStepsInOneBatchBothCountAndWaitForTimersTheBatchStarted) {
  auto processor = MakeProcessor();
  // A contact received two days ago is already overdue when it arrives, in
  // the same batch as the clock steps: their answer waits for its breach.
  SubmitContact late = Contact();
  *late.submission.mutable_received_at() = ToProto(kTuesday10am - std::chrono::hours(48));
  auto created = Queue(*processor, std::move(late));
  auto first = Queue(*processor, SetClock{std::nullopt, std::chrono::hours(1)});
  auto second = Queue(*processor, SetClock{std::nullopt, std::chrono::hours(1)});
  ASSERT_TRUE(processor->Start().ok());
  ASSERT_TRUE(created.get().status.ok());
  ASSERT_TRUE(first.get().status.ok());
  CommandResult last = second.get();
  ASSERT_TRUE(last.status.ok());
  EXPECT_EQ(last.now, kTuesday10am + std::chrono::hours(2));
  EXPECT_EQ(store_->Breaches(/*open_only=*/true, 10)->size(), 1u);
}

TEST_F(ProcessorTest, IdempotencyKeysHoldWithinOneBatch) {
  auto processor = MakeProcessor();
  auto first = Queue(*processor, Contact("key-1", "digest-a"));
  auto replay = Queue(*processor, Contact("key-1", "digest-a"));
  auto conflict = Queue(*processor, Contact("key-1", "digest-b"));
  ASSERT_TRUE(processor->Start().ok());
  CommandResult a = first.get(), b = replay.get(), c = conflict.get();
  ASSERT_TRUE(a.status.ok());
  ASSERT_TRUE(b.status.ok());
  EXPECT_FALSE(a.replayed);
  EXPECT_TRUE(b.replayed);
  EXPECT_EQ(b.contact->contact().id(), a.contact->contact().id());
  EXPECT_TRUE(absl::IsAlreadyExists(c.status));
  EXPECT_EQ(*store_->GetCounter("contact"), 1u);
}

TEST_F(ProcessorTest, AFullQueueIsRefused) {
  ProcessorOptions options;
  options.max_queue = 2;
  auto processor = MakeProcessor(options);
  auto a = Queue(*processor, Contact());
  auto b = Queue(*processor, Contact());
  EXPECT_FALSE(processor->Submit(Contact(), [](CommandResult) { FAIL() << "never answered"; }));
  ASSERT_TRUE(processor->Start().ok());
  EXPECT_TRUE(a.get().status.ok());
  EXPECT_TRUE(b.get().status.ok());
}

TEST_F(ProcessorTest, WrongStepsAreRefusedAndChangeNothing) {
  auto processor = MakeProcessor();
  ASSERT_TRUE(processor->Start().ok());
  std::string id = Queue(*processor, Contact()).get().contact->contact().id();
  v1::MashOutcomeRequest outcome;
  outcome.set_outcome(v1::MashOutcome::NFA);
  outcome.set_reason("x");
  CommandResult r = Queue(*processor, RecordMashOutcome{id, outcome, KeyActor("ifd-triage")}).get();
  EXPECT_TRUE(absl::IsFailedPrecondition(r.status));
  v1::DecisionRequest decision;
  decision.set_route(v1::Route::MASH);
  decision.set_reason("Checks needed.");
  ASSERT_TRUE(
      Queue(*processor, RecordDecision{id, decision, KeyActor("ifd-triage")}).get().status.ok());
  processor->Stop();
  // The tallies are kept in the store and come back after a restart.
  MetricsRegistry fresh;
  Processor restarted(*store_, clock_, policies_, &fresh);
  ASSERT_TRUE(restarted.Start().ok());
  MetricsSnapshot metrics = fresh.Snapshot();
  EXPECT_EQ(metrics.Value("frontdoor_contacts", "state=\"IN_MASH\""), 1);
  EXPECT_EQ(metrics.Value("frontdoor_contacts", "state=\"AWAITING_DECISION\""), 0);
  EXPECT_EQ(metrics.Value("frontdoor_open_timescales", "timescale=\"mash\""), 1);
  EXPECT_EQ(metrics.Value("frontdoor_open_timescales", "timescale=\"decision\""), 0);
  EXPECT_THAT(std::string(r.status.message()), HasSubstr("AWAITING_DECISION"));
}

TEST_F(ProcessorTest, CommitListenersHearEveryStoredEvent) {
  auto processor = MakeProcessor();
  std::vector<v1::EventType::Code> heard;
  uint64_t last_seq = 0;
  std::vector<std::string> changed;
  processor->AddCommitListener([&](const CommitNotice& notice) {
    last_seq = notice.outbox_seq;
    for (const auto& e : notice.events) heard.push_back(e.type());
    for (const auto& c : notice.contacts) changed.push_back(c->contact().id());
  });
  ASSERT_TRUE(processor->Start().ok());
  CommandResult r = Queue(*processor, Contact()).get();
  processor->Stop();
  EXPECT_EQ(heard.size(), 3u);
  EXPECT_EQ(changed, std::vector<std::string>{r.contact->contact().id()});
  // The acknowledgement and its letter leave the building.
  EXPECT_EQ(last_seq, 2u);
  EXPECT_EQ(r.outbox_seq, 2u);
}

constexpr Millis kDay{86'400'000};

TEST_F(ProcessorTest, AnIdempotencyKeyExpiresAfterItsRetentionAndTheSweepDeletesIt) {
  auto processor = MakeProcessor();  // the default: 30 days
  ASSERT_TRUE(processor->Start().ok());
  CommandResult first = Queue(*processor, Contact("key-1", "digest-a")).get();
  ASSERT_TRUE(first.status.ok()) << first.status;
  auto stored = store_->GetIdempotency("example-school", "key-1");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(FromProto((*stored)->stored_at()), kTuesday10am);

  // A day short of the retention the key still holds, both ways.
  ASSERT_TRUE(Queue(*processor, SetClock{kTuesday10am + 29 * kDay, {}}).get().status.ok());
  CommandResult replay = Queue(*processor, Contact("key-1", "digest-a")).get();
  ASSERT_TRUE(replay.status.ok());
  EXPECT_TRUE(replay.replayed);
  EXPECT_TRUE(absl::IsAlreadyExists(Queue(*processor, Contact("key-1", "digest-b")).get().status));
  EXPECT_TRUE(store_->GetIdempotency("example-school", "key-1")->has_value());

  // 30 days after its first use the clock step's batch sweeps it out.
  ASSERT_TRUE(Queue(*processor, SetClock{kTuesday10am + 30 * kDay, {}}).get().status.ok());
  EXPECT_FALSE(store_->GetIdempotency("example-school", "key-1")->has_value());
  EXPECT_EQ(
      metrics_.Snapshot().Value("frontdoor_retention_removed_total", "what=\"idempotency_keys\""),
      1);
  // And the key is new again: another body makes another contact.
  CommandResult again = Queue(*processor, Contact("key-1", "digest-b")).get();
  ASSERT_TRUE(again.status.ok()) << again.status;
  EXPECT_FALSE(again.replayed);
  EXPECT_NE(again.contact->contact().id(), first.contact->contact().id());
  EXPECT_EQ(*store_->GetCounter("contact"), 2u);
}

TEST_F(ProcessorTest, AnExpiredKeyIsNewEvenBeforeTheSweepHasDeletedIt) {
  ProcessorOptions options;
  options.idempotency_retention = 7 * kDay;
  options.retention_sweep_every = 1000 * kDay;
  auto processor = MakeProcessor(options);
  ASSERT_TRUE(processor->Start().ok());
  CommandResult first = Queue(*processor, Contact("key-1", "digest-a")).get();
  ASSERT_TRUE(first.status.ok());
  ASSERT_TRUE(Queue(*processor, SetClock{kTuesday10am + 7 * kDay, {}}).get().status.ok());
  // Not swept (the next sweep is 1000 days off), but no longer held.
  EXPECT_TRUE(store_->GetIdempotency("example-school", "key-1")->has_value());
  CommandResult same_body = Queue(*processor, Contact("key-1", "digest-a")).get();
  ASSERT_TRUE(same_body.status.ok());
  EXPECT_FALSE(same_body.replayed);
  EXPECT_NE(same_body.contact->contact().id(), first.contact->contact().id());
  // The key now stands for the new contact, from now.
  auto stored = store_->GetIdempotency("example-school", "key-1");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->contact_id(), same_body.contact->contact().id());
  EXPECT_EQ(FromProto((*stored)->stored_at()), kTuesday10am + 7 * kDay);
  EXPECT_TRUE(Queue(*processor, Contact("key-1", "digest-a")).get().replayed);
}

TEST_F(ProcessorTest, AKeyStoredWithoutATimeIsStampedByTheFirstSweepAndExpiresFromThere) {
  // As a store written before keys had a time holds it.
  v1::IdempotencyRecord old;
  old.set_request_sha256("digest-a");
  old.set_contact_id("FD-00000001");
  Store::Batch batch = store_->NewBatch();
  batch.PutIdempotency("example-school", "key-old", old);
  ASSERT_TRUE(store_->Commit(batch).ok());

  auto processor = MakeProcessor();
  ASSERT_TRUE(processor->Start().ok());
  // The first sweep runs at start-up: in a batch of its own, or in the
  // clock step's when that comes first.
  ASSERT_TRUE(Queue(*processor, SetClock{kTuesday10am + kDay, {}}).get().status.ok());
  auto stamped = store_->GetIdempotency("example-school", "key-old");
  ASSERT_TRUE(stamped.ok() && stamped->has_value());
  ASSERT_TRUE((*stamped)->has_stored_at());
  const TimePoint swept = FromProto((*stamped)->stored_at());
  EXPECT_TRUE(swept == kTuesday10am || swept == kTuesday10am + kDay) << FormatRfc3339(swept);
  EXPECT_EQ((*stamped)->contact_id(), "FD-00000001");

  ASSERT_TRUE(Queue(*processor, SetClock{swept + 29 * kDay, {}}).get().status.ok());
  EXPECT_TRUE(store_->GetIdempotency("example-school", "key-old")->has_value());
  ASSERT_TRUE(Queue(*processor, SetClock{swept + 30 * kDay, {}}).get().status.ok());
  EXPECT_FALSE(store_->GetIdempotency("example-school", "key-old")->has_value());
}

TEST_F(ProcessorTest, TheSweepGoesAPageAtATimeAndKeepsKeysOfZeroRetentionForEver) {
  {
    ProcessorOptions options;
    options.retention_sweep_scan = 3;
    auto processor = MakeProcessor(options);
    ASSERT_TRUE(processor->Start().ok());
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(
          Queue(*processor, Contact("key-" + std::to_string(i), "digest")).get().status.ok());
    }
    // Each batch sweeps one page of 3 keys: the clock step's, then batches
    // of their own (or of the next commands), until the pass is done.
    auto left = [&] {
      size_t n = 0;
      for (int i = 0; i < 10; ++i) {
        n += store_->GetIdempotency("example-school", "key-" + std::to_string(i))->has_value();
      }
      return n;
    };
    TimePoint at = kTuesday10am + 31 * kDay;
    ASSERT_TRUE(Queue(*processor, SetClock{at, {}}).get().status.ok());
    EXPECT_LE(left(), 7u);
    for (int step = 0; step < 4 && left() > 0; ++step) {
      at += Millis(1);
      ASSERT_TRUE(Queue(*processor, SetClock{at, {}}).get().status.ok());
    }
    EXPECT_EQ(left(), 0u);
    EXPECT_EQ(
        metrics_.Snapshot().Value("frontdoor_retention_removed_total", "what=\"idempotency_keys\""),
        10);
  }
  ProcessorOptions forever;
  forever.idempotency_retention = Millis(0);
  auto processor = MakeProcessor(forever);
  ASSERT_TRUE(processor->Start().ok());
  CommandResult first = Queue(*processor, Contact("key-kept", "digest-a")).get();
  ASSERT_TRUE(first.status.ok());
  ASSERT_TRUE(Queue(*processor, SetClock{kTuesday10am + 4000 * kDay, {}}).get().status.ok());
  EXPECT_TRUE(store_->GetIdempotency("example-school", "key-kept")->has_value());
  EXPECT_TRUE(
      absl::IsAlreadyExists(Queue(*processor, Contact("key-kept", "digest-b")).get().status));
}

}  // namespace
}  // namespace frontdoor
