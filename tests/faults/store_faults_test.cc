// The store when its files fail: a failed WAL sync, write or flush, and a
// full disk (the fault file system, and a real 48 MB tmpfs where mounting
// is allowed) refuse the commit and acknowledge nothing, reads keep working
// and writes resume without a restart once the fault clears; a restart on a
// full disk releases the store's reserve so that reads are still audited; a
// store cut short, or written by a newer frontdoor, is refused with a
// message naming what is wrong, and an older one is backed up, then
// upgraded.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

#include "engine/backup.h"
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
  EXPECT_FALSE((*store)->writing());

  fs->Set(Fault::kNone);
  EXPECT_TRUE((*store)->ResumeWrites().ok());  // what /readyz asks
  EXPECT_TRUE((*store)->writing());
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
  EXPECT_FALSE((*store)->writing());
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
  options.reserve_bytes = 0;  // RocksDB itself on the full disk
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

absl::Status Audit(Store& store, uint64_t seq) {
  v1::AuditRecord row;
  row.set_seq(seq);
  row.set_what(v1::AuditRead::CONTACT);
  row.set_method("GET");
  row.set_path("/v1/contacts/FD-00000001");
  row.add_contact_ids("FD-00000001");
  return store.AppendAudit({row});
}

// A real tmpfs of 96 MB with the default 32 MiB reserve: the disk fills,
// the reserve is released, the read audit goes on while contacts are
// refused; grown, the disk takes contacts again and the reserve back. A
// restart on the full disk releases the reserve again (no read-only store).
TEST(StoreFaults, AFullDiskReleasesTheReserveSoThatReadsAreStillAudited) {
  TempDir dir;
  const auto disk = dir.path() / "small";
  std::filesystem::create_directories(disk);
  ASSERT_EQ(::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=96m"), 0)
      << "needs root to mount a tmpfs: " << std::strerror(errno);
  const auto reserve = disk / "db" / Store::kReserveFile;
  uint64_t n = 0;
  {
    auto store = Store::Open(disk / "db");
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_TRUE(std::filesystem::exists(reserve));
    absl::Status last;
    while ((last = PutContact(**store, ++n, 64 << 10)).ok()) {
    }
    --n;  // the refused one
    EXPECT_EQ(last.code(), absl::StatusCode::kUnavailable) << last;
    EXPECT_FALSE(std::filesystem::exists(reserve));
    EXPECT_FALSE((*store)->writing());
    for (uint64_t seq = 1; seq <= 100; ++seq) {
      absl::Status audited = Audit(**store, seq);
      ASSERT_TRUE(audited.ok()) << seq << ": " << audited;
    }
    EXPECT_EQ(PutContact(**store, n + 1, 64 << 10).code(), absl::StatusCode::kUnavailable);
    EXPECT_TRUE(Has(**store, n));
  }
  {
    // Restarted on a disk too full to take the reserve back (a filler
    // leaves 40 MB): the store opens, refuses contacts until the reserve
    // can be taken back, audits go on.
    struct statvfs vfs {};
    ASSERT_EQ(::statvfs(disk.c_str(), &vfs), 0);
    const uint64_t free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    if (free_bytes > (40u << 20)) {
      const int fd = ::open((disk / "filler").c_str(), O_WRONLY | O_CREAT, 0600);
      ASSERT_GE(fd, 0);
      ASSERT_EQ(::posix_fallocate(fd, 0, static_cast<off_t>(free_bytes - (40u << 20))), 0);
      ::close(fd);
    }
    auto store = Store::Open(disk / "db");
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_FALSE((*store)->writes_refused());
    EXPECT_FALSE((*store)->writing());
    EXPECT_TRUE(Has(**store, n));
    EXPECT_EQ(PutContact(**store, n + 1, 64 << 10).code(), absl::StatusCode::kUnavailable);
    absl::Status audited = Audit(**store, 101);
    EXPECT_TRUE(audited.ok()) << audited;
    ASSERT_EQ(::mount("tmpfs", disk.c_str(), "tmpfs", MS_REMOUNT, "size=512m"), 0);
    absl::Status resumed = (*store)->ResumeWrites();
    EXPECT_TRUE(resumed.ok()) << resumed;
    EXPECT_TRUE((*store)->writing());
    EXPECT_TRUE(std::filesystem::exists(reserve));
    ASSERT_TRUE(PutContact(**store, n + 1, 64 << 10).ok());
  }
  ::umount2(disk.c_str(), MNT_DETACH);
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

  set_format(nullptr);  // stores written before the marker carry none
  auto older = Store::Open(dir.path() / "db");
  ASSERT_TRUE(older.ok()) << older.status();
  older->reset();
  // Empty: upgraded without a backup.
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "db" / Store::kUpgradeBackups));
  {
    auto store = Store::Open(dir.path() / "db");
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE(PutContact(**store, 1).ok());
  }
  set_format(nullptr);
  older = Store::Open(dir.path() / "db");
  ASSERT_TRUE(older.ok()) << older.status();
  EXPECT_TRUE(Has(**older, 1));
  older->reset();
  // Holding contacts: backed up first, and the backup verifies.
  auto backup = VerifyBackup(dir.path() / "db" / Store::kUpgradeBackups / "format-1");
  ASSERT_TRUE(backup.ok()) << backup.status();
  EXPECT_EQ(backup->records.at("contacts"), 1u);
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
