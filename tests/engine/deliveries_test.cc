// The delivery queue with a fake channel on a real RocksDB and a manual
// clock: a contact's events go in order while other contacts go on, the
// backoff doubles with bounded jitter, a delivery dies after 25 hours of
// failures (or at once when refused) and is replayed, "gone" disables the
// channel for good (across a restart) until a replay, a delivery stored
// before a crash is sent after it, a slow channel holds up neither the
// other sinks' Outboxes nor its own intake, and delivered ones are deleted
// after their retention while dead ones stay.
#include "engine/deliveries.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "engine/outbox.h"
#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using ::testing::ElementsAre;
using testing::kTuesday10am;
using testing::TempDir;

constexpr Millis kHour{3'600'000};

// Answers as told; records what it was sent, in order.
class FakeChannel final : public Channel {
 public:
  std::string_view name() const override { return "police-cms"; }
  bool Wants(const v1::Event& event) const override { return event.contact_id() != "FD-IGNORED"; }
  absl::Status Open() override {
    ++opened;
    return absl::OkStatus();
  }
  SendResult Send(const v1::Delivery& delivery) override {
    if (before_send) before_send(delivery);
    absl::MutexLock lock(&mu);
    sent.push_back(delivery.event_id());
    if (down)
      return SendResult{
          .kind = SendResult::Kind::kRetry, .error = "connection refused", .reference = ""};
    auto it = answers.find(delivery.event_id());
    if (it != answers.end()) return it->second;
    return SendResult{.kind = SendResult::Kind::kDelivered, .error = "", .reference = "ok"};
  }
  void Settled(const v1::Delivery& delivery) override {
    absl::MutexLock lock(&mu);
    settled.push_back(delivery.event_id() + "=" + v1::DeliveryState::Code_Name(delivery.state()));
  }
  std::vector<std::string> Sent() {
    absl::MutexLock lock(&mu);
    return sent;
  }

  void Fail(const std::string& event_id, SendResult::Kind kind = SendResult::Kind::kRetry,
            std::string error = "503") {
    absl::MutexLock lock(&mu);
    answers[event_id] = SendResult{.kind = kind, .error = std::move(error), .reference = ""};
  }
  void Heal(const std::string& event_id) {
    absl::MutexLock lock(&mu);
    answers.erase(event_id);
  }

  std::function<void(const v1::Delivery&)> before_send;
  int opened = 0;
  absl::Mutex mu;
  std::vector<std::string> sent GUARDED_BY(mu);
  std::vector<std::string> settled GUARDED_BY(mu);
  std::map<std::string, SendResult> answers GUARDED_BY(mu);
  // Every attempt fails as if the receiver were not there.
  bool down GUARDED_BY(mu) = false;
  void SetDown(bool is_down) {
    absl::MutexLock lock(&mu);
    down = is_down;
  }
};

// The spool's stand-in: takes every page at once.
class RecordingSink final : public Sink {
 public:
  std::string_view name() const override { return "spool"; }
  absl::Status Deliver(absl::Span<const v1::OutboxEntry> entries) override {
    for (const auto& e : entries) seqs.push_back(e.seq());
    return absl::OkStatus();
  }
  std::vector<uint64_t> seqs;
};

v1::OutboxEntry Entry(uint64_t seq, const std::string& contact) {
  v1::OutboxEntry entry;
  entry.set_seq(seq);
  entry.mutable_event()->set_id(contact + "-" + std::to_string(seq));
  entry.mutable_event()->set_contact_id(contact);
  return entry;
}

class DeliveriesTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    queue_.reset();
    store_.reset();
    auto store = Store::Open(dir_.path() / "db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    queue_ = std::make_unique<DeliveryQueue>(*store_, channel_, clock_, &metrics_, options_);
  }

  void Queue(std::vector<v1::OutboxEntry> entries) {
    ASSERT_TRUE(queue_->sink().Deliver(entries).ok());
  }

  size_t SendDue() {
    auto sent = queue_->SendDue();
    EXPECT_TRUE(sent.ok()) << sent.status();
    return sent.ok() ? *sent : 0;
  }

  v1::Delivery Get(uint64_t seq) {
    auto d = store_->GetDelivery("police-cms", seq);
    EXPECT_TRUE(d.ok() && d->has_value());
    return d.ok() && d->has_value() ? **d : v1::Delivery();
  }

  void AdvanceTo(TimePoint t) { clock_.Set(std::max(t, clock_.Now())); }

  double Metric(const std::string& name, const std::string& labels) {
    return metrics_.Snapshot().Value(name, labels).value_or(-1);
  }

  TempDir dir_;
  ManualClock clock_{kTuesday10am};
  MetricsRegistry metrics_;
  FakeChannel channel_;
  DeliveryOptions options_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<DeliveryQueue> queue_;
};

TEST_F(DeliveriesTest, AContactsLaterEventWaitsForItsEarlierOneWhileOtherContactsGoOn) {
  channel_.Fail("FD-A-1");
  Queue({Entry(1, "FD-A"), Entry(2, "FD-B"), Entry(3, "FD-A"), Entry(4, "FD-C")});

  EXPECT_EQ(SendDue(), 3u);
  EXPECT_THAT(channel_.Sent(), ElementsAre("FD-A-1", "FD-B-2", "FD-C-4"));
  EXPECT_EQ(Get(1).state(), v1::DeliveryState::RETRYING);
  EXPECT_EQ(Get(3).state(), v1::DeliveryState::QUEUED);
  // Nothing is due until the retry: FD-A's second event stays behind.
  EXPECT_EQ(SendDue(), 0u);

  channel_.Heal("FD-A-1");
  AdvanceTo(FromProto(Get(1).next_attempt_at()));
  EXPECT_EQ(SendDue(), 1u);
  EXPECT_EQ(SendDue(), 1u);
  EXPECT_THAT(channel_.Sent(), ElementsAre("FD-A-1", "FD-B-2", "FD-C-4", "FD-A-1", "FD-A-3"));
  EXPECT_EQ(Get(3).state(), v1::DeliveryState::DELIVERED);
  EXPECT_EQ(SendDue(), 0u);

  auto figures = queue_->figures();
  EXPECT_EQ(figures.delivered, 4u);
  EXPECT_EQ(figures.queued + figures.retrying + figures.dead, 0u);
  EXPECT_EQ(Metric("frontdoor_deliveries_total", "channel=\"police-cms\",outcome=\"delivered\""),
            4);
  EXPECT_EQ(Metric("frontdoor_deliveries_total", "channel=\"police-cms\",outcome=\"retry\""), 1);
}

TEST_F(DeliveriesTest, TheBackoffDoublesUpToItsCapWithJitterWithinBounds) {
  channel_.Fail("FD-A-1");
  Queue({Entry(1, "FD-A")});
  Millis previous{0};
  for (uint32_t attempt = 1; attempt <= 14; ++attempt) {
    ASSERT_EQ(SendDue(), 1u) << "attempt " << attempt;
    const v1::Delivery d = Get(1);
    ASSERT_EQ(d.state(), v1::DeliveryState::RETRYING);
    EXPECT_EQ(d.attempts(), attempt);
    const Millis wait = FromProto(d.next_attempt_at()) - clock_.Now();
    const double base = std::min(5'000.0 * std::pow(2.0, attempt - 1), 2.0 * 3'600'000);
    EXPECT_GE(wait.count(), base * 0.75) << "attempt " << attempt;
    EXPECT_LE(wait.count(), base * 1.25) << "attempt " << attempt;
    // Doubling beats ±25% jitter: each wait is longer than the one before
    // until the cap.
    if (base < 2.0 * 3'600'000) {
      EXPECT_GT(wait, previous) << "attempt " << attempt;
    }
    previous = wait;
    // Not yet due a millisecond early.
    AdvanceTo(FromProto(d.next_attempt_at()) - Millis(1));
    EXPECT_EQ(SendDue(), 0u);
    AdvanceTo(FromProto(d.next_attempt_at()));
  }
  EXPECT_EQ(queue_->figures().retrying, 1u);
}

TEST_F(DeliveriesTest, AFailingDeliveryDiesAfter25HoursIsListedAndIsReplayed) {
  channel_.Fail("FD-A-1", SendResult::Kind::kRetry, "HTTP 500");
  Queue({Entry(1, "FD-A"), Entry(2, "FD-B")});
  const TimePoint queued = clock_.Now();
  int rounds = 0;
  while (Get(1).state() != v1::DeliveryState::DEAD && rounds++ < 100) {
    SendDue();
    const v1::Delivery d = Get(1);
    if (d.state() == v1::DeliveryState::RETRYING) AdvanceTo(FromProto(d.next_attempt_at()));
  }
  const v1::Delivery dead = Get(1);
  ASSERT_EQ(dead.state(), v1::DeliveryState::DEAD);
  const TimePoint died = FromProto(dead.finished_at());
  EXPECT_GE(died - queued, 25 * kHour);
  // The last wait before death is at most the cap plus its jitter.
  EXPECT_LE(died - queued, 25 * kHour + Millis(static_cast<int64_t>(2.5 * 3'600'000)));
  EXPECT_EQ(dead.last_error(), "HTTP 500");
  EXPECT_GT(dead.attempts(), 10u);

  auto list = queue_->List(v1::DeliveryState::DEAD, "", 50);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->deliveries_size(), 1);
  EXPECT_EQ(list->deliveries(0).id(), "police-cms:1");
  EXPECT_FALSE(list->deliveries(0).has_event()) << "a view never carries the event";
  EXPECT_EQ(queue_->figures().dead, 1u);
  EXPECT_EQ(Metric("frontdoor_deliveries_dead", "channel=\"police-cms\""), 1);
  EXPECT_EQ(Metric("frontdoor_deliveries_total", "channel=\"police-cms\",outcome=\"dead\""), 1);

  // Replayed: from its first attempt, and this time the receiver takes it.
  EXPECT_EQ(queue_->Replay(2).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(queue_->Replay(99).code(), absl::StatusCode::kNotFound);
  channel_.Heal("FD-A-1");
  ASSERT_TRUE(queue_->Replay(1).ok());
  EXPECT_EQ(Get(1).state(), v1::DeliveryState::QUEUED);
  EXPECT_EQ(Get(1).attempts(), 0u);
  EXPECT_EQ(SendDue(), 1u);
  EXPECT_EQ(Get(1).state(), v1::DeliveryState::DELIVERED);
  EXPECT_EQ(Get(1).attempts(), 1u);
  auto figures = queue_->figures();
  EXPECT_EQ(figures.dead, 0u);
  EXPECT_EQ(figures.delivered, 2u);
}

TEST_F(DeliveriesTest, ARefusalIsDeadAtOnceAndTheContactsNextEventGoesOn) {
  channel_.Fail("FD-A-1", SendResult::Kind::kRefused, "HTTP 400");
  Queue({Entry(1, "FD-A"), Entry(2, "FD-A")});
  EXPECT_EQ(SendDue(), 1u);
  EXPECT_EQ(Get(1).state(), v1::DeliveryState::DEAD);
  EXPECT_EQ(Get(1).attempts(), 1u);
  EXPECT_EQ(SendDue(), 1u);
  EXPECT_EQ(Get(2).state(), v1::DeliveryState::DELIVERED);
}

TEST_F(DeliveriesTest,
       GoneDisablesTheChannelAcrossARestartNewDeliveriesStillQueueAndAReplayEnables) {
  channel_.Fail("FD-A-1", SendResult::Kind::kGone, "HTTP 410");
  Queue({Entry(1, "FD-A"), Entry(2, "FD-B")});
  EXPECT_EQ(SendDue(), 1u) << "the round stops at the 410";
  EXPECT_EQ(Get(1).state(), v1::DeliveryState::DEAD);
  EXPECT_EQ(Get(2).state(), v1::DeliveryState::QUEUED);
  auto figures = queue_->figures();
  EXPECT_TRUE(figures.disabled);
  EXPECT_EQ(figures.disabled_reason, "HTTP 410");
  EXPECT_EQ(figures.disabled_at, clock_.Now());

  Reopen();
  EXPECT_TRUE(queue_->figures().disabled) << "the mark is in the store";
  Queue({Entry(3, "FD-C")});
  EXPECT_EQ(SendDue(), 0u);
  EXPECT_EQ(queue_->figures().queued, 2u);
  EXPECT_THAT(channel_.Sent(), ElementsAre("FD-A-1"));

  channel_.Heal("FD-A-1");
  ASSERT_TRUE(queue_->Replay(1).ok());
  EXPECT_FALSE(queue_->figures().disabled);
  EXPECT_EQ(SendDue(), 3u);
  EXPECT_THAT(channel_.Sent(), ElementsAre("FD-A-1", "FD-A-1", "FD-B-2", "FD-C-3"));
  Reopen();
  EXPECT_FALSE(queue_->figures().disabled);
  EXPECT_EQ(queue_->figures().delivered, 3u);
}

TEST_F(DeliveriesTest, ADeliveryStoredBeforeACrashIsSentAfterItAndOfferedAgainIsNotDoubled) {
  // The Outbox hands the queue its page and moves the cursor on; then the
  // process dies before the queue's thread sent anything.
  {
    auto batch = store_->NewBatch();
    for (uint64_t seq = 1; seq <= 3; ++seq) batch.PutOutbox(Entry(seq, "FD-A"));
    batch.PutOutbox(Entry(4, "FD-IGNORED"));
    batch.PutCounter(kOutboxCounter, 4);
    ASSERT_TRUE(store_->Commit(batch).ok());
    Outbox outbox(*store_, queue_->sink(), clock_, nullptr);
    ASSERT_TRUE(outbox.Open().ok());
    EXPECT_EQ(outbox.DeliverOnce(), Outbox::Step::kDelivered);
  }
  EXPECT_EQ(*store_->GetCursor("police-cms"), 4u);
  Reopen();
  EXPECT_EQ(queue_->figures().queued, 3u);
  // The same page offered again (a crash before the cursor was saved):
  // nothing is stored twice.
  Queue({Entry(1, "FD-A"), Entry(2, "FD-A")});
  EXPECT_EQ(queue_->figures().queued, 3u);
  EXPECT_EQ(SendDue(), 1u);
  EXPECT_EQ(SendDue(), 1u);
  EXPECT_EQ(SendDue(), 1u);
  EXPECT_EQ(SendDue(), 0u);
  EXPECT_THAT(channel_.Sent(), ElementsAre("FD-A-1", "FD-A-2", "FD-A-3"));
  // A delivery already made is not made again after a restart.
  Reopen();
  EXPECT_EQ(SendDue(), 0u);
  EXPECT_EQ(queue_->figures().delivered, 3u);
}

TEST_F(DeliveriesTest, AReceiverThatIsDownIsProbedOneAtATimeAndWhenBackEverythingGoesAtOnce) {
  options_.jitter = 0;  // 5 s, 10 s, 20 s exactly
  Reopen();
  const TimePoint t0 = clock_.Now();
  // FD-1's event fails on its own (the receiver refuses that one for now).
  channel_.Fail("FD-1-1");
  Queue({Entry(1, "FD-1"), Entry(2, "FD-2"), Entry(3, "FD-3")});
  EXPECT_EQ(SendDue(), 3u);
  AdvanceTo(t0 + Millis(5'000));
  EXPECT_EQ(SendDue(), 1u);
  AdvanceTo(t0 + Millis(15'000));
  EXPECT_EQ(SendDue(), 1u);
  EXPECT_EQ(FromProto(Get(1).next_attempt_at()), t0 + Millis(35'000));

  // Then the receiver goes away altogether.
  channel_.SetDown(true);
  Queue({Entry(4, "FD-4"), Entry(5, "FD-5"), Entry(6, "FD-6")});
  EXPECT_EQ(SendDue(), 1u) << "the third failure in a row: down, and the round stops";
  EXPECT_EQ(Get(5).state(), v1::DeliveryState::QUEUED);
  EXPECT_EQ(SendDue(), 0u) << "paused until the probe's retry";
  AdvanceTo(t0 + Millis(20'000) - Millis(1));
  EXPECT_EQ(SendDue(), 0u);

  // Back: the probe gets through, the rest of what is due follows, and
  // FD-1's, still waiting for its own backoff, goes at once after.
  channel_.SetDown(false);
  channel_.Heal("FD-1-1");
  AdvanceTo(t0 + Millis(20'000));
  EXPECT_EQ(SendDue(), 3u);
  EXPECT_EQ(SendDue(), 1u) << "the catch-up did not send the delivery that was retrying";
  EXPECT_EQ(Get(1).state(), v1::DeliveryState::DELIVERED);
  EXPECT_EQ(queue_->figures().delivered, 6u);
  EXPECT_EQ(SendDue(), 0u);
  EXPECT_THAT(channel_.Sent(), ElementsAre("FD-1-1", "FD-2-2", "FD-3-3", "FD-1-1", "FD-1-1",
                                           "FD-4-4", "FD-4-4", "FD-5-5", "FD-6-6", "FD-1-1"));
}

TEST_F(DeliveriesTest, ListsPageOldestFirst) {
  for (uint64_t seq = 1; seq <= 5; ++seq) Queue({Entry(seq, "FD-" + std::to_string(seq))});
  auto first = queue_->List(v1::DeliveryState::QUEUED, "", 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->deliveries_size(), 2);
  EXPECT_EQ(first->deliveries(0).seq(), 1u);
  ASSERT_FALSE(first->next_page_token().empty());
  auto rest = queue_->List(v1::DeliveryState::QUEUED, first->next_page_token(), 10);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->deliveries_size(), 3);
  EXPECT_EQ(rest->deliveries(0).seq(), 3u);
  EXPECT_TRUE(rest->next_page_token().empty());
  EXPECT_EQ(queue_->List(v1::DeliveryState::DEAD, "", 10)->deliveries_size(), 0);
  EXPECT_EQ(queue_->List(v1::DeliveryState::DELIVERY_STATE_UNSPECIFIED, "", 10)->deliveries_size(),
            5);
  EXPECT_EQ(queue_->List(v1::DeliveryState::QUEUED, "x", 10).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(DeliveriesTest, ASlowChannelHoldsUpNeitherTheSpoolNorItsOwnIntake) {
  absl::Notification entered;
  absl::Notification release;
  channel_.before_send = [&](const v1::Delivery& d) {
    if (d.seq() != 1) return;
    if (!entered.HasBeenNotified()) entered.Notify();
    // Bounded, so that a broken test fails instead of hanging.
    release.WaitForNotificationWithTimeout(absl::Seconds(30));
  };
  auto cursors = std::make_shared<OutboxCursors>();
  RecordingSink spool;
  Outbox spool_outbox(*store_, spool, clock_, nullptr, OutboxOptions{.cursors = cursors});
  Outbox queue_outbox(*store_, queue_->sink(), clock_, nullptr, OutboxOptions{.cursors = cursors});
  ASSERT_TRUE(spool_outbox.Open().ok());
  ASSERT_TRUE(queue_outbox.Open().ok());
  ASSERT_TRUE(queue_->Start().ok());
  EXPECT_EQ(channel_.opened, 1);

  auto commit = [&](uint64_t first, uint64_t last) {
    auto batch = store_->NewBatch();
    for (uint64_t seq = first; seq <= last; ++seq) batch.PutOutbox(Entry(seq, "FD-A"));
    batch.PutCounter(kOutboxCounter, last);
    ASSERT_TRUE(store_->Commit(batch).ok());
  };
  commit(1, 1);
  EXPECT_EQ(queue_outbox.DeliverOnce(), Outbox::Step::kDelivered);
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(30)))
      << "the queue's thread never sent";
  // The receiver holds the first delivery; everything else goes on.
  commit(2, 100);
  EXPECT_EQ(spool_outbox.DeliverOnce(), Outbox::Step::kDelivered);
  EXPECT_EQ(spool.seqs.size(), 100u);
  EXPECT_EQ(queue_outbox.DeliverOnce(), Outbox::Step::kDelivered);
  EXPECT_EQ(*store_->GetCursor("spool"), 100u);
  EXPECT_EQ(*store_->GetCursor("police-cms"), 100u);
  EXPECT_EQ(queue_->figures().queued, 100u);

  release.Notify();
  queue_->Stop();
  EXPECT_EQ(Get(1).state(), v1::DeliveryState::DELIVERED);
  // Stopped: the rest waits in the store for the next start.
  EXPECT_GE(queue_->figures().queued, 1u);
  EXPECT_EQ(queue_->figures().queued + queue_->figures().delivered, 100u);
}

TEST_F(DeliveriesTest, TheThreadSendsWhenWokenAfterTheManualClockMoves) {
  channel_.Fail("FD-A-1");
  ASSERT_TRUE(queue_->Start().ok());
  Queue({Entry(1, "FD-A")});
  // Waits (bounded) until `n` attempts have been stored.
  auto settled = [&](size_t n) {
    absl::MutexLock lock(&channel_.mu);
    auto reached = [&]() EXCLUSIVE_LOCKS_REQUIRED(channel_.mu) {
      return channel_.settled.size() >= n;
    };
    return channel_.mu.AwaitWithTimeout(absl::Condition(&reached), absl::Seconds(30));
  };
  ASSERT_TRUE(settled(1));
  EXPECT_EQ(Get(1).state(), v1::DeliveryState::RETRYING);
  channel_.Heal("FD-A-1");
  clock_.Set(clock_.Now() + kHour);
  queue_->Wake();
  ASSERT_TRUE(settled(2)) << "woken, the thread did not try again";
  queue_->Stop();
  EXPECT_EQ(Get(1).state(), v1::DeliveryState::DELIVERED);
}

TEST_F(DeliveriesTest, DeliveredOnesAreDeletedAfterTheirRetentionWhileDeadOnesStay) {
  const TimePoint start = clock_.Now();
  const Millis day = 24 * kHour;
  channel_.Fail("FD-C-3", SendResult::Kind::kRefused, "HTTP 400");
  Queue({Entry(1, "FD-A"), Entry(2, "FD-B"), Entry(3, "FD-C")});
  EXPECT_EQ(SendDue(), 3u);
  ASSERT_EQ(Get(3).state(), v1::DeliveryState::DEAD);
  AdvanceTo(start + 29 * day);
  Queue({Entry(4, "FD-D")});
  EXPECT_EQ(SendDue(), 1u);
  EXPECT_EQ(queue_->figures().delivered, 3u);

  // A millisecond short of 30 days the first two are kept.
  AdvanceTo(start + 30 * day - Millis(1));
  SendDue();
  EXPECT_EQ(queue_->figures().delivered, 3u);
  // The queue looks again an hour (prune_every) later: by then they are due.
  AdvanceTo(start + 30 * day + kHour);
  SendDue();
  EXPECT_FALSE(store_->GetDelivery("police-cms", 1)->has_value());
  EXPECT_FALSE(store_->GetDelivery("police-cms", 2)->has_value());
  EXPECT_EQ(Get(3).state(), v1::DeliveryState::DEAD);  // waits for an admin
  EXPECT_EQ(Get(4).state(), v1::DeliveryState::DELIVERED);
  auto figures = queue_->figures();
  EXPECT_EQ(figures.delivered, 1u);
  EXPECT_EQ(figures.dead, 1u);
  auto listed = queue_->List(v1::DeliveryState::DELIVERED, "", 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->deliveries_size(), 1);
  EXPECT_EQ(listed->deliveries(0).seq(), 4u);
  EXPECT_EQ(queue_->List(v1::DeliveryState::DELIVERY_STATE_UNSPECIFIED, "", 10)->deliveries_size(),
            2);
  EXPECT_EQ(Metric("frontdoor_retention_removed_total", "what=\"deliveries\""), 2);
  // The counts in the store agree after a restart.
  Reopen();
  EXPECT_EQ(queue_->figures().delivered, 1u);
  EXPECT_EQ(queue_->figures().dead, 1u);
  // A dead letter replayed and delivered ages out like any other.
  ASSERT_TRUE(queue_->Replay(3).ok());
  channel_.Heal("FD-C-3");
  EXPECT_EQ(SendDue(), 1u);
  AdvanceTo(start + 61 * day);
  SendDue();
  EXPECT_EQ(queue_->figures().delivered, 0u);
  EXPECT_TRUE(
      queue_->List(v1::DeliveryState::DELIVERY_STATE_UNSPECIFIED, "", 10)->deliveries().empty());
}

TEST_F(DeliveriesTest, ZeroRetentionKeepsDeliveredOnesForEver) {
  options_.keep_delivered = Millis(0);
  Reopen();
  Queue({Entry(1, "FD-A")});
  EXPECT_EQ(SendDue(), 1u);
  AdvanceTo(clock_.Now() + 4000 * 24 * kHour);
  SendDue();
  EXPECT_EQ(Get(1).state(), v1::DeliveryState::DELIVERED);
}

}  // namespace
}  // namespace frontdoor
