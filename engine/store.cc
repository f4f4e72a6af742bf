// RocksDB behind the Store: column families, key encoding and the options
// that matter for a synced, write-mostly workload with ordered timer keys.
// RocksDB errors are converted to absl::Status here and nowhere else.
// One file past the house's ~500 lines on purpose: the key encodings, the
// column family options and the readers of each family must be read
// together, since every reader depends on the byte order its keys are
// written in.
#include "engine/store.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "absl/synchronization/mutex.h"
#include "engine/backup.h"
#include "engine/urgency.h"
#include "frontdoor/status_macros.h"
#include "rocksdb/env.h"
#include "rocksdb/listener.h"
#include "spdlog/spdlog.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace frontdoor {

namespace {

// A family added later is created on an existing store when it is opened
// (create_missing_column_families).
constexpr std::array<const char*, 16> kFamilyNames = {
    "default",  "contacts", "events",     "timers", "outbox", "idempotency",
    "worklist", "breaches", "received",   "policies", "people", "open_cases",
    "audit",    "checks",   "deliveries", "letters"};

absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  return absl::UnavailableError(message);
}

void AppendU64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void AppendU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

uint64_t ReadU64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

// Keys order times as unsigned numbers; nothing before the epoch is stored
// (received_at is checked), and such a time would sort as the epoch.
uint64_t Ms(TimePoint t) {
  return static_cast<uint64_t>(std::max<int64_t>(t.time_since_epoch().count(), 0));
}
TimePoint FromMs(uint64_t ms) { return TimePoint(Millis(static_cast<int64_t>(ms))); }

std::string TimerKey(TimePoint due, std::string_view contact_id, std::string_view name) {
  std::string key;
  key.reserve(8 + contact_id.size() + 1 + name.size());
  AppendU64(key, Ms(due));
  key.append(contact_id);
  key.push_back('\0');
  key.append(name);
  return key;
}

std::string EventKey(std::string_view contact_id, uint32_t seq) {
  std::string key(contact_id);
  key.push_back('/');
  AppendU32(key, seq);
  return key;
}

std::string WorklistKey(Queue queue, int rank, TimePoint due, std::string_view contact_id) {
  std::string key(1, static_cast<char>(queue));
  key.push_back(static_cast<char>(static_cast<uint8_t>(std::clamp(rank, 0, 255))));
  AppendU64(key, Ms(due));
  key.append(contact_id);
  return key;
}

// Leaves recovery after a failed write to Store::Write's Resume: RocksDB's
// own (a full disk's waits for free space in the background) would answer
// every Resume "busy" meanwhile.
class NoAutoRecovery : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason /*reason*/,
                            rocksdb::Status /*bg_error*/, bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

// The worklist key format: 1 was <queue><due><id>; 2 adds the rank.
constexpr std::string_view kWorklistFormatKey = "format/worklist";
constexpr std::string_view kWorklistFormat = "2";
constexpr std::string_view kStoreFormatKey = "format/store";

std::string AgencyCheckPrefix(v1::Source::Code agency, v1::CheckState::Code state) {
  std::string key;
  key.push_back(static_cast<char>(agency));
  key.push_back(static_cast<char>(state));
  return key;
}

std::string AgencyCheckKey(const Store::AgencyCheckEntry& e) {
  std::string key = AgencyCheckPrefix(e.agency, e.state);
  AppendU64(key, Ms(e.due_at));
  key.append(e.contact_id);
  return key;
}

std::string BreachKey(char kind, const v1::Breach& b) {
  std::string key(1, kind);
  AppendU64(key, Ms(FromProto(b.due_at())));
  key.append(b.contact_id());
  key.push_back('\0');
  key.append(b.timescale());
  return key;
}

std::string IdempotencyKey(std::string_view actor, std::string_view key) {
  std::string out(actor);
  out.push_back('\0');
  out.append(key);
  return out;
}

std::string PersonKey(std::string_view person_id) { return "p" + std::string(person_id); }
std::string NhsKey(std::string_view nhs) { return "n" + std::string(nhs); }
// A point key, not a prefix: a lookup is one Get, which the bloom filter
// answers without reading a block when no one has the name.
std::string NameKey(std::string_view name_key) { return "k" + std::string(name_key); }

std::string AuditRowKey(uint64_t seq) {
  std::string key(1, 'r');
  AppendU64(key, seq);
  return key;
}
std::string AuditContactPrefix(std::string_view contact_id) {
  std::string key(1, 'c');
  key.append(contact_id);
  key.push_back('\0');
  return key;
}
std::string AuditActorPrefix(std::string_view actor_id) {
  std::string key(1, 'a');
  key.append(actor_id);
  key.push_back('\0');
  return key;
}

std::string CounterKey(std::string_view name) { return "counter/" + std::string(name); }
std::string CursorKey(std::string_view sink) { return "cursor/" + std::string(sink); }

template <typename Message>
std::string Serialize(const Message& m) {
  std::string out;
  m.SerializeToString(&out);
  return out;
}

template <typename Message>
absl::StatusOr<Message> Parse(const rocksdb::Slice& value, std::string_view what) {
  Message m;
  if (!m.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError("cannot parse stored " + std::string(what));
  }
  return m;
}

// An iterator over [lower, upper) of one column family.
struct Range {
  std::string lower;
  std::string upper;
  rocksdb::Slice lower_slice;
  rocksdb::Slice upper_slice;
  rocksdb::ReadOptions options;

  Range(std::string lo, std::string hi) : lower(std::move(lo)), upper(std::move(hi)) {
    lower_slice = rocksdb::Slice(lower);
    upper_slice = rocksdb::Slice(upper);
    options.iterate_lower_bound = &lower_slice;
    if (!upper.empty()) options.iterate_upper_bound = &upper_slice;
  }
};

// The smallest key greater than every key starting with `prefix`.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char last = static_cast<unsigned char>(prefix.back());
    if (last != 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;  // empty: no upper bound
}

}  // namespace

std::optional<Queue> QueueOfTimescale(std::string_view timescale) {
  if (timescale == "decision") return Queue::kTriage;
  if (timescale == "mash") return Queue::kMash;
  if (timescale == "authorisation") return Queue::kAuthorisation;
  return std::nullopt;
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& dir,
                                                   const StoreOptions& options) {
  std::error_code ec;
  if (!options.read_only) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return absl::UnavailableError("cannot create " + dir.string() + ": " + ec.message());
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.info_log_level = rocksdb::WARN_LEVEL;
  db_options.keep_log_file_num = 5;
  // The Processor batches commands itself; RocksDB's pipelining would only
  // add a thread hop.
  db_options.enable_pipelined_write = false;
  if (options.env) db_options.env = options.env.get();
  // Synced, acknowledged data that is missing must stop the start: a WAL
  // record damaged before its end is an error, and only a torn last record
  // (an unsynced write cut off by a crash) is dropped. A WAL cut short at a
  // record boundary reads as a torn tail; the contact-id mark beside the
  // store (CheckContactIds) catches what it loses.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db_options.paranoid_checks = true;
  // After a failed write RocksDB stops writing; Write() asks it to resume
  // (RocksDB's own retry thread would make that answer Busy).
  db_options.max_bgerror_resume_count = 0;
  db_options.listeners.push_back(std::make_shared<NoAutoRecovery>());

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;

  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.compression = rocksdb::kLZ4Compression;
  cf_options.bottommost_compression = rocksdb::kZSTD;
  cf_options.level_compaction_dynamic_level_bytes = true;
  cf_options.write_buffer_size = 32 << 20;

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : kFamilyNames) families.emplace_back(name, cf_options);

  auto store = std::unique_ptr<Store>(new Store());
  store->options_ = options;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  bool reserved = true;
  if (options.read_only) {
    // A secondary instance follows the primary's files without locking
    // them; it needs a folder of its own for its info log.
    char folder[] = "/tmp/frontdoor-secondary-XXXXXX";
    if (::mkdtemp(folder) == nullptr) return absl::UnavailableError("cannot make a temp folder");
    store->secondary_dir_ = folder;
    db_options.max_open_files = -1;
    s = rocksdb::DB::OpenAsSecondary(db_options, dir.string(), folder, families, &store->handles_,
                                     &raw);
    if (s.ok()) s = raw->TryCatchUpWithPrimary();
  } else {
    store->dir_ = dir;
    // What a failed open left, closed before the next try.
    auto close_failed_open = [&] {
      if (raw != nullptr) {
        for (auto* handle : store->handles_) raw->DestroyColumnFamilyHandle(handle);
        delete raw;
        raw = nullptr;
      }
      store->handles_.clear();
    };
    // The reserve first: RocksDB preallocates its log, and the space it
    // takes must not count against the reserve.
    reserved = store->TakeReserve();
    s = rocksdb::DB::Open(db_options, dir.string(), families, &store->handles_, &raw);
    if (s.IsNoSpace() && store->ReleaseReserve()) {
      // A full disk with a reserve: release it and open for the read audit.
      spdlog::error("the disk under {} is full ({}): the reserve is released; reads are served "
                    "and audited, other writes refused until the disk has room again",
                    dir.string(), s.ToString());
      close_failed_open();
      s = rocksdb::DB::Open(db_options, dir.string(), families, &store->handles_, &raw);
      store->disk_full_ = s.ok();
    }
    if (s.IsNoSpace()) {
      // A full disk: serve what is stored, refuse writes.
      spdlog::error("the disk under {} is full ({}); the store opens read-only: reads are "
                    "served, writes refused until frontdoor restarts with free space",
                    dir.string(), s.ToString());
      close_failed_open();
      s = rocksdb::DB::OpenForReadOnly(db_options, dir.string(), families, &store->handles_,
                                       &raw);
      store->writes_refused_ = s.ok();
    }
  }
  if (!s.ok()) {
    if (raw != nullptr) {
      for (auto* handle : store->handles_) raw->DestroyColumnFamilyHandle(handle);
      store->handles_.clear();
      delete raw;
    }
    return FromRocks(s, "opening the store in " + dir.string());
  }
  store->db_.reset(raw);
  store->dir_ = dir;
  if (!options.read_only) {
    if (absl::Status ids = store->CheckContactIds(dir); !ids.ok()) return ids;
    if (absl::Status format = store->CheckFormat(); !format.ok()) return format;
    if (!reserved && !store->disk_full_ && !store->writes_refused_) {
      // Too little room to hold the reserve back: as full, until there is.
      store->disk_full_ = true;
      spdlog::error("the disk under {} has less than {} MiB free: contacts and other writes are "
                    "refused until it has; reads are served and audited",
                    dir.string(), (2 * options.reserve_bytes) >> 20);
    }
  }
  return store;
}

absl::Status Store::CheckFormat() {
  std::string value;
  rocksdb::Status got = db_->Get(rocksdb::ReadOptions(), cf(kMeta), kStoreFormatKey, &value);
  if (!got.ok() && !got.IsNotFound()) return FromRocks(got, "reading the store format");
  int format = 1;
  if (got.ok()) {
    char* end = nullptr;
    const long parsed = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || parsed < 1) {
      return absl::DataLossError("the store in " + dir_.string() +
                                 " has an unreadable format marker");
    }
    format = static_cast<int>(std::min<long>(parsed, 1 << 20));
  }
  if (format > kStoreFormat) {
    return absl::FailedPreconditionError(
        "the store in " + dir_.string() + " was written by a newer frontdoor (store format " +
        std::to_string(format) + "; this frontdoor reads formats up to " +
        std::to_string(kStoreFormat) + "): run that version, or restore a backup made for this one");
  }
  if (writes_refused_ || disk_full_) return absl::OkStatus();  // upgraded when it can write
  if (format < kStoreFormat) {
    // A store that holds contacts is backed up before it is upgraded.
    ASSIGN_OR_RETURN(uint64_t contacts, GetCounter("contact"));
    if (contacts > 0) RETURN_IF_ERROR(BackUpBeforeUpgrade(format));
  }
  // The worklist keys carry their own marker (checked on every open).
  if (absl::Status upgraded = UpgradeWorklist(); !upgraded.ok()) return upgraded;
  if (format == kStoreFormat) return absl::OkStatus();
  spdlog::info("recording store format {} in {} (was {})", kStoreFormat, dir_.string(), format);
  rocksdb::WriteBatch batch;
  batch.Put(cf(kMeta), kStoreFormatKey, std::to_string(kStoreFormat));
  return Write(&batch, "recording the store format");
}

absl::Status Store::BackUpBeforeUpgrade(int format) {
  const std::filesystem::path backup =
      dir_ / kUpgradeBackups / ("format-" + std::to_string(format));
  std::error_code ec;
  if (std::filesystem::exists(backup / "frontdoor-backup.txt", ec)) {
    // Left by an upgrade that did not finish: good if it verifies.
    if (VerifyBackup(backup).ok()) return absl::OkStatus();
    std::filesystem::remove_all(backup, ec);
  }
  spdlog::info("backing up the store of format {} into {} before upgrading it to {}", format,
               backup.string(), kStoreFormat);
  auto made = CreateBackup(dir_, backup);
  if (!made.ok()) {
    return absl::Status(made.status().code(),
                        "backing up the store before upgrading it: " +
                            std::string(made.status().message()));
  }
  return absl::OkStatus();
}

absl::Status Store::ResumeAfterFailure() {
  if (!needs_resume_.load()) return absl::OkStatus();
  // One resume at a time; RocksDB answers OK when it is writing again.
  absl::MutexLock lock(&resume_mu_);
  if (!needs_resume_.load()) return absl::OkStatus();
  rocksdb::Status resumed = db_->Resume();
  if (!resumed.ok()) return FromRocks(resumed, "resuming writes");
  spdlog::warn("the store writes again after a failed write");
  needs_resume_ = false;
  return absl::OkStatus();
}

absl::Status Store::ResumeWrites() {
  if (writes_refused_) {
    return absl::UnavailableError("the store is read-only (the disk was full when it opened)");
  }
  if (disk_full_.load()) {
    if (!TakeReserve()) {
      return absl::UnavailableError(
          "the disk is full: writes are refused until it has room again (reads, and their audit "
          "rows, go on)");
    }
    disk_full_ = false;
    spdlog::warn("the disk under {} has room again: writes resume", dir_.string());
  }
  return ResumeAfterFailure();
}

absl::Status Store::Write(rocksdb::WriteBatch* batch, std::string_view what, bool on_reserve) {
  absl::Status ready = on_reserve && !writes_refused_ ? ResumeAfterFailure() : ResumeWrites();
  if (!ready.ok()) {
    return absl::Status(ready.code(), std::string(what) + ": " + std::string(ready.message()));
  }
  rocksdb::WriteOptions write;
  write.sync = options_.sync;
  rocksdb::Status s = db_->Write(write, batch);
  if (s.ok()) return absl::OkStatus();
  needs_resume_ = true;
  if (s.IsNoSpace() && !disk_full_.exchange(true)) {
    const bool released = ReleaseReserve();
    spdlog::error("the disk under {} is full ({}): writes are refused until it has room again{}",
                  dir_.string(), s.ToString(),
                  released ? "; the reserve is released so that reads can still be audited" : "");
  }
  return FromRocks(s, what);
}

bool Store::TakeReserve() {
  if (options_.reserve_bytes == 0) return true;
  absl::MutexLock lock(&reserve_mu_);
  const std::filesystem::path file = dir_ / kReserveFile;
  struct stat st {};
  if (::stat(file.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) >= options_.reserve_bytes) {
    return true;
  }
  struct statvfs disk {};
  if (::statvfs(dir_.c_str(), &disk) != 0) return false;
  const uint64_t free_bytes = static_cast<uint64_t>(disk.f_bavail) * disk.f_frsize;
  if (free_bytes < 2 * options_.reserve_bytes) return false;
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  const bool ok = ::posix_fallocate(fd, 0, static_cast<off_t>(options_.reserve_bytes)) == 0 &&
                  ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok) {
    std::error_code ec;
    std::filesystem::remove(file, ec);
  }
  return ok;
}

bool Store::ReleaseReserve() {
  absl::MutexLock lock(&reserve_mu_);
  std::error_code ec;
  return std::filesystem::remove(dir_ / kReserveFile, ec);
}

namespace {

// The contact-id file: "reserved <n>\ncommitted <n>\n".
constexpr uint64_t kContactIdBlock = 64;

}  // namespace

absl::Status Store::CheckContactIds(const std::filesystem::path& dir) {
  std::ifstream in(dir / kContactIdsFile);
  if (in) {
    std::string word_r, word_c;
    in >> word_r >> ids_reserved_ >> word_c >> ids_committed_;
    if (!in || word_r != "reserved" || word_c != "committed") {
      return absl::DataLossError("cannot read " + (dir / kContactIdsFile).string() +
                                 ": the contact-id mark is damaged");
    }
  }
  ASSIGN_OR_RETURN(uint64_t stored, GetCounter("contact"));
  if (stored < ids_committed_) {
    return absl::DataLossError(
        "the store in " + dir.string() + " is missing acknowledged contacts: it holds contacts "
        "up to number " + std::to_string(stored) + " but contacts up to number " +
        std::to_string(ids_committed_) + " were committed (" + kContactIdsFile +
        "); its WAL or MANIFEST is damaged or cut short. Restore a backup; frontdoor will not "
        "serve half a store");
  }
  ids_committed_ = std::max(ids_committed_, stored);
  ids_reserved_ = std::max(ids_reserved_, stored);
  return absl::OkStatus();
}

absl::Status Store::WriteContactIds(uint64_t reserved, uint64_t committed) {
  const std::filesystem::path file = dir_ / kContactIdsFile;
  const std::filesystem::path tmp = dir_ / (std::string(kContactIdsFile) + ".tmp");
  const std::string text =
      "reserved " + std::to_string(reserved) + "\ncommitted " + std::to_string(committed) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::UnavailableError("cannot write " + tmp.string() + ": " + strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fdatasync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    return absl::UnavailableError("cannot write " + file.string() + ": " +
                                  strerror(ok ? errno : err));
  }
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return absl::OkStatus();
}

absl::Status Store::ReserveContactNumbers(uint64_t number) {
  if (number <= ids_reserved_) return absl::OkStatus();
  const uint64_t reserved = number + kContactIdBlock;
  RETURN_IF_ERROR(WriteContactIds(reserved, ids_committed_));
  ids_reserved_ = reserved;
  return absl::OkStatus();
}

void Store::NoteContactsCommitted(uint64_t number) {
  if (number < ids_committed_ + kContactIdBlock) return;
  if (absl::Status s = WriteContactIds(ids_reserved_, number); !s.ok()) {
    spdlog::warn("the contact-id mark trails: {}", s.ToString());
    return;
  }
  ids_committed_ = number;
}

absl::Status Store::UpgradeWorklist() {
  std::string format;
  rocksdb::Status got = db_->Get(rocksdb::ReadOptions(), cf(kMeta), kWorklistFormatKey, &format);
  if (got.ok() && format == kWorklistFormat) return absl::OkStatus();
  if (!got.ok() && !got.IsNotFound()) return FromRocks(got, "reading the worklist format");
  // Version 1 (no marker): <queue><due u64><contact id>. Each entry is put
  // again with its contact's rank as it is now.
  rocksdb::WriteBatch batch;
  // Every delete goes before every put, so that no new key is deleted as
  // an old one.
  std::vector<std::string> upgraded;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kWorklist)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    batch.Delete(cf(kWorklist), it->key());
    if (key.size() < 10) continue;
    std::string_view contact_id = key.substr(9);
    auto record = GetContact(contact_id);
    if (!record.ok()) return record.status();
    // An entry whose contact is gone is dropped, as a list read skips it.
    if (!record->has_value()) continue;
    upgraded.push_back(WorklistKey(static_cast<Queue>(key[0]), WorklistRank((*record)->contact()),
                                   FromMs(ReadU64(key.substr(1, 8))), contact_id));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the worklist to upgrade it");
  for (const std::string& key : upgraded) batch.Put(cf(kWorklist), key, rocksdb::Slice());
  batch.Put(cf(kMeta), kWorklistFormatKey, kWorklistFormat);
  return Write(&batch, "upgrading the worklist");
}

Store::~Store() {
  if (db_) {
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
    db_->Close();
  }
  if (!secondary_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(secondary_dir_, ec);
  }
}

absl::Status Store::ForEachReceived(const std::function<bool(const v1::Event&)>& visit) const {
  rocksdb::ReadOptions options;
  options.fill_cache = false;  // one pass over everything: keep the cache for others
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, cf(kEvents)));
  v1::Event event;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    // Only the first event of each contact: keys end in the seq, big-endian.
    rocksdb::Slice key = it->key();
    if (key.size() < 5 || key[key.size() - 1] != 1 || key[key.size() - 2] != 0 ||
        key[key.size() - 3] != 0 || key[key.size() - 4] != 0 || key[key.size() - 5] != '/') {
      continue;
    }
    if (!event.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("cannot parse a stored event");
    }
    if (!event.has_contact_received()) continue;
    if (!visit(event)) break;
  }
  return FromRocks(it->status(), "reading events");
}

absl::StatusOr<std::optional<v1::ContactRecord>> Store::GetContact(std::string_view id) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kContacts), id, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading a contact");
  auto record = Parse<v1::ContactRecord>(value, "contact");
  if (!record.ok()) return record.status();
  return std::optional<v1::ContactRecord>(std::move(*record));
}

absl::StatusOr<std::vector<v1::Event>> Store::GetEvents(std::string_view id) const {
  std::string prefix(id);
  prefix.push_back('/');
  Range range(prefix, PrefixEnd(prefix));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kEvents)));
  std::vector<v1::Event> events;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto event = Parse<v1::Event>(it->value(), "event");
    if (!event.ok()) return event.status();
    events.push_back(std::move(*event));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading events");
  return events;
}

absl::StatusOr<std::optional<v1::Event>> Store::GetEvent(std::string_view id, uint32_t seq) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kEvents), EventKey(id, seq), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading an event");
  auto event = Parse<v1::Event>(value, "event");
  if (!event.ok()) return event.status();
  return std::optional<v1::Event>(std::move(*event));
}

absl::StatusOr<std::optional<v1::IdempotencyRecord>> Store::GetIdempotency(
    std::string_view actor, std::string_view key) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(kIdempotency), IdempotencyKey(actor, key), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading an idempotency key");
  auto record = Parse<v1::IdempotencyRecord>(value, "idempotency record");
  if (!record.ok()) return record.status();
  return std::optional<v1::IdempotencyRecord>(std::move(*record));
}

absl::StatusOr<std::vector<Store::IdempotencyEntry>> Store::ScanIdempotency(
    std::string_view after_slot, size_t limit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kIdempotency)));
  if (after_slot.empty()) {
    it->SeekToFirst();
  } else {
    it->Seek(rocksdb::Slice(after_slot.data(), after_slot.size()));
    if (it->Valid() && it->key() == rocksdb::Slice(after_slot.data(), after_slot.size())) {
      it->Next();
    }
  }
  std::vector<IdempotencyEntry> entries;
  for (; it->Valid() && entries.size() < limit; it->Next()) {
    IdempotencyEntry entry;
    entry.slot.assign(it->key().data(), it->key().size());
    entry.readable =
        entry.record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()));
    if (!entry.readable) entry.record.Clear();
    entries.push_back(std::move(entry));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading idempotency keys");
  return entries;
}

absl::StatusOr<std::vector<Store::WorklistEntry>> Store::Worklist(
    Queue queue, size_t limit, const WorklistEntry* after) const {
  std::string prefix(1, static_cast<char>(queue));
  Range range(prefix, PrefixEnd(prefix));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kWorklist)));
  if (after != nullptr) {
    std::string from = WorklistKey(queue, after->rank, after->due_at, after->contact_id);
    it->Seek(from);
    if (it->Valid() && it->key() == rocksdb::Slice(from)) it->Next();
  } else {
    it->SeekToFirst();
  }
  std::vector<WorklistEntry> entries;
  for (; it->Valid() && entries.size() < limit; it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (key.size() < 10) continue;
    entries.push_back({std::string(key.substr(10)), FromMs(ReadU64(key.substr(2, 8))),
                       static_cast<unsigned char>(key[1])});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading a worklist");
  return entries;
}

absl::StatusOr<std::vector<Store::AgencyCheckEntry>> Store::AgencyChecks(
    v1::Source::Code agency, v1::CheckState::Code state, size_t limit,
    const AgencyCheckEntry* after) const {
  const std::string prefix = AgencyCheckPrefix(agency, state);
  Range range(prefix, PrefixEnd(prefix));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kChecks)));
  if (after != nullptr) {
    AgencyCheckEntry from_entry = *after;
    from_entry.agency = agency;
    from_entry.state = state;
    const std::string from = AgencyCheckKey(from_entry);
    it->Seek(from);
    if (it->Valid() && it->key() == rocksdb::Slice(from)) it->Next();
  } else {
    it->SeekToFirst();
  }
  std::vector<AgencyCheckEntry> entries;
  for (; it->Valid() && entries.size() < limit; it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    entries.push_back({agency, state, FromMs(ReadU64(key.substr(2, 8))), std::string(key.substr(10))});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading an agency's checks");
  return entries;
}

absl::StatusOr<std::vector<v1::Breach>> Store::Breaches(bool open_only, size_t limit,
                                                        const v1::Breach* after) const {
  std::vector<v1::Breach> breaches;
  const char kind = open_only ? 'o' : 'a';
  Range range(std::string(1, kind), std::string(1, static_cast<char>(kind + 1)));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kBreaches)));
  if (after != nullptr) {
    std::string from = BreachKey(kind, *after);
    it->Seek(from);
    if (it->Valid() && it->key() == rocksdb::Slice(from)) it->Next();
  } else {
    it->SeekToFirst();
  }
  for (; it->Valid() && breaches.size() < limit; it->Next()) {
    if (!open_only) {
      auto breach = Parse<v1::Breach>(it->value(), "breach");
      if (!breach.ok()) return breach.status();
      breaches.push_back(std::move(*breach));
      continue;
    }
    // The open index holds keys only; the breach is under the same key in 'a'.
    std::string key = it->key().ToString();
    key[0] = 'a';
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kBreaches), key, &value);
    if (s.IsNotFound()) continue;  // resolved between the two reads
    if (!s.ok()) return FromRocks(s, "reading a breach");
    auto breach = Parse<v1::Breach>(value, "breach");
    if (!breach.ok()) return breach.status();
    breaches.push_back(std::move(*breach));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading breaches");
  return breaches;
}

absl::Status Store::ForEachReceivedBetween(
    TimePoint from, TimePoint to, const std::function<bool(std::string_view id)>& visit) const {
  std::string lo, hi;
  AppendU64(lo, Ms(from));
  AppendU64(hi, Ms(to));
  Range range(lo, hi);
  range.options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kReceived)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!visit(std::string_view(it->key().data() + 8, it->key().size() - 8))) break;
  }
  return FromRocks(it->status(), "reading the received index");
}

absl::Status Store::ForEachBreach(const std::function<bool(const v1::Breach&)>& visit) const {
  Range range("a", "b");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kBreaches)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto breach = Parse<v1::Breach>(it->value(), "breach");
    if (!breach.ok()) return breach.status();
    if (!visit(*breach)) break;
  }
  return FromRocks(it->status(), "reading breaches");
}

absl::StatusOr<std::vector<v1::Timer>> Store::DueTimers(TimePoint from, TimePoint up_to,
                                                        size_t limit) const {
  std::string lo, hi;
  AppendU64(lo, Ms(from));
  AppendU64(hi, Ms(up_to) + 1);
  Range range(lo, hi);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kTimers)));
  std::vector<v1::Timer> timers;
  for (it->SeekToFirst(); it->Valid() && timers.size() < limit; it->Next()) {
    auto timer = Parse<v1::Timer>(it->value(), "timer");
    if (!timer.ok()) return timer.status();
    timers.push_back(std::move(*timer));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading timers");
  return timers;
}

absl::StatusOr<std::optional<TimePoint>> Store::EarliestTimer() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kTimers)));
  it->SeekToFirst();
  if (!it->status().ok()) return FromRocks(it->status(), "reading timers");
  if (!it->Valid()) return std::nullopt;
  return std::optional<TimePoint>(
      FromMs(ReadU64(std::string_view(it->key().data(), it->key().size()))));
}

uint64_t Store::EstimateTimers() const {
  uint64_t n = 0;
  db_->GetIntProperty(cf(kTimers), "rocksdb.estimate-num-keys", &n);
  return n;
}

uint64_t Store::ApproximateBytes() const {
  uint64_t total = 0;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    uint64_t n = 0;
    if (db_->GetIntProperty(handle, "rocksdb.live-sst-files-size", &n)) total += n;
  }
  rocksdb::VectorLogPtr wal;
  if (db_->GetSortedWalFiles(wal).ok()) {
    for (const auto& file : wal) {
      if (file->Type() == rocksdb::kAliveLogFile) total += file->SizeFileBytes();
    }
  }
  return total;
}

absl::StatusOr<std::vector<v1::OutboxEntry>> Store::ReadOutbox(uint64_t after, size_t limit) const {
  std::string lo;
  AppendU64(lo, after + 1);
  Range range(lo, std::string());
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kOutbox)));
  std::vector<v1::OutboxEntry> entries;
  for (it->SeekToFirst(); it->Valid() && entries.size() < limit; it->Next()) {
    auto entry = Parse<v1::OutboxEntry>(it->value(), "outbox entry");
    if (!entry.ok()) {
      // One unreadable entry must not hold up every letter after it: it is
      // handed over with its number only, for the sink to set aside.
      v1::OutboxEntry unreadable;
      unreadable.set_seq(ReadU64(std::string_view(it->key().data(), it->key().size())));
      entries.push_back(std::move(unreadable));
      continue;
    }
    entries.push_back(std::move(*entry));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the outbox");
  return entries;
}

absl::StatusOr<uint64_t> Store::GetCursor(std::string_view sink) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kMeta), CursorKey(sink), &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return FromRocks(s, "reading a cursor");
  if (value.size() != 8) return absl::DataLossError("bad cursor value");
  return ReadU64(value);
}

absl::Status Store::SetCursor(std::string_view sink, uint64_t seq, uint64_t trim_through) {
  rocksdb::WriteBatch batch;
  std::string value;
  AppendU64(value, seq);
  batch.Put(cf(kMeta), CursorKey(sink), value);
  if (trim_through > 0) {
    std::string end;
    AppendU64(end, trim_through + 1);
    batch.DeleteRange(cf(kOutbox), std::string(8, '\0'), end);
  }
  return Write(&batch, "saving a cursor");
}

absl::StatusOr<uint64_t> Store::LastAuditSeq() const {
  Range range("r", "s");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kAudit)));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocks(it->status(), "reading the audit log");
  if (!it->Valid()) return 0;
  if (it->key().size() != 9) return absl::DataLossError("bad audit row key");
  return ReadU64(std::string_view(it->key().data() + 1, 8));
}

absl::Status Store::AppendAudit(const std::vector<v1::AuditRecord>& rows) {
  rocksdb::WriteBatch batch;
  for (const v1::AuditRecord& row : rows) {
    batch.Put(cf(kAudit), AuditRowKey(row.seq()), Serialize(row));
    std::string seq;
    AppendU64(seq, row.seq());
    for (const std::string& contact_id : row.contact_ids()) {
      batch.Put(cf(kAudit), AuditContactPrefix(contact_id) + seq, rocksdb::Slice());
    }
    std::string by_actor = AuditActorPrefix(row.actor().id());
    AppendU64(by_actor, Ms(FromProto(row.at())));
    batch.Put(cf(kAudit), by_actor + seq, rocksdb::Slice());
  }
  return Write(&batch, "appending to the audit log", /*on_reserve=*/true);
}

namespace {

// The row each index key ends with (its last 8 bytes are the seq).
absl::StatusOr<std::vector<v1::AuditRecord>> ReadAuditRows(rocksdb::DB& db,
                                                           rocksdb::ColumnFamilyHandle* family,
                                                           const std::vector<uint64_t>& seqs) {
  std::vector<std::string> keys;
  keys.reserve(seqs.size());
  for (uint64_t seq : seqs) keys.push_back(AuditRowKey(seq));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::ColumnFamilyHandle*> families(keys.size(), family);
  std::vector<std::string> values;
  std::vector<rocksdb::Status> statuses =
      db.MultiGet(rocksdb::ReadOptions(), families, slices, &values);
  std::vector<v1::AuditRecord> rows;
  rows.reserve(seqs.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!statuses[i].ok()) return FromRocks(statuses[i], "reading an audit row");
    auto row = Parse<v1::AuditRecord>(values[i], "audit row");
    if (!row.ok()) return row.status();
    rows.push_back(std::move(*row));
  }
  return rows;
}

uint64_t SeqAtEnd(const rocksdb::Slice& key) {
  return ReadU64(std::string_view(key.data() + key.size() - 8, 8));
}

}  // namespace

absl::StatusOr<std::vector<v1::AuditRecord>> Store::AuditOfContact(
    std::string_view contact_id) const {
  std::string prefix = AuditContactPrefix(contact_id);
  Range range(prefix, PrefixEnd(prefix));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kAudit)));
  std::vector<uint64_t> seqs;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != prefix.size() + 8) return absl::DataLossError("bad audit index key");
    seqs.push_back(SeqAtEnd(it->key()));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the audit log");
  return ReadAuditRows(*db_, cf(kAudit), seqs);
}

absl::StatusOr<std::vector<v1::AuditRecord>> Store::AuditOfActor(std::string_view actor_id,
                                                                 TimePoint from, TimePoint to,
                                                                 size_t limit,
                                                                 const AuditPosition* after) const {
  std::string prefix = AuditActorPrefix(actor_id);
  std::string lo = prefix, hi = prefix;
  AppendU64(lo, Ms(from));
  AppendU64(hi, Ms(to));
  Range range(lo, hi);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kAudit)));
  if (after != nullptr) {
    std::string from_key = prefix;
    AppendU64(from_key, Ms(after->at));
    AppendU64(from_key, after->seq);
    it->Seek(from_key);
    if (it->Valid() && it->key() == rocksdb::Slice(from_key)) it->Next();
  } else {
    it->SeekToFirst();
  }
  std::vector<uint64_t> seqs;
  for (; it->Valid() && seqs.size() < limit; it->Next()) {
    if (it->key().size() != prefix.size() + 16) return absl::DataLossError("bad audit index key");
    seqs.push_back(SeqAtEnd(it->key()));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the audit log");
  return ReadAuditRows(*db_, cf(kAudit), seqs);
}

absl::StatusOr<uint64_t> Store::GetCounter(std::string_view name) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kMeta), CounterKey(name), &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return FromRocks(s, "reading a counter");
  if (value.size() != 8) return absl::DataLossError("bad counter value");
  return ReadU64(value);
}

absl::StatusOr<std::optional<v1::Person>> Store::GetPerson(std::string_view person_id) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kPeople), PersonKey(person_id), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading a person");
  auto person = Parse<v1::Person>(value, "person");
  if (!person.ok()) return person.status();
  return std::optional<v1::Person>(std::move(*person));
}

absl::StatusOr<std::optional<std::string>> Store::PersonByNhs(std::string_view nhs) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kPeople), NhsKey(nhs), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading the NHS number index");
  return std::optional<std::string>(std::move(value));
}

// The value is "<person id>\t<postcode>\n" per person, oldest first.
absl::StatusOr<std::vector<Store::NameMatch>> Store::PeopleByName(std::string_view name_key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kPeople), NameKey(name_key), &value);
  std::vector<NameMatch> matches;
  if (s.IsNotFound()) return matches;
  if (!s.ok()) return FromRocks(s, "reading the name index");
  std::string_view rest(value);
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    size_t tab = line.find('\t');
    matches.push_back({std::string(line.substr(0, tab)),
                       tab == std::string_view::npos ? "" : std::string(line.substr(tab + 1))});
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return matches;
}

absl::StatusOr<std::optional<v1::OpenCase>> Store::GetOpenCase(std::string_view case_id) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kOpenCases), case_id, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading an open case");
  auto open_case = Parse<v1::OpenCase>(value, "open case");
  if (!open_case.ok()) return open_case.status();
  return std::optional<v1::OpenCase>(std::move(*open_case));
}

absl::StatusOr<std::optional<v1::PolicyVersion>> Store::GetPolicyVersion(
    std::string_view version) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kPolicies), version, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading a policy version");
  auto policy = Parse<v1::PolicyVersion>(value, "policy version");
  if (!policy.ok()) return policy.status();
  return std::optional<v1::PolicyVersion>(std::move(*policy));
}

absl::Status Store::PutPolicyVersion(const v1::PolicyVersion& policy) {
  rocksdb::WriteBatch batch;
  batch.Put(cf(kPolicies), policy.version(), Serialize(policy));
  return Write(&batch, "saving a policy version");
}

Store::Batch Store::NewBatch() const {
  Batch batch;
  batch.store_ = this;
  return batch;
}

absl::Status Store::Commit(Batch& batch) {
  return Write(batch.batch_.get(), "committing a batch");
}

// ---- Batch

// A batch of a few hundred contacts is a megabyte or so; reserving it up
// front spares the copies of a growing buffer.
Store::Batch::Batch() : batch_(std::make_unique<rocksdb::WriteBatch>(1u << 20)) {}
Store::Batch::~Batch() = default;
Store::Batch::Batch(Batch&&) noexcept = default;
Store::Batch& Store::Batch::operator=(Batch&&) noexcept = default;

void Store::Batch::PutContact(const v1::ContactRecord& record) {
  batch_->Put(store_->cf(kContacts), record.contact().id(), Serialize(record));
}

void Store::Batch::PutEvent(const v1::Event& event) {
  batch_->Put(store_->cf(kEvents), EventKey(event.contact_id(), event.seq()), Serialize(event));
}

void Store::Batch::PutTimer(const v1::Timer& timer) {
  batch_->Put(store_->cf(kTimers),
              TimerKey(FromProto(timer.due_at()), timer.contact_id(), timer.name()),
              Serialize(timer));
}

void Store::Batch::DeleteTimer(TimePoint due, std::string_view contact_id, std::string_view name) {
  batch_->Delete(store_->cf(kTimers), TimerKey(due, contact_id, name));
}

void Store::Batch::PutOutbox(const v1::OutboxEntry& entry) {
  std::string key;
  AppendU64(key, entry.seq());
  batch_->Put(store_->cf(kOutbox), key, Serialize(entry));
}

void Store::Batch::PutIdempotency(std::string_view actor, std::string_view key,
                                  const v1::IdempotencyRecord& record) {
  batch_->Put(store_->cf(kIdempotency), IdempotencyKey(actor, key), Serialize(record));
}

void Store::Batch::PutIdempotencySlot(std::string_view slot, const v1::IdempotencyRecord& record) {
  batch_->Put(store_->cf(kIdempotency), rocksdb::Slice(slot.data(), slot.size()),
              Serialize(record));
}

void Store::Batch::DeleteIdempotencySlot(std::string_view slot) {
  batch_->Delete(store_->cf(kIdempotency), rocksdb::Slice(slot.data(), slot.size()));
}

void Store::Batch::PutWorklist(Queue queue, int rank, TimePoint due, std::string_view contact_id) {
  batch_->Put(store_->cf(kWorklist), WorklistKey(queue, rank, due, contact_id), rocksdb::Slice());
}

void Store::Batch::DeleteWorklist(Queue queue, int rank, TimePoint due,
                                  std::string_view contact_id) {
  batch_->Delete(store_->cf(kWorklist), WorklistKey(queue, rank, due, contact_id));
}

void Store::Batch::PutAgencyCheck(const AgencyCheckEntry& entry) {
  batch_->Put(store_->cf(kChecks), AgencyCheckKey(entry), rocksdb::Slice());
}

void Store::Batch::DeleteAgencyCheck(const AgencyCheckEntry& entry) {
  batch_->Delete(store_->cf(kChecks), AgencyCheckKey(entry));
}

void Store::Batch::PutBreach(const v1::Breach& breach) {
  batch_->Put(store_->cf(kBreaches), BreachKey('a', breach), Serialize(breach));
  if (breach.has_resolved_at()) {
    batch_->Delete(store_->cf(kBreaches), BreachKey('o', breach));
  } else {
    batch_->Put(store_->cf(kBreaches), BreachKey('o', breach), rocksdb::Slice());
  }
}

void Store::Batch::PutReceived(TimePoint received, std::string_view contact_id) {
  std::string key;
  AppendU64(key, Ms(received));
  key.append(contact_id);
  batch_->Put(store_->cf(kReceived), key, rocksdb::Slice());
}

void Store::Batch::PutCounter(std::string_view name, uint64_t value) {
  std::string v;
  AppendU64(v, value);
  batch_->Put(store_->cf(kMeta), CounterKey(name), v);
}

void Store::Batch::PutPerson(const v1::Person& person) {
  batch_->Put(store_->cf(kPeople), PersonKey(person.person_id()), Serialize(person));
}

void Store::Batch::PutPersonByNhs(std::string_view nhs, std::string_view person_id) {
  batch_->Put(store_->cf(kPeople), NhsKey(nhs), person_id);
}

void Store::Batch::PutPeopleByName(std::string_view name_key,
                                   const std::vector<NameMatch>& people) {
  std::string value;
  for (const NameMatch& match : people) {
    value += match.person_id;
    value += '\t';
    value += match.postcode;
    value += '\n';
  }
  batch_->Put(store_->cf(kPeople), NameKey(name_key), value);
}

void Store::Batch::PutOpenCase(const v1::OpenCase& open_case) {
  batch_->Put(store_->cf(kOpenCases), open_case.case_id(), Serialize(open_case));
}

void Store::Batch::PutPolicyVersion(const v1::PolicyVersion& policy) {
  batch_->Put(store_->cf(kPolicies), policy.version(), Serialize(policy));
}

void Store::Batch::DeleteOpenCase(std::string_view case_id) {
  batch_->Delete(store_->cf(kOpenCases), case_id);
}

size_t Store::Batch::Count() const { return static_cast<size_t>(batch_->Count()); }

// ---- Deliveries (engine/deliveries.h)

namespace {

std::string DeliveryPrefix(char kind, std::string_view channel) {
  std::string key(1, kind);
  key += channel;
  key.push_back('\0');
  return key;
}

std::string DeliveryKey(char kind, std::string_view channel, uint64_t seq) {
  std::string key = DeliveryPrefix(kind, channel);
  AppendU64(key, seq);
  return key;
}

std::string DeliveryStateKey(std::string_view channel, v1::DeliveryState::Code state,
                             uint64_t seq) {
  std::string key = DeliveryPrefix('s', channel);
  key.push_back(static_cast<char>(state));
  AppendU64(key, seq);
  return key;
}

std::string DeliveryCountKey(std::string_view channel, int state) {
  std::string key = DeliveryPrefix('n', channel);
  key.push_back(static_cast<char>(state));
  return key;
}

std::string ChannelMarkKey(std::string_view channel) { return "x" + std::string(channel); }

bool IsPending(v1::DeliveryState::Code state) {
  return state == v1::DeliveryState::QUEUED || state == v1::DeliveryState::RETRYING;
}

}  // namespace

absl::StatusOr<std::optional<v1::Delivery>> Store::GetDelivery(std::string_view channel,
                                                              uint64_t seq) const {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(kDeliveries), DeliveryKey('d', channel, seq), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading a delivery");
  auto delivery = Parse<v1::Delivery>(value, "delivery");
  if (!delivery.ok()) return delivery.status();
  return std::optional<v1::Delivery>(*std::move(delivery));
}

absl::StatusOr<std::vector<Store::PendingDelivery>> Store::PendingDeliveries(
    std::string_view channel, uint64_t after, size_t limit) const {
  std::string prefix = DeliveryPrefix('p', channel);
  Range range(DeliveryKey('p', channel, after + 1), PrefixEnd(prefix));
  if (after == UINT64_MAX) return std::vector<PendingDelivery>{};
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kDeliveries)));
  std::vector<PendingDelivery> out;
  for (it->SeekToFirst(); it->Valid() && out.size() < limit; it->Next()) {
    rocksdb::Slice key = it->key();
    rocksdb::Slice value = it->value();
    if (key.size() != prefix.size() + 8 || value.size() < 8) {
      return absl::DataLossError("bad pending delivery entry");
    }
    PendingDelivery p;
    p.seq = ReadU64(std::string_view(key.data() + prefix.size(), 8));
    p.next_attempt_at =
        TimePoint(Millis(static_cast<int64_t>(ReadU64(std::string_view(value.data(), 8)))));
    p.contact_id.assign(value.data() + 8, value.size() - 8);
    out.push_back(std::move(p));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading pending deliveries");
  return out;
}

absl::StatusOr<std::vector<v1::Delivery>> Store::Deliveries(std::string_view channel,
                                                            v1::DeliveryState::Code state,
                                                            uint64_t after, size_t limit) const {
  std::vector<v1::Delivery> out;
  if (after == UINT64_MAX) return out;
  if (state == v1::DeliveryState::DELIVERY_STATE_UNSPECIFIED) {
    Range range(DeliveryKey('d', channel, after + 1), PrefixEnd(DeliveryPrefix('d', channel)));
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kDeliveries)));
    for (it->SeekToFirst(); it->Valid() && out.size() < limit; it->Next()) {
      auto delivery = Parse<v1::Delivery>(it->value(), "delivery");
      if (!delivery.ok()) return delivery.status();
      out.push_back(*std::move(delivery));
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading deliveries");
    return out;
  }
  std::string prefix = DeliveryPrefix('s', channel);
  prefix.push_back(static_cast<char>(state));
  Range range(DeliveryStateKey(channel, state, after + 1), PrefixEnd(prefix));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kDeliveries)));
  for (it->SeekToFirst(); it->Valid() && out.size() < limit; it->Next()) {
    if (it->key().size() != prefix.size() + 8) return absl::DataLossError("bad delivery index");
    uint64_t seq = ReadU64(std::string_view(it->key().data() + prefix.size(), 8));
    auto delivery = GetDelivery(channel, seq);
    if (!delivery.ok()) return delivery.status();
    if (!delivery->has_value()) return absl::DataLossError("delivery index without a delivery");
    out.push_back(**std::move(delivery));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading deliveries");
  return out;
}

absl::StatusOr<Store::DeliveryCounts> Store::GetDeliveryCounts(std::string_view channel) const {
  DeliveryCounts counts{};
  for (int state = 0; state < static_cast<int>(counts.size()); ++state) {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kDeliveries),
                                 DeliveryCountKey(channel, state), &value);
    if (s.IsNotFound()) continue;
    if (!s.ok()) return FromRocks(s, "reading delivery counts");
    if (value.size() != 8) return absl::DataLossError("bad delivery count");
    counts[state] = ReadU64(value);
  }
  return counts;
}

absl::StatusOr<std::optional<v1::Subscription>> Store::GetChannelMark(
    std::string_view channel) const {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(kDeliveries), ChannelMarkKey(channel), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading a channel's mark");
  auto mark = Parse<v1::Subscription>(value, "channel mark");
  if (!mark.ok()) return mark.status();
  return std::optional<v1::Subscription>(*std::move(mark));
}

absl::Status Store::WriteDeliveries(std::string_view channel, const DeliveryWrite& write) {
  rocksdb::WriteBatch batch;
  rocksdb::ColumnFamilyHandle* family = cf(kDeliveries);
  for (const auto& [delivery, was] : write.changes) {
    const uint64_t seq = delivery.seq();
    if (was != v1::DeliveryState::DELIVERY_STATE_UNSPECIFIED) {
      batch.Delete(family, DeliveryStateKey(channel, was, seq));
    }
    batch.Put(family, DeliveryKey('d', channel, seq), Serialize(delivery));
    batch.Put(family, DeliveryStateKey(channel, delivery.state(), seq), "");
    if (IsPending(delivery.state())) {
      std::string value;
      AppendU64(value, Ms(FromProto(delivery.next_attempt_at())));
      value += delivery.contact_id();
      batch.Put(family, DeliveryKey('p', channel, seq), value);
    } else if (IsPending(was)) {
      batch.Delete(family, DeliveryKey('p', channel, seq));
    }
  }
  for (const v1::Delivery& gone : write.removed) {
    batch.Delete(family, DeliveryKey('d', channel, gone.seq()));
    batch.Delete(family, DeliveryStateKey(channel, gone.state(), gone.seq()));
    if (IsPending(gone.state())) batch.Delete(family, DeliveryKey('p', channel, gone.seq()));
  }
  if (write.counts != nullptr) {
    for (int state = 0; state < static_cast<int>(write.counts->size()); ++state) {
      std::string value;
      AppendU64(value, (*write.counts)[state]);
      batch.Put(family, DeliveryCountKey(channel, state), value);
    }
  }
  if (write.mark) {
    batch.Put(family, ChannelMarkKey(channel), Serialize(*write.mark));
  } else if (write.clear_mark) {
    batch.Delete(family, ChannelMarkKey(channel));
  }
  return Write(&batch, "storing deliveries");
}

}  // namespace frontdoor

// ---- Letters (engine/letters.h)

namespace frontdoor {

namespace {

std::string LetterKey(std::string_view letter_id) { return "l" + std::string(letter_id); }
std::string LetterContactPrefix(std::string_view contact_id) {
  std::string key(1, 'c');
  key.append(contact_id);
  key.push_back('\0');
  return key;
}
std::string PostListKey(TimePoint issued_at, std::string_view letter_id) {
  std::string key(1, 'p');
  AppendU64(key, Ms(issued_at));
  key.append(letter_id);
  return key;
}
bool OnPostList(const v1::LetterDelivery& l) {
  return l.state() == v1::LetterDeliveryState::TO_POST ||
         l.state() == v1::LetterDeliveryState::FAILED;
}

}  // namespace

absl::StatusOr<std::optional<v1::LetterDelivery>> Store::GetLetterDelivery(
    std::string_view letter_id) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kLetters), LetterKey(letter_id), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading a letter");
  auto letter = Parse<v1::LetterDelivery>(value, "letter");
  if (!letter.ok()) return letter.status();
  return std::optional<v1::LetterDelivery>(std::move(*letter));
}

absl::Status Store::PutLetterDelivery(const v1::LetterDelivery& letter,
                                      const v1::LetterDelivery* before) {
  rocksdb::WriteBatch batch;
  batch.Put(cf(kLetters), LetterKey(letter.letter_id()), Serialize(letter));
  batch.Put(cf(kLetters), LetterContactPrefix(letter.contact_id()) + letter.letter_id(),
            rocksdb::Slice());
  if (before != nullptr && OnPostList(*before)) {
    batch.Delete(cf(kLetters), PostListKey(FromProto(before->issued_at()), before->letter_id()));
  }
  if (OnPostList(letter)) {
    batch.Put(cf(kLetters), PostListKey(FromProto(letter.issued_at()), letter.letter_id()),
              rocksdb::Slice());
  }
  return Write(&batch, "storing a letter's state");
}

namespace {

absl::StatusOr<std::vector<v1::LetterDelivery>> ReadLetters(
    rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, const std::vector<std::string>& ids) {
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (const std::string& id : ids) keys.push_back(LetterKey(id));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::ColumnFamilyHandle*> families(keys.size(), family);
  std::vector<std::string> values;
  std::vector<rocksdb::Status> got =
      db.MultiGet(rocksdb::ReadOptions(), families, slices, &values);
  std::vector<v1::LetterDelivery> letters;
  letters.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (got[i].IsNotFound()) continue;
    if (!got[i].ok()) return FromRocks(got[i], "reading a letter");
    auto letter = Parse<v1::LetterDelivery>(values[i], "letter");
    if (!letter.ok()) return letter.status();
    letters.push_back(std::move(*letter));
  }
  return letters;
}

}  // namespace

absl::StatusOr<std::vector<v1::LetterDelivery>> Store::LetterDeliveriesOfContact(
    std::string_view contact_id) const {
  std::string prefix = LetterContactPrefix(contact_id);
  Range range(prefix, PrefixEnd(prefix));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kLetters)));
  std::vector<std::string> ids;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ids.emplace_back(it->key().data() + prefix.size(), it->key().size() - prefix.size());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading a contact's letters");
  return ReadLetters(*db_, cf(kLetters), ids);
}

absl::StatusOr<std::vector<v1::LetterDelivery>> Store::LettersToPost(
    size_t limit, const PostListPosition* after) const {
  Range range("p", "q");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(range.options, cf(kLetters)));
  if (after != nullptr) {
    std::string from = PostListKey(after->issued_at, after->letter_id);
    it->Seek(from);
    if (it->Valid() && it->key() == rocksdb::Slice(from)) it->Next();
  } else {
    it->SeekToFirst();
  }
  std::vector<std::string> ids;
  for (; it->Valid() && ids.size() < limit; it->Next()) {
    if (it->key().size() < 9) return absl::DataLossError("bad post list key");
    ids.emplace_back(it->key().data() + 9, it->key().size() - 9);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the post list");
  return ReadLetters(*db_, cf(kLetters), ids);
}

}  // namespace frontdoor
