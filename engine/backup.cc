// The backup copy: a secondary instance of the live store caught up once
// and read as of that point, written family by family into a new store, flushed so
// that every record sits in a checksummed table file.
#include "engine/backup.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "engine/store.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace frontdoor {

namespace {

namespace fs = std::filesystem;

constexpr char kSummaryFile[] = "frontdoor-backup.txt";
constexpr size_t kBatchRecords = 4096;

absl::Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = what + ": " + s.ToString();
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsNotFound()) return absl::NotFoundError(message);
  return absl::UnavailableError(message);
}

bool EmptyOrAbsent(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return true;
  return fs::is_directory(dir, ec) && fs::is_empty(dir, ec);
}

// A RocksDB database opened with its families; closed on destruction.
struct OpenDb {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<std::string> names;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  ~OpenDb() {
    if (!db) return;
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    db->Close();
  }
};

std::vector<rocksdb::ColumnFamilyDescriptor> Descriptors(const std::vector<std::string>& names) {
  std::vector<rocksdb::ColumnFamilyDescriptor> out;
  for (const auto& name : names) out.emplace_back(name, rocksdb::ColumnFamilyOptions());
  return out;
}

absl::StatusOr<BackupSummary> ReadSummary(const fs::path& dir) {
  std::ifstream in(dir / kSummaryFile);
  if (!in) return absl::NotFoundError("no backup in " + dir.string() + " (no " + kSummaryFile + ")");
  BackupSummary summary;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string family;
    uint64_t count = 0;
    if (!(words >> family >> count)) {
      return absl::DataLossError(std::string(kSummaryFile) + " line " + std::to_string(number) +
                                 ": expected <family> <records>");
    }
    summary.records[family] = count;
  }
  return summary;
}

absl::Status CopyStore(const fs::path& data_dir, const fs::path& out, BackupSummary& summary) {
  std::vector<std::string> names;
  rocksdb::DBOptions db_options;
  if (auto s = rocksdb::DB::ListColumnFamilies(db_options, data_dir.string(), &names); !s.ok())
    return FromRocks(s, "reading the store in " + data_dir.string());

  char folder[] = "/tmp/frontdoor-backup-XXXXXX";
  if (::mkdtemp(folder) == nullptr) return absl::UnavailableError("cannot make a temp folder");
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{folder};

  OpenDb source;
  source.names = names;
  db_options.max_open_files = -1;  // keeps table files the server compacts away readable
  db_options.info_log_level = rocksdb::WARN_LEVEL;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::OpenAsSecondary(db_options, data_dir.string(), folder, Descriptors(names),
                                        &source.handles, &raw);
  if (!s.ok()) return FromRocks(s, "opening the store in " + data_dir.string());
  source.db.reset(raw);
  if (s = source.db->TryCatchUpWithPrimary(); !s.ok())
    return FromRocks(s, "catching up with the server's store");

  rocksdb::DBOptions out_options;
  out_options.create_if_missing = true;
  out_options.create_missing_column_families = true;
  out_options.info_log_level = rocksdb::WARN_LEVEL;
  OpenDb target;
  target.names = names;
  raw = nullptr;
  s = rocksdb::DB::Open(out_options, out.string(), Descriptors(names), &target.handles, &raw);
  if (!s.ok()) return FromRocks(s, "creating the backup store in " + out.string());
  target.db.reset(raw);

  // A secondary instance has no snapshots, but its view only moves on
  // TryCatchUpWithPrimary: every family is read as of that one catch-up,
  // which replays whole WAL records, so whole batches.
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  rocksdb::WriteOptions write;
  write.disableWAL = true;  // flushed below
  absl::Status status;
  for (size_t i = 0; i < names.size() && status.ok(); ++i) {
    std::unique_ptr<rocksdb::Iterator> it(source.db->NewIterator(read, source.handles[i]));
    rocksdb::WriteBatch batch;
    uint64_t count = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      batch.Put(target.handles[i], it->key(), it->value());
      ++count;
      if (batch.Count() >= kBatchRecords) {
        status = FromRocks(target.db->Write(write, &batch), "writing the backup");
        if (!status.ok()) break;
        batch.Clear();
      }
    }
    if (status.ok()) status = FromRocks(it->status(), "reading family " + names[i]);
    if (status.ok() && batch.Count() > 0)
      status = FromRocks(target.db->Write(write, &batch), "writing the backup");
    summary.records[names[i]] = count;
  }
  if (!status.ok()) return status;
  return FromRocks(target.db->Flush(rocksdb::FlushOptions(), target.handles),
                   "flushing the backup");
}

absl::Status CopyFolder(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (!fs::exists(from, ec)) return absl::OkStatus();
  fs::copy(from, to, fs::copy_options::recursive, ec);
  if (ec) return absl::UnavailableError("copying " + from.string() + ": " + ec.message());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BackupSummary> CreateBackup(const fs::path& data_dir, const fs::path& dir) {
  if (!EmptyOrAbsent(dir))
    return absl::FailedPreconditionError("backup folder " + dir.string() + " is not empty");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::UnavailableError("cannot create " + dir.string() + ": " + ec.message());
  BackupSummary summary;
  absl::Status status = CopyStore(data_dir, dir / "store", summary);
  if (status.ok()) status = CopyFolder(data_dir / "spool", dir / "spool");
  if (status.ok()) {
    std::ofstream out(dir / kSummaryFile);
    out << "# frontdoor backup: records per column family\n";
    for (const auto& [family, count] : summary.records) out << family << ' ' << count << '\n';
    out.close();
    if (!out) status = absl::UnavailableError("cannot write " + (dir / kSummaryFile).string());
  }
  if (!status.ok()) {
    for (const auto& entry : fs::directory_iterator(dir, ec)) fs::remove_all(entry.path(), ec);
    return status;
  }
  return summary;
}

absl::StatusOr<BackupSummary> VerifyBackup(const fs::path& dir) {
  auto expected = ReadSummary(dir);
  if (!expected.ok()) return expected.status();
  fs::path store = dir / "store";
  std::vector<std::string> names;
  rocksdb::DBOptions options;
  if (auto s = rocksdb::DB::ListColumnFamilies(options, store.string(), &names); !s.ok())
    return FromRocks(s, "reading the backup store in " + store.string());
  OpenDb db;
  db.names = names;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::OpenForReadOnly(options, store.string(), Descriptors(names), &db.handles,
                                        &raw);
  if (!s.ok()) return FromRocks(s, "opening the backup store");
  db.db.reset(raw);
  if (s = db.db->VerifyChecksum(); !s.ok()) return FromRocks(s, "checking the backup's checksums");
  BackupSummary found;
  for (size_t i = 0; i < names.size(); ++i) {
    std::unique_ptr<rocksdb::Iterator> it(db.db->NewIterator(rocksdb::ReadOptions(), db.handles[i]));
    uint64_t count = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
    if (!it->status().ok()) return FromRocks(it->status(), "reading family " + names[i]);
    found.records[names[i]] = count;
  }
  if (found.records != expected->records) {
    return absl::DataLossError("the backup's records do not match " + std::string(kSummaryFile));
  }
  return found;
}

absl::StatusOr<BackupSummary> RestoreBackup(const fs::path& dir, const fs::path& data_dir,
                                            uint64_t skip_contact_numbers,
                                            RestoredNumbers* numbers) {
  if (!EmptyOrAbsent(data_dir)) {
    return absl::FailedPreconditionError("data dir " + data_dir.string() +
                                         " is not empty: restore only into an empty one");
  }
  auto summary = VerifyBackup(dir);
  if (!summary.ok()) return summary.status();
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) return absl::UnavailableError("cannot create " + data_dir.string() + ": " + ec.message());
  absl::Status status = CopyFolder(dir / "store", data_dir);
  if (status.ok()) status = CopyFolder(dir / "spool", data_dir / "spool");
  if (status.ok()) {
    // The contact-id mark (Store::kContactIdsFile) of the restored store.
    auto store = Store::Open(data_dir);
    absl::StatusOr<uint64_t> counter =
        store.ok() ? (*store)->GetCounter("contact") : absl::StatusOr<uint64_t>(store.status());
    if (counter.ok()) status = (*store)->ReserveContactNumbers(*counter + skip_contact_numbers);
    else status = counter.status();
    if (status.ok() && numbers != nullptr) {
      numbers->in_backup = *counter;
      numbers->next = (*store)->ContactNumbersReserved() + 1;
    }
  }
  if (!status.ok()) {
    for (const auto& entry : fs::directory_iterator(data_dir, ec)) fs::remove_all(entry.path(), ec);
    return status;
  }
  return summary;
}

}  // namespace frontdoor
