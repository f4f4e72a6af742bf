// Backups of a data dir: `frontdoor backup create/verify/restore`. A backup
// is taken online, while a server runs on the data dir: RocksDB lets only
// one process open a store for writing, so the backup opens it as a
// secondary instance (no lock), catches up with the server's WAL, and copies
// every column family's records as of that one point into a fresh RocksDB
// store in DIR/store, then records how many records each family held in
// DIR/frontdoor-backup.txt. The spool folder (letters waiting to be sent) is
// copied alongside as DIR/spool. Verify re-reads the copy with its block
// checksums and compares the counts; restore copies it into an empty data dir.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace frontdoor {

struct BackupSummary {
  // Records per column family.
  std::map<std::string, uint64_t> records;
  uint64_t total() const {
    uint64_t n = 0;
    for (const auto& [_, count] : records) n += count;
    return n;
  }
};

// Errors: FailedPrecondition when `dir` exists and is not empty;
// Unavailable/DataLoss with RocksDB's message. A failed backup removes what
// it wrote.
absl::StatusOr<BackupSummary> CreateBackup(const std::filesystem::path& data_dir,
                                           const std::filesystem::path& dir);
// DataLoss when a checksum or a count does not match; NotFound when `dir`
// holds no backup.
absl::StatusOr<BackupSummary> VerifyBackup(const std::filesystem::path& dir);
// What a restore did about contact numbers: the backup holds contacts
// numbered up to `in_backup`; new ones start at `next`. Numbers in between
// may already be in letters sent after the backup was taken, so a restore
// skips them rather than hand an id out twice.
struct RestoredNumbers {
  uint64_t in_backup = 0;
  uint64_t next = 1;
};

// Verifies the backup, then copies it into `data_dir`, which must be empty
// or absent (FailedPrecondition otherwise), and marks the first
// `skip_contact_numbers` numbers after the backup's as issued.
absl::StatusOr<BackupSummary> RestoreBackup(const std::filesystem::path& dir,
                                            const std::filesystem::path& data_dir,
                                            uint64_t skip_contact_numbers,
                                            RestoredNumbers* numbers = nullptr);

}  // namespace frontdoor
