// The read audit's writer and indexes on a real RocksDB in a temp folder:
// appends become durable rows, rows queued together share one synced write,
// numbers keep rising across a restart, the by-contact and by-actor indexes
// give rows oldest first, and a contact's audit merges reads with changes.
#include "engine/audit_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "rocksdb/db.h"
#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using ::testing::ElementsAre;
using testing::kTuesday10am;
using testing::TempDir;

v1::AuditRecord Read(const std::string& actor, std::vector<std::string> contacts) {
  v1::AuditRecord row;
  row.mutable_actor()->set_kind(v1::Actor::KEY);
  row.mutable_actor()->set_id(actor);
  row.mutable_actor()->set_name(actor);
  row.set_peer("127.0.0.1");
  row.set_what(v1::AuditRead::CONTACT);
  row.set_method("GET");
  for (auto& c : contacts) row.add_contact_ids(c);
  return row;
}

// Appends and waits until the row is durable; its status.
absl::Status AppendAndWait(AuditLog& log, v1::AuditRecord row) {
  absl::Notification done;
  absl::Status result;
  log.Append(std::move(row), [&](absl::Status s) {
    result = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

std::vector<uint64_t> Seqs(const std::vector<v1::AuditRecord>& rows) {
  std::vector<uint64_t> out;
  for (const auto& r : rows) out.push_back(r.seq());
  return out;
}

TEST(AuditLog, AnAppendIsStoredWithItsTimesOnceAcknowledged) {
  TempDir dir;
  auto store = Store::Open(dir.path() / "db");
  ASSERT_TRUE(store.ok()) << store.status();
  ManualClock real(kTuesday10am + std::chrono::hours(5));
  ManualClock business(kTuesday10am);
  AuditLog log(**store, real, business, nullptr);
  ASSERT_TRUE(log.Start().ok());
  ASSERT_TRUE(AppendAndWait(log, Read("sw-key", {"FD-1"})).ok());
  auto rows = (*store)->AuditOfContact("FD-1");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].seq(), 1u);
  EXPECT_EQ(FromProto((*rows)[0].at()), kTuesday10am + std::chrono::hours(5));
  EXPECT_EQ(FromProto((*rows)[0].clock_at()), kTuesday10am);
  EXPECT_EQ((*rows)[0].actor().id(), "sw-key");
  EXPECT_EQ((*rows)[0].peer(), "127.0.0.1");
  EXPECT_EQ(log.rows_written(), 1u);
}

TEST(AuditLog, RowsQueuedTogetherShareOneSyncedWrite) {
  TempDir dir;
  auto store = Store::Open(dir.path() / "db");
  ASSERT_TRUE(store.ok());
  ManualClock clock(kTuesday10am);
  AuditLog log(**store, clock, clock, nullptr);
  // Queued before the writer starts: exactly what piles up while a write
  // syncs. All of them go in the first batch.
  std::atomic<int> acknowledged{0};
  absl::Notification all;
  constexpr int kReads = 50;
  for (int i = 0; i < kReads; ++i) {
    log.Append(Read("sw-key", {absl::StrCat("FD-", i)}), [&](absl::Status s) {
      EXPECT_TRUE(s.ok()) << s;
      if (++acknowledged == kReads) all.Notify();
    });
  }
  ASSERT_TRUE(log.Start().ok());
  all.WaitForNotification();
  EXPECT_EQ(log.batches_written(), 1u);
  EXPECT_EQ(log.rows_written(), static_cast<uint64_t>(kReads));

  // Many threads at once: fewer synced writes than reads.
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&log, t] {
      const std::string actor = absl::StrCat("k", t);
      for (int i = 0; i < 20; ++i) {
        EXPECT_TRUE(AppendAndWait(log, Read(actor, {"FD-x"})).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(log.rows_written(), static_cast<uint64_t>(kReads + 160));
  EXPECT_LE(log.batches_written(), 1u + 160u);
}

TEST(AuditLog, NumbersKeepRisingAfterARestart) {
  TempDir dir;
  ManualClock clock(kTuesday10am);
  {
    auto store = Store::Open(dir.path() / "db");
    ASSERT_TRUE(store.ok());
    AuditLog log(**store, clock, clock, nullptr);
    ASSERT_TRUE(log.Start().ok());
    ASSERT_TRUE(AppendAndWait(log, Read("a", {"FD-1"})).ok());
    ASSERT_TRUE(AppendAndWait(log, Read("a", {"FD-1"})).ok());
  }
  auto store = Store::Open(dir.path() / "db");
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(*(*store)->LastAuditSeq(), 2u);
  AuditLog log(**store, clock, clock, nullptr);
  ASSERT_TRUE(log.Start().ok());
  ASSERT_TRUE(AppendAndWait(log, Read("a", {"FD-1"})).ok());
  EXPECT_THAT(Seqs(*(*store)->AuditOfContact("FD-1")), ElementsAre(1, 2, 3));
}

TEST(AuditLog, IndexesGiveRowsOldestFirstAndActorsByTime) {
  TempDir dir;
  auto store = Store::Open(dir.path() / "db");
  ASSERT_TRUE(store.ok());
  ManualClock clock(kTuesday10am);
  AuditLog log(**store, clock, clock, nullptr);
  ASSERT_TRUE(log.Start().ok());
  const auto h = std::chrono::hours(1);
  ASSERT_TRUE(AppendAndWait(log, Read("sam", {"FD-1", "FD-2"})).ok());  // 1, 10:00
  clock.Set(kTuesday10am + h);
  ASSERT_TRUE(AppendAndWait(log, Read("alex", {"FD-2"})).ok());  // 2, 11:00
  clock.Set(kTuesday10am + 2 * h);
  ASSERT_TRUE(AppendAndWait(log, Read("sam", {"FD-3"})).ok());  // 3, 12:00
  clock.Set(kTuesday10am + 3 * h);
  ASSERT_TRUE(AppendAndWait(log, Read("sam", {"FD-1"})).ok());  // 4, 13:00

  EXPECT_THAT(Seqs(*(*store)->AuditOfContact("FD-1")), ElementsAre(1, 4));
  EXPECT_THAT(Seqs(*(*store)->AuditOfContact("FD-2")), ElementsAre(1, 2));
  EXPECT_TRUE((*store)->AuditOfContact("FD-9")->empty());
  // A contact id that is a prefix of another's is not mixed up with it.
  EXPECT_TRUE((*store)->AuditOfContact("FD-")->empty());

  TimePoint never = TimePoint::max();
  EXPECT_THAT(Seqs(*(*store)->AuditOfActor("sam", TimePoint{}, never, 10, nullptr)),
              ElementsAre(1, 3, 4));
  // [11:00, 13:00): only the 12:00 read.
  EXPECT_THAT(
      Seqs(*(*store)->AuditOfActor("sam", kTuesday10am + h, kTuesday10am + 3 * h, 10, nullptr)),
      ElementsAre(3));
  EXPECT_THAT(Seqs(*(*store)->AuditOfActor("sa", TimePoint{}, never, 10, nullptr)), ElementsAre());
  // Paged: two, then from after the second.
  auto page = (*store)->AuditOfActor("sam", TimePoint{}, never, 2, nullptr);
  EXPECT_THAT(Seqs(*page), ElementsAre(1, 3));
  auto after = ParseAuditPageToken(AuditPageToken(page->back()));
  ASSERT_TRUE(after.has_value());
  EXPECT_THAT(Seqs(*(*store)->AuditOfActor("sam", TimePoint{}, never, 2, &*after)), ElementsAre(4));
  EXPECT_FALSE(ParseAuditPageToken("nonsense").has_value());
  EXPECT_FALSE(ParseAuditPageToken("12:").has_value());
}

TEST(AuditLog, AContactsAuditMergesReadsWithChangesByTime) {
  TempDir dir;
  auto store = Store::Open(dir.path() / "db");
  ASSERT_TRUE(store.ok());
  const auto m = std::chrono::minutes(1);
  auto batch = (*store)->NewBatch();
  v1::Event received;
  received.set_contact_id("FD-1");
  received.set_seq(1);
  received.set_type(v1::EventType::CONTACT_RECEIVED);
  received.set_actor("police-key");
  *received.mutable_at() = ToProto(kTuesday10am);
  batch.PutEvent(received);
  v1::Event decided;
  decided.set_contact_id("FD-1");
  decided.set_seq(2);
  decided.set_type(v1::EventType::DECISION_RECORDED);
  decided.set_actor("sub-123");
  decided.mutable_caused_by()->set_kind(v1::Actor::PERSON);
  decided.mutable_caused_by()->set_id("sub-123");
  decided.mutable_caused_by()->set_name("Sam Patel");
  *decided.mutable_at() = ToProto(kTuesday10am + 10 * m);
  batch.PutEvent(decided);
  ASSERT_TRUE((*store)->Commit(batch).ok());

  ManualClock real(kTuesday10am + std::chrono::hours(100));
  ManualClock business(kTuesday10am + 5 * m);
  AuditLog log(**store, real, business, nullptr);
  ASSERT_TRUE(log.Start().ok());
  ASSERT_TRUE(AppendAndWait(log, Read("triage-key", {"FD-1"})).ok());
  business.Set(kTuesday10am + 10 * m);  // the same time as the decision
  ASSERT_TRUE(AppendAndWait(log, Read("triage-key", {"FD-1"})).ok());

  auto audit = ReadContactAudit(**store, "FD-1");
  ASSERT_TRUE(audit.ok()) << audit.status();
  std::vector<std::string> lines;
  for (const auto& e : audit->entries()) {
    lines.push_back(v1::ContactAuditEntry::Kind_Name(e.kind()) + " " + e.actor().name());
  }
  EXPECT_THAT(lines, ElementsAre("CHANGE police-key", "READ triage-key", "CHANGE Sam Patel",
                                 "READ triage-key"));
}

TEST(AuditLog, AStoreMadeBeforeTheAuditFamilyOpensAndTakesRows) {
  TempDir dir;
  const std::string path = (dir.path() / "db").string();
  {
    // The families of a store from before the read audit.
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name :
         {"default", "contacts", "events", "timers", "outbox", "idempotency", "worklist",
          "breaches", "received", "policies", "people", "open_cases"}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, path, families, &handles, &db).ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  auto store = Store::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(*(*store)->LastAuditSeq(), 0u);
  ManualClock clock(kTuesday10am);
  AuditLog log(**store, clock, clock, nullptr);
  ASSERT_TRUE(log.Start().ok());
  ASSERT_TRUE(AppendAndWait(log, Read("a", {"FD-1"})).ok());
  EXPECT_THAT(Seqs(*(*store)->AuditOfContact("FD-1")), ElementsAre(1));
}

TEST(AuditLog, AWriteTheStoreRefusesFailsItsRows) {
  TempDir dir;
  auto primary = Store::Open(dir.path() / "db");
  ASSERT_TRUE(primary.ok());
  // A read-only (secondary) store refuses every write.
  StoreOptions read_only;
  read_only.read_only = true;
  auto store = Store::Open(dir.path() / "db", read_only);
  ASSERT_TRUE(store.ok()) << store.status();
  ManualClock clock(kTuesday10am);
  AuditLog log(**store, clock, clock, nullptr);
  ASSERT_TRUE(log.Start().ok());
  EXPECT_FALSE(AppendAndWait(log, Read("a", {"FD-1"})).ok());
  EXPECT_EQ(log.rows_written(), 0u);
}

TEST(AuditLog, AfterStopAppendsAreRefused) {
  TempDir dir;
  auto store = Store::Open(dir.path() / "db");
  ASSERT_TRUE(store.ok());
  ManualClock clock(kTuesday10am);
  AuditLog log(**store, clock, clock, nullptr);
  ASSERT_TRUE(log.Start().ok());
  log.Stop();
  EXPECT_EQ(AppendAndWait(log, Read("a", {"FD-1"})).code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace frontdoor
