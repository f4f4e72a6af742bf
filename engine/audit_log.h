// The read audit's writer (DESIGN.md principle 9). A handler that has read
// a child's data appends a row and answers only once the row is durable:
// the same synced WAL write as a contact's (StoreOptions.sync). One thread
// writes whatever was queued while its last write synced, so concurrent
// reads share one fsync (group commit). Rows are numbered here, from the
// last stored seq, so numbers keep increasing across restarts. Nothing
// changes or deletes a row.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "engine/clock.h"
#include "engine/metrics.h"
#include "engine/store.h"
#include "frontdoor/thread_annotations.h"
#include "frontdoor/v1/audit.pb.h"

namespace frontdoor {

struct AuditLogOptions {
  // Rows written in one batch, at most. Default: 4096.
  size_t max_batch = 4096;
  // Rows queued before Append refuses more (Unavailable). Default: 65536.
  size_t max_queued = 65536;
};

class AuditLog {
 public:
  // Called once the row is durable (OK) or could not be stored (the store's
  // error), on the writer thread: keep it short and post elsewhere.
  using Done = std::function<void(absl::Status)>;

  // `real_clock` stamps rows' `at` (the system clock in a server, also
  // under a manual business clock), `clock` their `clock_at`. References
  // outlive the AuditLog; `metrics` may be null.
  AuditLog(Store& store, const Clock& real_clock, const Clock& clock, MetricsRegistry* metrics,
           AuditLogOptions options = {});
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Reads the last stored seq, then starts the writer thread. Rows
  // appended before Start wait for it (and go in one batch).
  absl::Status Start();
  // Writes what is queued, then stops; later appends are refused. Idempotent.
  void Stop();

  // Queues the row (seq, at and clock_at are set here). Any thread.
  void Append(v1::AuditRecord row, Done done) LOCKS_EXCLUDED(mu_);

  // Synced writes so far, and rows in them. Any thread.
  uint64_t batches_written() const LOCKS_EXCLUDED(mu_);
  uint64_t rows_written() const LOCKS_EXCLUDED(mu_);

 private:
  struct Pending {
    v1::AuditRecord row;
    Done done;
  };
  void Run();

  Store& store_;
  const Clock& real_clock_;
  const Clock& clock_;
  const AuditLogOptions options_;
  Counter* rows_counter_ = nullptr;
  Counter* batches_counter_ = nullptr;
  Counter* failures_counter_ = nullptr;

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  std::deque<Pending> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  bool stopped_ GUARDED_BY(mu_) = false;
  uint64_t batches_ GUARDED_BY(mu_) = 0;
  uint64_t rows_ GUARDED_BY(mu_) = 0;

  // The writer thread's own.
  uint64_t last_seq_ = 0;
  std::thread thread_;
};

// Who read or changed the contact, oldest first by the business clock: its
// audit rows merged with its events (a change's actor is the event's
// caused_by, else its actor id; none for the timers). At an equal time a
// change comes before a read.
absl::StatusOr<v1::ContactAudit> ReadContactAudit(const Store& store, std::string_view contact_id);

// The page token that reads on after `row` of an actor's audit, and back
// again; nullopt for a token this server did not give.
std::string AuditPageToken(const v1::AuditRecord& row);
std::optional<Store::AuditPosition> ParseAuditPageToken(std::string_view token);

}  // namespace frontdoor
