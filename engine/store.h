// The engine's store: one RocksDB database with a column family per kind of
// record. Everything one batch of commands changes (events, contact states,
// timers, outbox entries, indexes) is written by the Processor in one
// WriteBatch with a synced WAL (DESIGN.md principle 2), so a crash leaves
// either all of a batch or none of it.
//
// Column families and their keys (integers big-endian, so byte order is
// numeric order; times are milliseconds since the epoch, UTC):
//   default      meta: counters ("counter/<name>"), sink cursors ("cursor/<sink>") and
//                key formats ("format/<family>", a decimal version)
//   contacts     <contact id>                          -> ContactRecord
//   events       <contact id> '/' <seq u32>            -> Event
//   timers       <due u64> <contact id> '\0' <name>    -> Timer
//   outbox       <seq u64>                             -> OutboxEntry
//   idempotency  <api key name> '\0' <Idempotency-Key> -> IdempotencyRecord
//   worklist     <queue char> <rank u8> <due u64> <contact id> -> ""
//                (rank: engine/urgency.h; version 1 had no rank, and a
//                store of version 1 is rebuilt once when it is opened)
//   breaches     'a' <due u64> <contact id> '\0' <name> -> Breach (every breach)
//                'o' <due u64> <contact id> '\0' <name> -> ""    (open ones)
//   received     <received_at u64> <contact id>        -> ""
//   policies     <rules version>                       -> PolicyVersion
//   people       'p' <person id>                         -> Person
//                'n' <NHS number>                        -> person id
//                'k' <name key>                          -> person ids and postcodes
//   open_cases   <case id>                             -> OpenCase
//   audit        'r' <seq u64>                         -> AuditRecord (the read audit)
//                'c' <contact id> '\0' <seq u64>       -> ""  (rows by contact)
//                'a' <actor id> '\0' <at u64> <seq u64> -> ""  (rows by actor, real time)
//   checks       <agency u8> <check state u8> <due u64> <contact id> -> ""
//                (MASH checks by the agency asked, then state, soonest due first)
//   deliveries   events queued for a receiver that answers for each (webhook
//                subscriptions, email): engine/deliveries.h
//                'd' <channel> '\0' <seq u64>             -> Delivery
//                'p' <channel> '\0' <seq u64>             -> <next attempt u64> <contact id>
//                    (the pending ones: QUEUED or RETRYING)
//                's' <channel> '\0' <state u8> <seq u64>  -> ""  (by state, for lists)
//                'n' <channel> '\0' <state u8>            -> <count u64>
//                'x' <channel>                            -> Subscription (disabled mark)
//   letters      'l' <letter id>                        -> LetterDelivery
//                'c' <contact id> '\0' <letter id>       -> ""  (letters by contact)
//                'p' <issued_at u64> <letter id>        -> ""  (the post list: TO_POST
//                or FAILED, oldest first); written by the LetterBook (engine/letters.h)
//
// Thread safety: reads may run on any thread and see committed data only;
// Batch and Commit belong to the Processor's single writer thread, except
// SetCursor, which a dispatcher calls for its own key, and AppendAudit,
// which belongs to the audit log's writer thread (engine/audit_log.h).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/v1/audit.pb.h"
#include "frontdoor/v1/delivery.pb.h"
#include "frontdoor/v1/events.pb.h"
#include "frontdoor/v1/store.pb.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
class Snapshot;
class Env;
}  // namespace rocksdb

namespace frontdoor {

struct StoreOptions {
  // Sync the WAL on every commit. Turning it off loses acknowledged
  // contacts on power failure; only benchmarks may. Default: true.
  bool sync = true;
  // RocksDB block cache for reads. Default: 128 MiB.
  size_t block_cache_bytes = 128u << 20;
  // Open read-only as a RocksDB secondary instance, which is safe while a
  // server has the store open: backtests and inspection. Writes then fail.
  // Default: false.
  bool read_only = false;
  // The RocksDB Env (and so the file system) the store's files go through;
  // null: the real one. Tests inject faults here (tests/support/fault_fs.h).
  std::shared_ptr<rocksdb::Env> env;
  // Disk space held back in a file beside the store (kReserveFile) so that
  // the read audit can still be written when the disk fills: a full disk
  // releases it, contacts and other writes are refused until the disk has
  // twice this free again (the reserve is then taken back), and audit rows
  // keep being written, so people can still read. 0: none. Default: 32 MiB.
  uint64_t reserve_bytes = 32u << 20;
};

// The store's format, recorded in it ("format/store" in the meta family).
// 1: no marker (stores written before it was recorded); 2: the marker.
// A store of a newer format is refused; an older one is upgraded when it is
// opened, after a backup of it (kUpgradeBackups) if it holds contacts.
inline constexpr int kStoreFormat = 2;

// The worklists: contacts awaiting a front-door decision, contacts in MASH,
// and decisions awaiting a manager's authorisation. A contact is on a list
// while that step's timescale is open.
enum class Queue : char { kTriage = 't', kMash = 'm', kAuthorisation = 'a' };

// Which worklist a timescale's contacts appear on; nullopt for timescales
// that put no one on a list.
std::optional<Queue> QueueOfTimescale(std::string_view timescale);

class Store {
 public:
  // Opens (or creates) the store in `dir`. Errors: Internal/Unavailable with
  // RocksDB's message (e.g. the directory is locked by another process);
  // DataLoss naming what is wrong when a file is damaged or acknowledged
  // contacts are missing (the contact-id mark, below, is ahead of the
  // store); FailedPrecondition when a newer frontdoor wrote the store. When
  // the disk is full the store opens read-only (writes_refused()): reads
  // are served, writes answer Unavailable until a restart with free space.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::filesystem::path& dir,
                                                     const StoreOptions& options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // True when the store opened read-only because the disk was full (and
  // there was no reserve to release).
  bool writes_refused() const { return writes_refused_; }
  // False from a failed write (RocksDB then stops taking writes) until
  // writes work again, while the disk is full (the reserve released) and
  // while writes_refused(). ResumeWrites takes the reserve back once the
  // disk has room and asks RocksDB to resume, as the next Write does first:
  // OK once writes work again. Any thread (/readyz probes with it, so a
  // server that a load balancer stopped sending to recovers by itself).
  bool writing() const {
    return !writes_refused_ && !needs_resume_.load() && !disk_full_.load();
  }
  absl::Status ResumeWrites();
  static constexpr const char* kReserveFile = "FRONTDOOR-RESERVE";
  // Where a store of an older format is backed up (engine/backup.h) before
  // it is upgraded: <dir>/upgrade-backups/format-<old format>.
  static constexpr const char* kUpgradeBackups = "upgrade-backups";

  // ---- Contact numbers, guarded outside RocksDB so that no contact id is
  // issued twice whatever happens to the store's files: a small synced file
  // beside them (kContactIdsFile) holds the numbers reserved (written ahead,
  // in blocks, before a batch that passes them is committed) and the numbers
  // known committed (written after, once per block). The Processor's writer
  // thread only.
  static constexpr const char* kContactIdsFile = "FRONTDOOR-CONTACT-IDS";
  // Every number up to this may have been issued: the next must be above it.
  uint64_t ContactNumbersReserved() const { return ids_reserved_; }
  // Makes sure numbers up to `number` are reserved (synced) before use.
  absl::Status ReserveContactNumbers(uint64_t number);
  // After a commit that stored contacts up to `number`. Best effort: a
  // failure is logged, and the mark only trails.
  void NoteContactsCommitted(uint64_t number);

  // ---- Reads: any thread.
  absl::StatusOr<std::optional<v1::ContactRecord>> GetContact(std::string_view id) const;
  // Oldest first.
  absl::StatusOr<std::vector<v1::Event>> GetEvents(std::string_view id) const;
  // One event of a contact's history; nullopt when there is none.
  absl::StatusOr<std::optional<v1::Event>> GetEvent(std::string_view id, uint32_t seq) const;
  absl::StatusOr<std::optional<v1::IdempotencyRecord>> GetIdempotency(std::string_view actor,
                                                                      std::string_view key) const;
  // One stored Idempotency-Key, for the retention sweep (engine/processor.h).
  struct IdempotencyEntry {
    // The record's key: <api key name> '\0' <Idempotency-Key>.
    std::string slot;
    v1::IdempotencyRecord record;
    // False when the stored value cannot be parsed (`record` is then empty).
    bool readable = true;
  };
  // Stored keys after `after_slot` (from the first when empty), in key
  // order, at most `limit`.
  absl::StatusOr<std::vector<IdempotencyEntry>> ScanIdempotency(std::string_view after_slot,
                                                                size_t limit) const;

  struct WorklistEntry {
    std::string contact_id;
    TimePoint due_at;
    // WorklistRank of the contact when the entry was written.
    int rank = 0;
  };
  // Most urgent first (lowest rank), soonest due inside a rank, at most
  // `limit`, starting after `after` (a previous page's last entry) when given.
  absl::StatusOr<std::vector<WorklistEntry>> Worklist(Queue queue, size_t limit,
                                                      const WorklistEntry* after = nullptr) const;
  // A MASH check in the index of checks by agency.
  struct AgencyCheckEntry {
    v1::Source::Code agency = v1::Source::SOURCE_UNSPECIFIED;
    v1::CheckState::Code state = v1::CheckState::CHECK_STATE_UNSPECIFIED;
    TimePoint due_at;
    std::string contact_id;

    bool operator==(const AgencyCheckEntry&) const = default;
  };
  // The checks asked of `agency` now in `state`, soonest due first, at most
  // `limit`, starting after `after` (a previous page's last entry) when given.
  absl::StatusOr<std::vector<AgencyCheckEntry>> AgencyChecks(
      v1::Source::Code agency, v1::CheckState::Code state, size_t limit,
      const AgencyCheckEntry* after = nullptr) const;
  // Oldest due first. `open_only`: breaches whose step is still open. At
  // most `limit`, starting after `after` (a previous page's last breach: its
  // due_at, contact_id and timescale are what count) when given.
  absl::StatusOr<std::vector<v1::Breach>> Breaches(bool open_only, size_t limit,
                                                   const v1::Breach* after = nullptr) const;
  // Contact ids received in [from, to), oldest first, one at a time until
  // `visit` returns false.
  absl::Status ForEachReceivedBetween(TimePoint from, TimePoint to,
                                      const std::function<bool(std::string_view id)>& visit) const;
  // Every breach, oldest due first, until `visit` returns false.
  absl::Status ForEachBreach(const std::function<bool(const v1::Breach&)>& visit) const;

  // Pending timers due in [from, up_to], earliest first, at most `limit`.
  // `from` lets the caller skip the deleted keys of timers it has already
  // fired, which RocksDB would otherwise step over on every call.
  absl::StatusOr<std::vector<v1::Timer>> DueTimers(TimePoint from, TimePoint up_to,
                                                   size_t limit) const;
  // The earliest pending timer's due time; nullopt when none is pending.
  absl::StatusOr<std::optional<TimePoint>> EarliestTimer() const;
  // How many timers are pending (RocksDB's estimate; exact after compaction).
  uint64_t EstimateTimers() const;
  // The store's size on disk in bytes: its live table files and write-ahead
  // log (RocksDB's figures; a little behind while a flush or compaction
  // runs). For /metrics.
  uint64_t ApproximateBytes() const;

  // Outbox entries with seq > `after`, oldest first, at most `limit`. An
  // entry that cannot be read comes back with its seq and no event.
  absl::StatusOr<std::vector<v1::OutboxEntry>> ReadOutbox(uint64_t after, size_t limit) const;
  // 0 when the sink has delivered nothing yet.
  absl::StatusOr<uint64_t> GetCursor(std::string_view sink) const;
  // Records that `sink` has delivered every entry up to `seq`, and drops
  // the entries up to `trim_through` from the outbox (0: none), which the
  // caller keeps at or below the slowest sink's cursor (OutboxCursors in
  // engine/outbox.h). Synced.
  absl::Status SetCursor(std::string_view sink, uint64_t seq, uint64_t trim_through);

  absl::StatusOr<uint64_t> GetCounter(std::string_view name) const;

  absl::StatusOr<std::optional<v1::Person>> GetPerson(std::string_view person_id) const;
  // The person with this NHS number; nullopt when none.
  absl::StatusOr<std::optional<std::string>> PersonByNhs(std::string_view nhs) const;
  struct NameMatch {
    std::string person_id;
    std::string postcode;
  };
  // Everyone with this name key, oldest first.
  absl::StatusOr<std::vector<NameMatch>> PeopleByName(std::string_view name_key) const;
  absl::StatusOr<std::optional<v1::OpenCase>> GetOpenCase(std::string_view case_id) const;
  absl::StatusOr<std::optional<v1::PolicyVersion>> GetPolicyVersion(std::string_view version) const;
  absl::Status PutPolicyVersion(const v1::PolicyVersion& policy);

  // ---- The read audit. Rows are only ever added: nothing here changes or
  // deletes one.
  // The highest seq stored; 0 when there is none.
  absl::StatusOr<uint64_t> LastAuditSeq() const;
  // Stores the rows (their seq set) and their indexes in one write, WAL
  // synced when options.sync, as Commit. The audit log's thread only.
  absl::Status AppendAudit(const std::vector<v1::AuditRecord>& rows);
  // The rows that read the contact, oldest first.
  absl::StatusOr<std::vector<v1::AuditRecord>> AuditOfContact(std::string_view contact_id) const;
  // Where a page of an actor's rows ended.
  struct AuditPosition {
    TimePoint at;
    uint64_t seq = 0;
  };
  // The actor's rows with `at` (real time) in [from, to), oldest first, at
  // most `limit`, starting after `after` when given.
  absl::StatusOr<std::vector<v1::AuditRecord>> AuditOfActor(std::string_view actor_id,
                                                            TimePoint from, TimePoint to,
                                                            size_t limit,
                                                            const AuditPosition* after) const;

  // ---- Deliveries (engine/deliveries.h). Each channel's are written by its
  // DeliveryQueue only, which serialises its writes and keeps the counts.
  struct PendingDelivery {
    uint64_t seq = 0;
    std::string contact_id;
    TimePoint next_attempt_at;
  };
  // Deliveries counted by state, indexed by DeliveryState::Code.
  using DeliveryCounts = std::array<uint64_t, 5>;
  absl::StatusOr<std::optional<v1::Delivery>> GetDelivery(std::string_view channel,
                                                          uint64_t seq) const;
  // The channel's pending deliveries with seq > `after`, oldest first, at
  // most `limit`.
  absl::StatusOr<std::vector<PendingDelivery>> PendingDeliveries(std::string_view channel,
                                                                 uint64_t after,
                                                                 size_t limit) const;
  // The channel's deliveries in `state` (every state when unspecified) with
  // seq > `after`, oldest first, at most `limit`.
  absl::StatusOr<std::vector<v1::Delivery>> Deliveries(std::string_view channel,
                                                       v1::DeliveryState::Code state,
                                                       uint64_t after, size_t limit) const;
  absl::StatusOr<DeliveryCounts> GetDeliveryCounts(std::string_view channel) const;
  // The channel's disabled mark; nullopt when it is enabled.
  absl::StatusOr<std::optional<v1::Subscription>> GetChannelMark(std::string_view channel) const;
  struct DeliveryWrite {
    // Each delivery as it now stands, with the state it was stored in
    // (UNSPECIFIED: new).
    std::vector<std::pair<v1::Delivery, v1::DeliveryState::Code>> changes;
    // The counts after the changes; null leaves them.
    const DeliveryCounts* counts = nullptr;
    // Sets the disabled mark; `clear_mark` removes it.
    std::optional<v1::Subscription> mark;
    bool clear_mark = false;
    // Deliveries deleted, each as stored (its state says which index
    // entries go with it): the retention of delivered ones.
    std::vector<v1::Delivery> removed;
  };
  // One write, WAL synced when options.sync.
  absl::Status WriteDeliveries(std::string_view channel, const DeliveryWrite& write);

  // ---- Letters: how each letter went out (engine/letters.h). Written by
  // the LetterBook under its own lock, not through the Processor's batches.
  absl::StatusOr<std::optional<v1::LetterDelivery>> GetLetterDelivery(
      std::string_view letter_id) const;
  // Stores the letter's state and keeps the contact index and the post
  // list in step with it, in one synced write. `before`: the state stored
  // until now (null when new).
  absl::Status PutLetterDelivery(const v1::LetterDelivery& letter,
                                 const v1::LetterDelivery* before);
  // The contact's recorded letters, in letter id order.
  absl::StatusOr<std::vector<v1::LetterDelivery>> LetterDeliveriesOfContact(
      std::string_view contact_id) const;
  // Where a page of the post list ended.
  struct PostListPosition {
    TimePoint issued_at;
    std::string letter_id;
  };
  // The post list (TO_POST or FAILED), oldest issued first, at most
  // `limit`, after `after` when given.
  absl::StatusOr<std::vector<v1::LetterDelivery>> LettersToPost(
      size_t limit, const PostListPosition* after) const;

  // ---- Writes: the Processor's thread only.
  class Batch {
   public:
    Batch();
    ~Batch();
    Batch(Batch&&) noexcept;
    Batch& operator=(Batch&&) noexcept;
    void PutContact(const v1::ContactRecord& record);
    void PutEvent(const v1::Event& event);
    void PutTimer(const v1::Timer& timer);
    void DeleteTimer(TimePoint due, std::string_view contact_id, std::string_view name);
    void PutOutbox(const v1::OutboxEntry& entry);
    void PutIdempotency(std::string_view actor, std::string_view key,
                        const v1::IdempotencyRecord& record);
    // By the record's key as ScanIdempotency gives it (the retention sweep).
    void PutIdempotencySlot(std::string_view slot, const v1::IdempotencyRecord& record);
    void DeleteIdempotencySlot(std::string_view slot);
    // `rank`: WorklistRank (0-255); an entry is deleted with the rank it was put with.
    void PutWorklist(Queue queue, int rank, TimePoint due, std::string_view contact_id);
    void DeleteWorklist(Queue queue, int rank, TimePoint due, std::string_view contact_id);
    void PutAgencyCheck(const AgencyCheckEntry& entry);
    void DeleteAgencyCheck(const AgencyCheckEntry& entry);
    // Stores the breach, and its open-index entry unless it is resolved.
    void PutBreach(const v1::Breach& breach);
    void PutReceived(TimePoint received, std::string_view contact_id);
    void PutCounter(std::string_view name, uint64_t value);
    void PutPerson(const v1::Person& person);
    void PutPersonByNhs(std::string_view nhs, std::string_view person_id);
    // Everyone with this name key (replaces the list).
    void PutPeopleByName(std::string_view name_key, const std::vector<NameMatch>& people);
    void PutOpenCase(const v1::OpenCase& open_case);
    void PutPolicyVersion(const v1::PolicyVersion& policy);
    void DeleteOpenCase(std::string_view case_id);
    size_t Count() const;

   private:
    friend class Store;
    std::unique_ptr<rocksdb::WriteBatch> batch_;
    // Column family handles of the store the batch will be committed to.
    const Store* store_ = nullptr;
  };

  // A batch bound to this store.
  Batch NewBatch() const;
  // Writes the batch atomically, WAL synced when options.sync. Errors:
  // Unavailable with RocksDB's message; nothing of the batch is then stored.
  absl::Status Commit(Batch& batch);

  // Visits the CONTACT_RECEIVED event of every stored contact, in id order,
  // until `visit` returns false.
  absl::Status ForEachReceived(const std::function<bool(const v1::Event&)>& visit) const;

 private:
  enum Family : int {
    kMeta = 0,
    kContacts,
    kEvents,
    kTimers,
    kOutbox,
    kIdempotency,
    kWorklist,
    kBreaches,
    kReceived,
    kPolicies,
    kPeople,
    kOpenCases,
    kAudit,
    kChecks,
    kDeliveries,
    kLetters,
    kFamilyCount
  };

  Store() = default;
  rocksdb::ColumnFamilyHandle* cf(Family f) const { return handles_[f]; }
  // Rewrites worklist entries of an older key format in the current one,
  // once, in one synced write with the new format marker.
  absl::Status UpgradeWorklist();
  // Reads the store's format marker: refuses a newer one, upgrades an
  // older one (the worklist keys, then the marker).
  absl::Status CheckFormat();
  // Reads the contact-id file and refuses a store whose contact counter is
  // behind the numbers known committed.
  absl::Status CheckContactIds(const std::filesystem::path& dir);
  absl::Status WriteContactIds(uint64_t reserved, uint64_t committed);
  // Every write goes through here: after a failed write (RocksDB then
  // stops writes), the next one first asks RocksDB to resume. While the
  // disk is full only writes with `on_reserve` (the read audit's) go ahead.
  absl::Status Write(rocksdb::WriteBatch* batch, std::string_view what, bool on_reserve = false);
  // The reserve file: TakeReserve (re)creates it when the disk has room for
  // it twice over; ReleaseReserve deletes it. True when done.
  bool TakeReserve();
  bool ReleaseReserve();
  // Asks RocksDB to resume after a failed write.
  absl::Status ResumeAfterFailure();
  absl::Status BackUpBeforeUpgrade(int format);

  StoreOptions options_;
  std::filesystem::path dir_;
  bool writes_refused_ = false;
  std::atomic<bool> needs_resume_{false};
  std::atomic<bool> disk_full_{false};
  absl::Mutex resume_mu_;
  absl::Mutex reserve_mu_;
  uint64_t ids_reserved_ = 0;
  uint64_t ids_committed_ = 0;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  // A secondary instance's own folder, removed on close.
  std::filesystem::path secondary_dir_;
};

}  // namespace frontdoor
