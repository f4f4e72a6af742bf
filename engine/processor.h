// The single writer (DESIGN.md principle 1). Commands from any thread are
// queued; one thread takes them in batches, decides each against the
// contact's current state, fires the timers that have come due, and writes
// everything the batch changed in one synced RocksDB WriteBatch. Only then
// does any caller in the batch hear back: group commit, so that one fsync
// acknowledges many contacts.
//
// What an event writes besides itself (timers, worklists, breaches, the
// outbox, indexes) comes from the batch projection (engine/batch_projection.h).
// When timers fire comes from the timer loop (engine/timer_loop.h): the
// thread sleeps until the earliest is due; with a manual clock time moves
// only through SetClock, which answers once every timer due by the new time
// has fired and its effects are committed. Timers that fell due while the
// server was down fire in the first batches after Start(), with their
// original due time in the breach. Delivering the outbox is the dispatcher's
// (engine/outbox.h), told of each commit by a CommitListener.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "engine/active_policy.h"
#include "engine/clock.h"
#include "engine/contact_machine.h"
#include "engine/metrics.h"
#include "engine/store.h"
#include "engine/timer_loop.h"
#include "frontdoor/thread_annotations.h"
#include "frontdoor/v1/api.pb.h"

namespace frontdoor {

struct ProcessorOptions {
  // Commands taken into one batch at most. Default: 512.
  size_t max_batch = 512;
  // Commands waiting beyond this are refused (the caller answers 503).
  // Default: 20000.
  size_t max_queue = 20000;
  // Timers fired in one batch at most, so that a backlog of overdue timers
  // does not hold up new contacts for long. Default: 2000.
  size_t max_timers_per_batch = 2000;
  // Where the timer loop reads pending timers; must outlive the Processor.
  // Tests wrap the store's to inject faults. Default: the store.
  const TimerTable* timers = nullptr;
  // An Idempotency-Key expires this long after it was first used (business
  // clock): a request with an expired key is a new contact. Zero: keys never
  // expire. Default: 30 days (config idempotency_retention_days).
  Millis idempotency_retention{Millis(30LL * 24 * 3'600'000)};
  // How often (business clock) the writer sweeps expired keys out of the
  // store, in its own batches. Default: 1 hour.
  Millis retention_sweep_every{3'600'000};
  // Keys the sweep looks at per batch, so that a big sweep holds up new
  // contacts only briefly. Default: 4096.
  size_t retention_sweep_scan = 4096;
};

// Manual clock only: move time to `to`, or on by `advance`, and fire what
// falls due.
struct SetClock {
  std::optional<TimePoint> to;
  Millis advance{0};
};

// The case management system says a case is open (or open with new
// details): contacts about its children go to its team.
struct RecordOpenCase {
  std::string case_id;
  v1::OpenCaseRequest open_case;
  v1::Actor actor;
};

// The case has closed.
struct CloseOpenCase {
  std::string case_id;
};

// A policy version about to come into force (a reload): stored, unless the
// store has it already, by the single writer before any contact is decided
// under it.
struct RememberPolicyVersion {
  v1::PolicyVersion version;
};

using Command = std::variant<SubmitContact, RecordDecision, RecordMashOutcome, RecordAuthorisation,
                             SetClock, RecordOpenCase, CloseOpenCase, AnswerCheck, ChangeRag,
                             RememberPolicyVersion>;

// What the caller of Submit hears back, on the Processor's thread.
struct CommandResult {
  // InvalidArgument, NotFound, FailedPrecondition (wrong state),
  // AlreadyExists (Idempotency-Key reused with another body), Unavailable
  // (the store could not commit; nothing was stored).
  absl::Status status;
  // The contact after the command; for a replayed Idempotency-Key, the
  // contact the first request made, as it is now. Shared, never copied:
  // the batch's overlay and the caller read the same record.
  std::shared_ptr<const v1::ContactRecord> contact;
  bool replayed = false;
  // SetClock: the clock's new time.
  TimePoint now;
  // The outbox sequence committed with (or before) this command; a caller
  // can wait for sinks to deliver up to it.
  uint64_t outbox_seq = 0;
};

inline CommandResult Failed(absl::Status status) {
  CommandResult r;
  r.status = std::move(status);
  return r;
}

// What one committed batch changed.
struct CommitNotice {
  // The outbox is committed up to this sequence number.
  uint64_t outbox_seq = 0;
  // The events the batch stored, in order.
  const std::vector<v1::Event>& events;
  // Each contact the batch changed, as committed.
  const std::vector<std::shared_ptr<const v1::ContactRecord>>& contacts;
};

// Called on the Processor's thread after each commit. Must be quick and
// must not call Submit.
using CommitListener = std::function<void(const CommitNotice&)>;

class Processor {
 public:
  // `clock` must be a ManualClock for SetClock to be accepted. All
  // references must outlive the Processor. `metrics` may be null.
  Processor(Store& store, Clock& clock, PolicySlot& policies, MetricsRegistry* metrics,
            ProcessorOptions options = {});
  ~Processor();
  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;

  // Loads the counters and starts the writer thread, which first fires the
  // timers already due. Call once, after AddCommitListener calls.
  absl::Status Start();
  // Finishes every command already queued, commits, and joins the thread.
  // Later Submit calls are refused. Idempotent.
  void Stop();

  // Queues `command`; `done` runs once it is durable or has failed. Returns
  // false (and never calls `done`) when the queue is full or the Processor
  // is stopping: the caller should answer 503.
  bool Submit(Command command, std::function<void(CommandResult)> done);

  // Queues every command together, in order, so that they are decided in
  // as few batches as the queue allows (one, for up to max_batch commands
  // behind a short queue). All or none: false, and no `done` called, when
  // they do not all fit or the Processor is stopping.
  bool SubmitAll(std::vector<std::pair<Command, std::function<void(CommandResult)>>> commands);

  void AddCommitListener(CommitListener listener);

  // True once the timers overdue at Start() have fired.
  bool recovered() const { return timers_.recovered(); }
  size_t queue_depth() const LOCKS_EXCLUDED(mu_);

 private:
  struct Pending {
    Command command;
    std::function<void(CommandResult)> done;
  };
  class BatchRun;

  void Run() LOCKS_EXCLUDED(mu_);
  // Waits for commands, or until the timer loop has work.
  void AwaitWork() EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ProcessBatch(std::vector<Pending>& pending);
  absl::Status LoadCounters();
  // How long the writer may wait before the retention sweep has work; as
  // TimerLoop::IdleFor.
  std::optional<Millis> SweepIdleFor() const;

  Store& store_;
  Clock& clock_;
  PolicySlot& policies_;
  MetricsRegistry* const metrics_;
  const ProcessorOptions options_;
  // Times the timer loop's retries after a failed read.
  const SystemClock retry_clock_;
  const StoreTimerTable store_timers_;

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  std::deque<Pending> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;

  // Writer thread only.
  uint64_t next_contact_number_ = 0;
  uint64_t next_outbox_seq_ = 0;
  uint64_t next_person_number_ = 0;
  TimerLoop timers_;
  std::vector<CommitListener> listeners_;
  // The idempotency-key retention sweep: a pass over every stored key, a
  // page per batch, once every retention_sweep_every. Adopted from a batch
  // only if it commits.
  struct Sweep {
    bool running = false;
    // The last key looked at in the pass under way.
    std::string after;
    // The next pass starts in the first batch at or after this.
    TimePoint next_at{};
  };
  Sweep sweep_;

  std::thread thread_;

  // Contacts in each state and open timescales of each kind, kept as
  // counters in the store and changed in the batches that change them:
  // "state/AWAITING_DECISION", "state/IN_MASH", "state/CLOSED",
  // "open/decision", "open/mash". Read by the metrics.
  std::map<std::string, std::atomic<int64_t>> tallies_;

  Histogram* batch_size_ = nullptr;
  Histogram* commit_seconds_ = nullptr;
  Counter* contacts_created_ = nullptr;
  Counter* breaches_raised_ = nullptr;
  Counter* commit_failures_ = nullptr;
  // The writer's failed-commit log line, at most once a second (a full
  // disk fails every batch, and the log may be on that disk).
  std::chrono::steady_clock::time_point last_failure_logged_{};
  uint64_t failures_not_logged_ = 0;
  Counter* keys_expired_ = nullptr;
};

}  // namespace frontdoor
