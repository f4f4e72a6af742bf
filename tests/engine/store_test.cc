// The store on a real RocksDB in a temp folder: key orders that the timers,
// worklists and breaches rely on, the outbox cursor, and reopening.
#include "engine/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/urgency.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
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
  batch.PutWorklist(Queue::kTriage, kRankUnrated, kTuesday10am + 5 * h, "FD-5");
  batch.PutWorklist(Queue::kTriage, kRankUnrated, kTuesday10am + 1 * h, "FD-1");
  batch.PutWorklist(Queue::kMash, kRankUnrated, kTuesday10am, "FD-9");
  batch.PutWorklist(Queue::kTriage, kRankUnrated, kTuesday10am + 3 * h, "FD-3");
  ASSERT_TRUE(store->Commit(batch).ok());
  auto page = *store->Worklist(Queue::kTriage, 2);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].contact_id, "FD-1");
  EXPECT_EQ(page[1].contact_id, "FD-3");
  auto next = *store->Worklist(Queue::kTriage, 2, &page[1]);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].contact_id, "FD-5");
  EXPECT_EQ(next[0].due_at, kTuesday10am + 5 * h);
  EXPECT_EQ(next[0].rank, kRankUnrated);
  EXPECT_EQ(store->Worklist(Queue::kMash, 10)->size(), 1u);
}

std::vector<std::string> Ids(const std::vector<Store::WorklistEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.contact_id);
  return out;
}

// Urgency first, then the soonest deadline; paging carries on inside and
// across ranks.
TEST(Store, WorklistMostUrgentFirstThenSoonest) {
  TempDir dir;
  auto store = std::move(*Store::Open(dir.path() / "db"));
  auto batch = store->NewBatch();
  const auto h = std::chrono::hours(1);
  batch.PutWorklist(Queue::kTriage, kRankUnrated, kTuesday10am + 1 * h, "FD-U");
  batch.PutWorklist(Queue::kTriage, kRankGreen, kTuesday10am + 2 * h, "FD-G");
  batch.PutWorklist(Queue::kTriage, kRankRed, kTuesday10am + 20 * h, "FD-R2");
  batch.PutWorklist(Queue::kTriage, kRankRed, kTuesday10am + 10 * h, "FD-R1");
  batch.PutWorklist(Queue::kTriage, kRankAmber, kTuesday10am + 3 * h, "FD-A");
  batch.PutWorklist(Queue::kTriage, kRankImmediateRisk, kTuesday10am + 30 * h, "FD-I");
  ASSERT_TRUE(store->Commit(batch).ok());
  auto first = *store->Worklist(Queue::kTriage, 3);
  EXPECT_THAT(Ids(first), ElementsAre("FD-I", "FD-R1", "FD-R2"));
  EXPECT_EQ(first[0].rank, kRankImmediateRisk);
  EXPECT_THAT(Ids(*store->Worklist(Queue::kTriage, 10, &first[2])),
              ElementsAre("FD-A", "FD-G", "FD-U"));
  auto del = store->NewBatch();
  del.DeleteWorklist(Queue::kTriage, kRankRed, kTuesday10am + 10 * h, "FD-R1");
  ASSERT_TRUE(store->Commit(del).ok());
  EXPECT_THAT(Ids(*store->Worklist(Queue::kTriage, 2)), ElementsAre("FD-I", "FD-R2"));
}

v1::ContactRecord RecordOf(const std::string& id, bool immediate_risk, v1::Rag::Code rag) {
  v1::ContactRecord record;
  v1::Contact& c = *record.mutable_contact();
  c.set_id(id);
  c.set_state(v1::ContactState::AWAITING_DECISION);
  c.set_immediate_risk(immediate_risk);
  c.mutable_recommendation()->set_rag(rag);
  return record;
}

// A store written before worklist keys carried a rank (<queue><due><id>,
// no format marker) is rebuilt once when opened: the same contacts, most
// urgent first, and the old keys gone.
TEST(Store, OldWorklistEntriesAreRebuiltOnceAtOpen) {
  TempDir dir;
  const auto h = std::chrono::hours(1);
  {
    auto store = std::move(*Store::Open(dir.path() / "db"));
    auto batch = store->NewBatch();
    batch.PutContact(RecordOf("FD-1", false, v1::Rag::RAG_UNSPECIFIED));
    batch.PutContact(RecordOf("FD-2", false, v1::Rag::RED));
    batch.PutContact(RecordOf("FD-3", true, v1::Rag::RED));
    ASSERT_TRUE(store->Commit(batch).ok());
  }
  {
    // Write the old format by hand, as a store of the last release holds it.
    rocksdb::DBOptions options;
    std::vector<std::string> names;
    ASSERT_TRUE(
        rocksdb::DB::ListColumnFamilies(options, (dir.path() / "db").string(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& name : names)
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(
        rocksdb::DB::Open(options, (dir.path() / "db").string(), families, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::ColumnFamilyHandle* worklist = nullptr;
    rocksdb::ColumnFamilyHandle* meta = nullptr;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == "worklist") worklist = handles[i];
      if (names[i] == "default") meta = handles[i];
    }
    ASSERT_NE(worklist, nullptr);
    ASSERT_NE(meta, nullptr);
    auto old_key = [](char queue, TimePoint due, const std::string& id) {
      std::string key(1, queue);
      uint64_t ms = static_cast<uint64_t>(due.time_since_epoch().count());
      for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>(ms >> shift));
      return key + id;
    };
    rocksdb::WriteBatch batch;
    batch.Delete(meta, "format/worklist");
    batch.Put(worklist, old_key('t', kTuesday10am + 1 * h, "FD-1"), "");
    batch.Put(worklist, old_key('t', kTuesday10am + 5 * h, "FD-2"), "");
    batch.Put(worklist, old_key('t', kTuesday10am + 9 * h, "FD-3"), "");
    batch.Put(worklist, old_key('t', kTuesday10am + 2 * h, "FD-GONE"), "");
    ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &batch).ok());
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    ASSERT_TRUE(db->Close().ok());
  }
  for (int open = 0; open < 2; ++open) {
    auto store = Store::Open(dir.path() / "db");
    ASSERT_TRUE(store.ok()) << store.status();
    auto entries = *(*store)->Worklist(Queue::kTriage, 10);
    // A contact that no longer exists is dropped.
    ASSERT_THAT(Ids(entries), ElementsAre("FD-3", "FD-2", "FD-1")) << "open " << open;
    EXPECT_EQ(entries[0].rank, kRankImmediateRisk);
    EXPECT_EQ(entries[0].due_at, kTuesday10am + 9 * h);
    EXPECT_EQ(entries[1].rank, kRankRed);
    EXPECT_EQ(entries[2].rank, kRankUnrated);
    EXPECT_EQ(entries[2].due_at, kTuesday10am + 1 * h);
    EXPECT_TRUE((*store)->Worklist(Queue::kMash, 10)->empty());
  }
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
    ASSERT_TRUE(store->SetCursor("spool", 3, 3).ok());
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
