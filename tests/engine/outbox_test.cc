// The outbox dispatcher with a fake sink on a real RocksDB: entries go out in
// order and at least once, a failing sink is retried after a backoff that
// doubles (on a manual clock: nothing sleeps), the cursor is kept in the
// store, and a new sink plugs in beside the writer without touching it.
#include "engine/outbox.h"

#include <future>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/processor.h"
#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using testing::DefaultPolicy;
using ::testing::ElementsAre;
using testing::kTuesday10am;
using ::testing::Optional;
using testing::SchoolContact;
using testing::TempDir;

// Records what it is given; the first `failures` deliveries fail.
class RecordingSink final : public Sink {
 public:
  explicit RecordingSink(int fail = 0) : failures(fail) {}
  std::string_view name() const override { return "recording"; }
  absl::Status Open() override {
    ++opened;
    return absl::OkStatus();
  }
  absl::Status Deliver(absl::Span<const v1::OutboxEntry> entries) override {
    ++attempts;
    if (failures > 0) {
      --failures;
      return absl::UnavailableError("injected: the receiver is down");
    }
    for (const auto& e : entries) seqs.push_back(e.seq());
    pages.push_back(entries.size());
    return absl::OkStatus();
  }

  int failures;
  int opened = 0;
  int attempts = 0;
  std::vector<uint64_t> seqs;
  std::vector<size_t> pages;
};

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.path() / "db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  // Commits outbox entries up to `last` (and the counter), as the writer does.
  void CommitEntries(uint64_t first, uint64_t last) {
    auto batch = store_->NewBatch();
    for (uint64_t seq = first; seq <= last; ++seq) {
      v1::OutboxEntry entry;
      entry.set_seq(seq);
      entry.mutable_event()->set_id("FD-00000001-" + std::to_string(seq));
      entry.mutable_event()->set_contact_id("FD-00000001");
      batch.PutOutbox(entry);
    }
    batch.PutCounter(kOutboxCounter, last);
    ASSERT_TRUE(store_->Commit(batch).ok());
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  ManualClock retry_clock_{kTuesday10am};
  MetricsRegistry metrics_;
};

TEST_F(OutboxTest, AFailingSinkIsRetriedWithABackoffThatDoublesThenGetsEverythingInOrder) {
  CommitEntries(1, 5);
  RecordingSink sink(/*failures=*/3);
  OutboxOptions options;
  options.page_size = 3;
  Outbox outbox(*store_, sink, retry_clock_, &metrics_, options);
  ASSERT_TRUE(outbox.Open().ok());
  EXPECT_EQ(sink.opened, 1);

  EXPECT_EQ(outbox.DeliverOnce(), Outbox::Step::kFailed);
  EXPECT_THAT(outbox.retry_at(), Optional(kTuesday10am + Millis(100)));
  // Not before the backoff has passed.
  EXPECT_EQ(outbox.DeliverOnce(), Outbox::Step::kBackingOff);
  EXPECT_EQ(sink.attempts, 1);

  retry_clock_.Set(kTuesday10am + Millis(100));
  EXPECT_EQ(outbox.DeliverOnce(), Outbox::Step::kFailed);
  EXPECT_THAT(outbox.retry_at(), Optional(kTuesday10am + Millis(300)));
  retry_clock_.Set(kTuesday10am + Millis(300));
  EXPECT_EQ(outbox.DeliverOnce(), Outbox::Step::kFailed);
  EXPECT_THAT(outbox.retry_at(), Optional(kTuesday10am + Millis(700)));
  EXPECT_EQ(outbox.watch().delivered(), 0u);
  EXPECT_EQ(*store_->GetCursor("recording"), 0u);

  retry_clock_.Set(kTuesday10am + Millis(700));
  EXPECT_EQ(outbox.DeliverOnce(), Outbox::Step::kDelivered);
  EXPECT_EQ(outbox.retry_at(), std::nullopt);
  EXPECT_EQ(outbox.DeliverOnce(), Outbox::Step::kDelivered);
  EXPECT_EQ(outbox.DeliverOnce(), Outbox::Step::kIdle);
  EXPECT_THAT(sink.seqs, ElementsAre(1, 2, 3, 4, 5));
  EXPECT_THAT(sink.pages, ElementsAre(3, 2));
  EXPECT_EQ(sink.attempts, 5);
  EXPECT_EQ(outbox.watch().delivered(), 5u);
  // The cursor is the store's; delivered entries leave the outbox.
  EXPECT_EQ(*store_->GetCursor("recording"), 5u);
  EXPECT_EQ(store_->ReadOutbox(0, 10)->size(), 0u);
  MetricsSnapshot metrics = metrics_.Snapshot();
  EXPECT_EQ(metrics.Value("frontdoor_outbox_failures_total", "sink=\"recording\""), 3);
  EXPECT_EQ(metrics.Value("frontdoor_outbox_delivered_total", "sink=\"recording\""), 5);
  EXPECT_EQ(metrics.Value("frontdoor_outbox_backlog", "sink=\"recording\""), 0);
}

TEST_F(OutboxTest, TheBackoffStopsGrowingAtItsLongestAndResetsAfterASuccess) {
  CommitEntries(1, 1);
  RecordingSink sink(/*failures=*/4);
  OutboxOptions options;
  options.first_backoff = Millis(100);
  options.max_backoff = Millis(250);
  Outbox outbox(*store_, sink, retry_clock_, nullptr, options);
  ASSERT_TRUE(outbox.Open().ok());
  TimePoint now = kTuesday10am;
  std::vector<Millis> waits;
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(outbox.DeliverOnce(), Outbox::Step::kFailed);
    waits.push_back(*outbox.retry_at() - now);
    now = *outbox.retry_at();
    retry_clock_.Set(now);
  }
  EXPECT_THAT(waits, ElementsAre(Millis(100), Millis(200), Millis(250), Millis(250)));
  ASSERT_EQ(outbox.DeliverOnce(), Outbox::Step::kDelivered);

  // After a success the next failure waits the shortest time again.
  CommitEntries(2, 2);
  outbox.Notify(2);
  sink.failures = 1;
  ASSERT_EQ(outbox.DeliverOnce(), Outbox::Step::kFailed);
  EXPECT_THAT(outbox.retry_at(), Optional(now + Millis(100)));
}

TEST_F(OutboxTest, ARestartCarriesOnFromTheStoredCursor) {
  CommitEntries(1, 2);
  {
    RecordingSink sink;
    Outbox outbox(*store_, sink, retry_clock_, nullptr);
    ASSERT_TRUE(outbox.Open().ok());
    ASSERT_EQ(outbox.DeliverOnce(), Outbox::Step::kDelivered);
    EXPECT_THAT(sink.seqs, ElementsAre(1, 2));
  }
  CommitEntries(3, 4);
  RecordingSink sink;
  Outbox outbox(*store_, sink, retry_clock_, nullptr);
  ASSERT_TRUE(outbox.Open().ok());
  EXPECT_EQ(outbox.watch().delivered(), 2u);
  ASSERT_EQ(outbox.DeliverOnce(), Outbox::Step::kDelivered);
  EXPECT_THAT(sink.seqs, ElementsAre(3, 4));
}

TEST_F(OutboxTest, AnEntryThatCannotBeReadIsSetAsideAndTheRestGoOut) {
  auto batch = store_->NewBatch();
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    v1::OutboxEntry entry;
    entry.set_seq(seq);
    // The second entry has no event, as ReadOutbox returns an unreadable one.
    if (seq != 2) entry.mutable_event()->set_id("FD-00000001-" + std::to_string(seq));
    batch.PutOutbox(entry);
  }
  batch.PutCounter(kOutboxCounter, 3);
  ASSERT_TRUE(store_->Commit(batch).ok());
  RecordingSink sink;
  Outbox outbox(*store_, sink, retry_clock_, &metrics_);
  ASSERT_TRUE(outbox.Open().ok());
  ASSERT_EQ(outbox.DeliverOnce(), Outbox::Step::kDelivered);
  EXPECT_THAT(sink.seqs, ElementsAre(1, 3));
  EXPECT_EQ(outbox.watch().delivered(), 3u);
}

// A sink that cannot get ready (a spool folder that cannot be made) does not
// stop the start: it is reported as failing, opened again with the backoff
// before it delivers, and reported healthy once an attempt succeeds.
TEST_F(OutboxTest, ASinkThatCannotOpenIsRetriedAndReportedUntilItCan) {
  class UnopenedSink final : public Sink {
   public:
    std::string_view name() const override { return "unopened"; }
    absl::Status Open() override {
      ++opened;
      if (refusals == 0) return absl::OkStatus();
      --refusals;
      return absl::UnavailableError("cannot create /spool/letters: Not a directory");
    }
    absl::Status Deliver(absl::Span<const v1::OutboxEntry> entries) override {
      delivered += entries.size();
      return absl::OkStatus();
    }
    int refusals = 2;
    int opened = 0;
    size_t delivered = 0;
  } sink;
  CommitEntries(1, 2);
  Outbox outbox(*store_, sink, retry_clock_, &metrics_);
  ASSERT_TRUE(outbox.Open().ok());
  SinkHealth health = outbox.watch().health();
  EXPECT_TRUE(health.failing);
  EXPECT_EQ(health.failures_in_a_row, 1u);
  EXPECT_EQ(health.last_error, "cannot create /spool/letters: Not a directory");
  EXPECT_THAT(health.failing_since, Optional(kTuesday10am));
  EXPECT_THAT(outbox.retry_at(), Optional(kTuesday10am + Millis(100)));
  const std::string label = "sink=\"unopened\"";
  EXPECT_EQ(metrics_.Snapshot().Value("frontdoor_sink_failing", label), 1);
  EXPECT_EQ(metrics_.Snapshot().Value("frontdoor_sink_last_failure_timestamp_seconds", label),
            static_cast<double>(kTuesday10am.time_since_epoch().count()) / 1000);

  EXPECT_EQ(outbox.DeliverOnce(), Outbox::Step::kBackingOff);
  retry_clock_.Set(kTuesday10am + Millis(100));
  EXPECT_EQ(outbox.DeliverOnce(), Outbox::Step::kFailed);
  EXPECT_EQ(sink.opened, 2);
  EXPECT_EQ(outbox.watch().health().failures_in_a_row, 2u);
  EXPECT_THAT(outbox.watch().health().failing_since, Optional(kTuesday10am));
  retry_clock_.Set(kTuesday10am + Millis(300));
  EXPECT_EQ(outbox.DeliverOnce(), Outbox::Step::kDelivered);
  EXPECT_EQ(sink.opened, 3);
  EXPECT_EQ(sink.delivered, 2u);
  health = outbox.watch().health();
  EXPECT_FALSE(health.failing);
  EXPECT_EQ(health.failures_in_a_row, 0u);
  EXPECT_EQ(health.failing_since, std::nullopt);
  // The last failure is remembered after the recovery.
  EXPECT_THAT(health.last_failure_at, Optional(kTuesday10am + Millis(100)));
  EXPECT_EQ(metrics_.Snapshot().Value("frontdoor_sink_failing", label), 0);
  EXPECT_EQ(metrics_.Snapshot().Value("frontdoor_outbox_failures_total", label), 2);
  // Opened once it worked, not again for each page.
  CommitEntries(3, 3);
  outbox.Notify(3);
  EXPECT_EQ(outbox.DeliverOnce(), Outbox::Step::kDelivered);
  EXPECT_EQ(sink.opened, 3);
}

// The writer knows nothing of sinks: a new one is an Outbox told of each
// commit, here on its own delivery thread.
TEST_F(OutboxTest, ANewSinkPlugsInBesideTheWriterWithoutTouchingIt) {
  ManualClock clock(kTuesday10am);
  PolicySlot policies(DefaultPolicy());
  Processor processor(*store_, clock, policies, nullptr);
  RecordingSink sink(/*failures=*/1);
  OutboxOptions options;
  options.first_backoff = Millis(0);
  Outbox outbox(*store_, sink, retry_clock_, nullptr, options);
  processor.AddCommitListener([&](const CommitNotice& n) { outbox.Notify(n.outbox_seq); });
  ASSERT_TRUE(outbox.Start().ok());
  ASSERT_TRUE(processor.Start().ok());

  std::promise<CommandResult> answer;
  ASSERT_TRUE(processor.Submit(SubmitContact{SchoolContact(), KeyActor("example-school"), "", ""},
                               [&](CommandResult r) { answer.set_value(std::move(r)); }));
  CommandResult r = answer.get_future().get();
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_GT(r.outbox_seq, 0u);
  std::promise<void> delivered;
  outbox.watch().WhenDelivered(r.outbox_seq, [&] { delivered.set_value(); });
  ASSERT_EQ(delivered.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  processor.Stop();
  outbox.Stop();
  // The acknowledgement letter, after one failed attempt.
  EXPECT_EQ(sink.attempts, 2);
  ASSERT_EQ(sink.seqs.size(), r.outbox_seq);
  EXPECT_EQ(sink.seqs.back(), r.outbox_seq);
}

}  // namespace
}  // namespace frontdoor
