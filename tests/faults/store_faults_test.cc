// The store when its files fail: a failed WAL sync, write or flush, and a
// full disk (the fault file system, and a real 48 MB tmpfs where mounting
// is allowed) refuse the commit and acknowledge nothing, reads keep working
// and writes resume without a restart once the fault clears; a restart on a
// full disk opens read-only; a store cut short, or written by a newer
// frontdoor, is refused with a message naming what is wrong.
#include <sys/mount.h>

#include <gtest/gtest.h>

#include <fstream>

#include "engine/store.h"
#include "rocksdb/db.h"
#include "tests/support/fault_fs.h"
#include "tests/support/temp_dir.h"

namespace frontdoor {
namespace {

using testing::Fault;
using testing::FaultFileSystem;
using testing::TempDir;

absl::Status PutContact(Store& store, uint64_t number, size_t padding = 0) {
  v1::ContactRecord record;
  char id[32];
  std::snprintf(id, sizeof id, "FD-%08llu", static_cast<unsigned long long>(number));
  record.mutable_contact()->set_id(id);
  record.mutable_contact()->set_narrative(std::string(padding, 'x'));
  auto batch = store.NewBatch();
  batch.PutContact(record);
  batch.PutCounter("contact", number);
  if (absl::Status s = store.ReserveContactNumbers(number); !s.ok()) return s;
  absl::Status s = store.Commit(batch);
  if (s.ok()) store.NoteContactsCommitted(number);
  return s;
}

bool Has(const Store& store, uint64_t number) {
  char id[32];
  std::snprintf(id, sizeof id, "FD-%08llu", static_cast<unsigned long long>(number));
  auto got = store.GetContact(id);
  return got.ok() && got->has_value();
}

class StoreFaults : public ::testing::TestWithParam<Fault> {};

TEST_P(StoreFaults, AFailedCommitStoresNothingReadsWorkAndWritesResumeWhenItClears) {
  TempDir dir;
  auto fs = std::make_shared<FaultFileSystem>();
  StoreOptions options;
  options.env = testing::FaultEnv(fs);
  auto store = Store::Open(dir.path() / "db", options);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE(PutContact(**store, 1).ok());

  fs->Set(GetParam());
  absl::Status failed = PutContact(**store, 2);
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
  EXPECT_FALSE(Has(**store, 2));
  EXPECT_GT(fs->failures(), 0);
  EXPECT_TRUE(Has(**store, 1));  // reads keep working

  fs->Set(Fault::kNone);
  absl::Status resumed = PutContact(**store, 3);
  EXPECT_TRUE(resumed.ok()) << resumed;
  EXPECT_TRUE(Has(**store, 3));
  store->reset();
  auto reopened = Store::Open(dir.path() / "db", options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE(Has(**reopened, 1));
  EXPECT_TRUE(Has(**reopened, 3));
}

INSTANTIATE_TEST_SUITE_P(Faults, StoreFaults,
                         ::testing::Values(Fault::kWalSync, Fault::kWrite, Fault::kDiskFull));

TEST(StoreFaults, ARestartOnAFullDiskServesReadsAndRefusesWrites) {
  TempDir dir;
  auto fs = std::make_shared<FaultFileSystem>();
  StoreOptions options;
  options.env = testing::FaultEnv(fs);
  {
    auto store = Store::Open(dir.path() / "db", options);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE(PutContact(**store, 1).ok());
  }
  fs->Set(Fault::kDiskFull);
  auto store = Store::Open(dir.path() / "db", options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->writes_refused());
  EXPECT_TRUE(Has(**store, 1));
  EXPECT_EQ(PutContact(**store, 2).code(), absl::StatusCode::kUnavailable);
}

// A real small file system: tmpfs of 48 MB (the machine runs the suite as
// root); where mounting is not allowed, the fault file system plays the
// full disk in the same test.
TEST(StoreFaults, ARealFullDiskRefusesWritesAndKeepsEveryAcknowledgedContact) {
  TempDir dir;
  const auto mount_point = dir.path() / "small";
  std::filesystem::create_directories(mount_point);
  const bool mounted =
      ::mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=48m") == 0;
  ::testing::Test::RecordProperty("disk", mounted ? "tmpfs 48m" : "fault file system");
  std::printf("full disk on %s\n", mounted ? "a real tmpfs of 48 MB" : "the fault file system");
  auto fs = std::make_shared<FaultFileSystem>();
  StoreOptions options;
  if (!mounted) options.env = testing::FaultEnv(fs);
  std::vector<uint64_t> acknowledged;
  {
    auto store = Store::Open(mount_point / "db", options);
    ASSERT_TRUE(store.ok()) << store.status();
    absl::Status last;
    for (uint64_t n = 1; n < 100000; ++n) {
      if (!mounted && n == 500) fs->Set(Fault::kDiskFull);
      last = PutContact(**store, n, 64 << 10);
      if (!last.ok()) break;
      acknowledged.push_back(n);
    }
    ASSERT_FALSE(last.ok());
    std::printf("%zu contacts acknowledged before: %s\n", acknowledged.size(),
                std::string(last.message()).c_str());
    EXPECT_EQ(last.code(), absl::StatusCode::kUnavailable) << last;
    EXPECT_TRUE(Has(**store, acknowledged.back()));  // reads keep working
    // Space comes back: writes resume without a restart.
    if (mounted) {
      ASSERT_EQ(::mount("tmpfs", mount_point.c_str(), "tmpfs", MS_REMOUNT, "size=256m"), 0);
    } else {
      fs->Set(Fault::kNone);
    }
    absl::Status resumed;
    for (int attempt = 0; attempt < 50; ++attempt) {
      resumed = PutContact(**store, acknowledged.back() + 1, 64 << 10);
      if (resumed.ok()) break;
    }
    ASSERT_TRUE(resumed.ok()) << resumed;
    acknowledged.push_back(acknowledged.back() + 1);
  }
  auto reopened = Store::Open(mount_point / "db", options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  for (uint64_t n : acknowledged) ASSERT_TRUE(Has(**reopened, n)) << n;
  reopened->reset();
  if (mounted) ::umount2(mount_point.c_str(), MNT_DETACH);
}

TEST(StoreChecks, AStoreMissingAcknowledgedContactsIsRefusedNamingWhy) {
  TempDir dir;
  {
    auto store = Store::Open(dir.path() / "db");
    ASSERT_TRUE(store.ok()) << store.status();
    for (uint64_t n = 1; n <= 500; ++n) ASSERT_TRUE(PutContact(**store, n).ok());
  }
  // The MANIFEST and WAL lost (a store made anew in their place): only the
  // contact-id mark remembers.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "db")) {
    if (entry.path().filename() != Store::kContactIdsFile) std::filesystem::remove(entry.path());
  }
  auto store = Store::Open(dir.path() / "db");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(store.status().message().find("missing acknowledged contacts"), std::string::npos)
      << store.status();
}

TEST(StoreChecks, AWalCutInHalfNeverHandsAnIdOutAgain) {
  TempDir dir;
  {
    auto store = Store::Open(dir.path() / "db");
    ASSERT_TRUE(store.ok()) << store.status();
    for (uint64_t n = 1; n <= 500; ++n) ASSERT_TRUE(PutContact(**store, n).ok());
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "db")) {
    if (entry.path().extension() == ".log") {
      std::filesystem::resize_file(entry.path(), std::filesystem::file_size(entry.path()) / 2);
    }
  }
  auto store = Store::Open(dir.path() / "db");
  if (!store.ok()) {
    // Refused: the message names what is wrong.
    EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
    return;
  }
  // Started (what was lost was within one block): the next number is past
  // every number issued.
  EXPECT_GE((*store)->ContactNumbersReserved(), 500u);
}

TEST(StoreChecks, AStoreOfANewerFormatIsRefusedAndAnOlderOneUpgraded) {
  TempDir dir;
  { ASSERT_TRUE(Store::Open(dir.path() / "db").ok()); }
  auto set_format = [&](const char* value) {
    rocksdb::DB* db = nullptr;
    rocksdb::Options o;
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(o, (dir.path() / "db").string(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    ASSERT_TRUE(rocksdb::DB::Open(o, (dir.path() / "db").string(), families, &handles, &db).ok());
    if (value == nullptr) {
      ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), "format/store").ok());
    } else {
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "format/store", value).ok());
    }
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  };
  set_format("3");
  auto newer = Store::Open(dir.path() / "db");
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(newer.status().message().find("newer frontdoor"), std::string::npos);

  set_format(nullptr);  // today's stores carry no marker
  auto older = Store::Open(dir.path() / "db");
  ASSERT_TRUE(older.ok()) << older.status();
  older->reset();
  rocksdb::DB* db = nullptr;
  std::vector<std::string> names;
  rocksdb::Options o;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(o, (dir.path() / "db").string(), &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  ASSERT_TRUE(
      rocksdb::DB::OpenForReadOnly(o, (dir.path() / "db").string(), families, &handles, &db).ok());
  std::string value;
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), "format/store", &value).ok());
  EXPECT_EQ(value, std::to_string(kStoreFormat));
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
}

}  // namespace
}  // namespace frontdoor
