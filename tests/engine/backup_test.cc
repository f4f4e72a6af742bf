// Backups taken while a store is open for writing (as a running server
// holds it), verified, restored into an empty data dir and opened again:
// every contact, timer and undelivered letter is there, and contact numbers
// issued after the backup are skipped; a changed backup fails
// verification; a non-empty target is refused.
#include "engine/backup.h"

#include <fstream>

#include <gtest/gtest.h>

#include "engine/store.h"
#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using testing::kTuesday10am;
using testing::TempDir;

void Fill(Store& store, int contacts) {
  auto batch = store.NewBatch();
  for (int i = 0; i < contacts; ++i) {
    v1::ContactRecord record;
    record.mutable_contact()->set_id("FD-" + std::to_string(i));
    batch.PutContact(record);
    v1::Timer timer;
    timer.set_contact_id(record.contact().id());
    timer.set_name("decision");
    *timer.mutable_due_at() = ToProto(kTuesday10am + std::chrono::hours(i + 1));
    batch.PutTimer(timer);
  }
  batch.PutCounter("contact", static_cast<uint64_t>(contacts));
  ASSERT_TRUE(store.Commit(batch).ok());
  v1::LetterDelivery letter;
  letter.set_letter_id("L-1");
  letter.set_contact_id("FD-0");
  *letter.mutable_issued_at() = ToProto(kTuesday10am);
  letter.set_state(v1::LetterDeliveryState::QUEUED);
  ASSERT_TRUE(store.PutLetterDelivery(letter, nullptr).ok());
}

TEST(Backup, TakenWhileTheStoreIsOpenRestoresEveryContactTimerAndLetter) {
  TempDir dir;
  auto live = Store::Open(dir.path() / "data");
  ASSERT_TRUE(live.ok()) << live.status();
  Fill(**live, 50);
  std::filesystem::create_directories(dir.path() / "data/spool");
  std::ofstream(dir.path() / "data/spool/letter.eml") << "synthetic";

  // The live store stays open (locked) throughout, as under a server.
  auto made = CreateBackup(dir.path() / "data", dir.path() / "backup");
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(made->records.at("contacts"), 50u);
  EXPECT_EQ(made->records.at("timers"), 50u);
  // Written after the backup: not in it.
  v1::ContactRecord late;
  late.mutable_contact()->set_id("FD-late");
  auto batch = (*live)->NewBatch();
  batch.PutContact(late);
  ASSERT_TRUE((*live)->Commit(batch).ok());

  auto verified = VerifyBackup(dir.path() / "backup");
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->records, made->records);

  RestoredNumbers numbers;
  auto restored = RestoreBackup(dir.path() / "backup", dir.path() / "new", 1000, &numbers);
  ASSERT_TRUE(restored.ok()) << restored.status();
  // Contacts numbered after the backup (FD-late) may be in letters: the
  // restored store never hands those numbers out again.
  EXPECT_EQ(numbers.in_backup, 50u);
  EXPECT_GT(numbers.next, 50u + 1000u);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "new/spool/letter.eml"));
  auto copy = Store::Open(dir.path() / "new");
  ASSERT_TRUE(copy.ok()) << copy.status();
  for (int i = 0; i < 50; ++i) {
    auto got = (*copy)->GetContact("FD-" + std::to_string(i));
    ASSERT_TRUE(got.ok() && got->has_value()) << i;
  }
  EXPECT_FALSE((*copy)->GetContact("FD-late")->has_value());
  EXPECT_EQ((*copy)->ContactNumbersReserved() + 1, numbers.next);
  EXPECT_EQ((*copy)->DueTimers(TimePoint{}, kTuesday10am + std::chrono::hours(100), 100)->size(),
            50u);
  auto letter = (*copy)->GetLetterDelivery("L-1");
  ASSERT_TRUE(letter.ok() && letter->has_value());
  EXPECT_EQ((*letter)->state(), v1::LetterDeliveryState::QUEUED);
}

TEST(Backup, RestoreRefusesANonEmptyDataDir) {
  TempDir dir;
  {
    auto live = Store::Open(dir.path() / "data");
    ASSERT_TRUE(live.ok());
    Fill(**live, 3);
  }
  { auto made = CreateBackup(dir.path() / "data", dir.path() / "backup"); ASSERT_TRUE(made.ok()) << made.status(); }
  auto refused = RestoreBackup(dir.path() / "backup", dir.path() / "data", 0);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  auto again = CreateBackup(dir.path() / "data", dir.path() / "backup");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(Backup, VerifyFindsACountThatDoesNotMatch) {
  TempDir dir;
  {
    auto live = Store::Open(dir.path() / "data");
    ASSERT_TRUE(live.ok());
    Fill(**live, 3);
  }
  { auto made = CreateBackup(dir.path() / "data", dir.path() / "backup"); ASSERT_TRUE(made.ok()) << made.status(); }
  std::ofstream(dir.path() / "backup/frontdoor-backup.txt", std::ios::app) << "contacts 4\n";
  EXPECT_EQ(VerifyBackup(dir.path() / "backup").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(VerifyBackup(dir.path() / "nothing").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace frontdoor
