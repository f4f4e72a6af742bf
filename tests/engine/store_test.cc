// The store on a real RocksDB in a temp folder: key orders that the timers,
// worklists and breaches rely on, the outbox cursor, and reopening.
#include "engine/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using ::testing::ElementsAre;
using testing::kTuesday10am;
using testing::TempDir;

v1::Timer MakeTimer(const std::string& id, const std::string& name, TimePoint due) {
  v1::Timer t;
  t.set_contact_id(id);
  t.set_name(name);
  *t.mutable_due_at() = ToProto(due);
  return t;
}

std::vector<std::string> Ids(const std::vector<v1::Timer>& timers) {
  std::vector<std::string> out;
  for (const auto& t : timers) out.push_back(t.contact_id() + "/" + t.name());
  return out;
}

TEST(Store, TimersComeBackInDueOrderWithinTheirRange) {
  TempDir dir;
  auto store = Store::Open(dir.path() / "db");
  ASSERT_TRUE(store.ok()) << store.status();
  auto batch = (*store)->NewBatch();
  const auto h = std::chrono::hours(1);
  batch.PutTimer(MakeTimer("FD-2", "decision", kTuesday10am + 3 * h));
  batch.PutTimer(MakeTimer("FD-1", "decision", kTuesday10am + 1 * h));
  batch.PutTimer(MakeTimer("FD-3", "mash", kTuesday10am + 2 * h));
  batch.PutTimer(MakeTimer("FD-10", "decision", kTuesday10am + 1 * h));
  ASSERT_TRUE((*store)->Commit(batch).ok());

  EXPECT_EQ(**(*store)->EarliestTimer(), kTuesday10am + h);
  EXPECT_THAT(Ids(*(*store)->DueTimers(TimePoint{}, kTuesday10am + 2 * h, 10)),
              ElementsAre("FD-1/decision", "FD-10/decision", "FD-3/mash"));
  EXPECT_THAT(Ids(*(*store)->DueTimers(kTuesday10am + 2 * h, kTuesday10am + 9 * h, 10)),
              ElementsAre("FD-3/mash", "FD-2/decision"));
  EXPECT_THAT(Ids(*(*store)->DueTimers(TimePoint{}, kTuesday10am + 9 * h, 1)),
              ElementsAre("FD-1/decision"));

  auto del = (*store)->NewBatch();
  del.DeleteTimer(kTuesday10am + h, "FD-1", "decision");
  ASSERT_TRUE((*store)->Commit(del).ok());
  EXPECT_THAT(Ids(*(*store)->DueTimers(TimePoint{}, kTuesday10am + h, 10)),
              ElementsAre("FD-10/decision"));
}

TEST(Store, WorklistSoonestFirstWithPaging) {
  TempDir dir;
  auto store = std::move(*Store::Open(dir.path() / "db"));
  auto batch = store->NewBatch();
  const auto h = std::chrono::hours(1);
  batch.PutWorklist(Queue::kTriage, kTuesday10am + 5 * h, "FD-5");
  batch.PutWorklist(Queue::kTriage, kTuesday10am + 1 * h, "FD-1");
  batch.PutWorklist(Queue::kMash, kTuesday10am, "FD-9");
  batch.PutWorklist(Queue::kTriage, kTuesday10am + 3 * h, "FD-3");
  ASSERT_TRUE(store->Commit(batch).ok());
  auto page = *store->Worklist(Queue::kTriage, 2);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].contact_id, "FD-1");
  EXPECT_EQ(page[1].contact_id, "FD-3");
  auto next = *store->Worklist(Queue::kTriage, 2, &page[1]);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].contact_id, "FD-5");
  EXPECT_EQ(next[0].due_at, kTuesday10am + 5 * h);
  EXPECT_EQ(store->Worklist(Queue::kMash, 10)->size(), 1u);
}

TEST(Store, BreachesOpenUntilResolved) {
  TempDir dir;
  auto store = std::move(*Store::Open(dir.path() / "db"));
  v1::Breach b;
  b.set_contact_id("FD-1");
  b.set_timescale("decision");
  *b.mutable_due_at() = ToProto(kTuesday10am);
  *b.mutable_raised_at() = ToProto(kTuesday10am + std::chrono::minutes(1));
  auto batch = store->NewBatch();
  batch.PutBreach(b);
  ASSERT_TRUE(store->Commit(batch).ok());
  EXPECT_EQ(store->Breaches(true, 10)->size(), 1u);
  *b.mutable_resolved_at() = ToProto(kTuesday10am + std::chrono::hours(2));
  auto resolve = store->NewBatch();
  resolve.PutBreach(b);
  ASSERT_TRUE(store->Commit(resolve).ok());
  EXPECT_TRUE(store->Breaches(true, 10)->empty());
  auto all = *store->Breaches(false, 10);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_TRUE(all[0].has_resolved_at());
}

TEST(Store, OutboxCursorDropsDeliveredEntriesAndSurvivesReopening) {
  TempDir dir;
  {
    auto store = std::move(*Store::Open(dir.path() / "db"));
    auto batch = store->NewBatch();
    for (uint64_t seq = 1; seq <= 5; ++seq) {
      v1::OutboxEntry entry;
      entry.set_seq(seq);
      entry.mutable_event()->set_id("FD-1-" + std::to_string(seq));
      batch.PutOutbox(entry);
    }
    batch.PutCounter("outbox", 5);
    ASSERT_TRUE(store->Commit(batch).ok());
    EXPECT_EQ(store->ReadOutbox(0, 10)->size(), 5u);
    ASSERT_TRUE(store->SetCursor("spool", 3).ok());
    auto rest = *store->ReadOutbox(0, 10);
    ASSERT_EQ(rest.size(), 2u);
    EXPECT_EQ(rest[0].seq(), 4u);
  }
  auto reopened = std::move(*Store::Open(dir.path() / "db"));
  EXPECT_EQ(*reopened->GetCursor("spool"), 3u);
  EXPECT_EQ(*reopened->GetCounter("outbox"), 5u);
  EXPECT_EQ(reopened->ReadOutbox(3, 10)->size(), 2u);
}

TEST(Store, EventsOfOneContactOnlyInSeqOrder) {
  TempDir dir;
  auto store = std::move(*Store::Open(dir.path() / "db"));
  auto batch = store->NewBatch();
  for (const char* id : {"FD-1", "FD-10", "FD-1"}) {
    static uint32_t seq = 0;
    v1::Event e;
    e.set_contact_id(id);
    e.set_seq(++seq);
    batch.PutEvent(e);
  }
  v1::Event late;
  late.set_contact_id("FD-1");
  late.set_seq(300);
  batch.PutEvent(late);
  ASSERT_TRUE(store->Commit(batch).ok());
  auto events = *store->GetEvents("FD-1");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].seq(), 1u);
  EXPECT_EQ(events[1].seq(), 3u);
  EXPECT_EQ(events[2].seq(), 300u);
  EXPECT_EQ(store->GetEvents("FD-10")->size(), 1u);
}

TEST(Store, ASecondOpenOfTheSameFolderIsRefused) {
  TempDir dir;
  auto first = Store::Open(dir.path() / "db");
  ASSERT_TRUE(first.ok());
  auto second = Store::Open(dir.path() / "db");
  EXPECT_FALSE(second.ok());
}

}  // namespace
}  // namespace frontdoor
