// The timer loop (DESIGN.md principle 3): decides WHEN timers fire; the
// writer (engine/processor.h) fires them. Pending timers are keys in the
// store, ordered by due time; only the earliest due time is kept here. The
// loop tells the writer how long it may wait for commands before timers are
// due, hands each batch the timers due by the batch's time (up to a limit,
// so that a backlog does not hold new contacts up), and after the commit
// learns what is due next. Firing stays a command through the writer: the
// timer's deletion and its effect (a breach, a warning) go into the same
// batch, so each timer takes effect exactly once, across crashes too.
//
// Recovery: timers that fell due while the server was down fire in the
// first batches after start; `recovered()` turns true once none is left.
// With a manual clock time moves only by clock steps (SetClock), each
// answered once every timer due by the new time has fired and committed.
// When the timers cannot be read, that is an error, not "none due": the
// loop is not recovered, clock steps stay unanswered, and the writer tries
// again after a backoff.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/clock.h"
#include "engine/store.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/v1/store.pb.h"

namespace frontdoor {

// Where the loop reads pending timers: the store, or in a test a wrapper of
// it that fails.
class TimerTable {
 public:
  virtual ~TimerTable() = default;
  // Pending timers due in [from, up_to], earliest first, at most `limit`.
  virtual absl::StatusOr<std::vector<v1::Timer>> DueTimers(TimePoint from, TimePoint up_to,
                                                           size_t limit) const = 0;
};

// The store's timers column family.
class StoreTimerTable final : public TimerTable {
 public:
  explicit StoreTimerTable(const Store& store) : store_(store) {}
  absl::StatusOr<std::vector<v1::Timer>> DueTimers(TimePoint from, TimePoint up_to,
                                                   size_t limit) const override {
    return store_.DueTimers(from, up_to, limit);
  }

 private:
  const Store& store_;
};

struct TimerLoopOptions {
  // Timers fired in one batch at most. Default: 2000.
  size_t max_timers_per_batch = 2000;
  // The wait before reading the timers again after a failed read, doubled
  // after each further failure. Default: 10 ms.
  Millis first_retry{10};
  // Default: 1 s.
  Millis max_retry{1000};
};

// Used by the writer thread only, except recovered().
class TimerLoop {
 public:
  // `clock` is the business clock the timers are due by; `retry_clock`
  // times the retries after a failed read (the system clock in a server).
  // References must outlive the loop.
  TimerLoop(const TimerTable& table, const Clock& clock, const Clock& retry_clock,
            TimerLoopOptions options = {});

  // Finds the earliest pending timer. Call once, before the writer starts.
  absl::Status Load();

  // How long the writer may wait for a command before the loop has work:
  // zero when timers are due (or the start-up sweep or a clock step is
  // unfinished), the time to the earliest due timer with the system clock,
  // the rest of the backoff after a failed read, nullopt when only a
  // command can bring work.
  std::optional<Millis> IdleFor() const;

  // One batch's dealings with the timers, adopted only if it commits.
  class Batch {
   public:
    // The batch started a timer (a timescale or its warning) due at `due`.
    void Started(TimePoint due, TimePoint now);
    // The batch fired the timer due at `due`.
    void Fired(TimePoint due);

   private:
    friend class TimerLoop;
    explicit Batch(TimePoint floor) : floor_(floor) {}
    // Every timer before this has fired or been deleted.
    TimePoint floor_;
    bool started_overdue_ = false;
    // The earliest timer the batch started: not in the store when the batch
    // read it, so the floor must not pass it, and a clock step later in the
    // batch can make it due.
    std::optional<TimePoint> earliest_started_;
    bool read_ = false;
    bool read_failed_ = false;
    bool hit_limit_ = false;
  };
  Batch BeginBatch() const { return Batch(floor_); }

  // The timers due by `now` for `batch` to fire, earliest first. An error
  // when they cannot be read: the batch fires none, and the loop is not
  // done with `now` (see Finish).
  absl::StatusOr<std::vector<v1::Timer>> TakeDue(Batch& batch, TimePoint now);

  // A clock step waits for the timers it passed: `answer` runs once the
  // batch that fires the last of them has committed, with the commit's
  // status, or with Unavailable when the writer stops first.
  void AddClockWaiter(std::function<void(absl::Status)> answer);

  // After `batch`'s commit (`committed` is its status): adopts its floor if
  // it committed, learns the next due time, and when nothing due is left,
  // marks recovery done and answers the clock steps. After a failed read
  // of the timers, schedules the retry instead.
  void Finish(const Batch& batch, const absl::Status& committed);

  // Answers every waiting clock step with `status` (the writer stops).
  void AbandonWaiters(const absl::Status& status);

  // True once the timers overdue at start have fired. Any thread.
  bool recovered() const { return recovered_.load(); }

 private:
  // After a failed read or commit: the writer waits before trying again.
  void ScheduleRetry();

  const TimerTable& table_;
  const Clock& clock_;
  const Clock& retry_clock_;
  const TimerLoopOptions options_;

  // Every timer before this has fired or been deleted (committed).
  TimePoint floor_{};
  std::optional<TimePoint> next_due_;
  // The last batch left timers due: the next one must not wait.
  bool more_due_ = true;
  std::vector<std::function<void(absl::Status)>> waiters_;
  // After a failed read: not before this (on retry_clock_).
  std::optional<TimePoint> retry_at_;
  Millis retry_;
  std::atomic<bool> recovered_{false};
};

}  // namespace frontdoor
