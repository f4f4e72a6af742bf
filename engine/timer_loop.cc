// When timers fire: the earliest due time, the batch's due timers, recovery
// and clock steps, and retries after a failed read.
#include "engine/timer_loop.h"

#include <algorithm>

#include "spdlog/spdlog.h"

namespace frontdoor {

TimerLoop::TimerLoop(const TimerTable& table, const Clock& clock, const Clock& retry_clock,
                     TimerLoopOptions options)
    : table_(table),
      clock_(clock),
      retry_clock_(retry_clock),
      options_(options),
      retry_(options.first_retry) {}

absl::Status TimerLoop::Load() {
  auto earliest = table_.DueTimers(TimePoint{}, TimePoint::max() - Millis(1), 1);
  if (!earliest.ok()) return earliest.status();
  if (earliest->empty()) {
    floor_ = TimePoint{};
    next_due_.reset();
  } else {
    floor_ = FromProto((*earliest)[0].due_at());
    next_due_ = floor_;
  }
  return absl::OkStatus();
}

std::optional<Millis> TimerLoop::IdleFor() const {
  if (retry_at_) return std::max(*retry_at_ - retry_clock_.Now(), Millis(0));
  if (more_due_ || !waiters_.empty()) return Millis(0);
  if (!next_due_) return std::nullopt;
  const Millis left = *next_due_ - clock_.Now();
  if (left <= Millis(0)) return Millis(0);
  // A manual clock moves only by clock steps, which are commands.
  if (clock_.IsManual()) return std::nullopt;
  return left;
}

void TimerLoop::Batch::Started(TimePoint due, TimePoint now) {
  floor_ = std::max(std::min(floor_, due), TimePoint{});
  if (due <= now) started_overdue_ = true;
  if (!earliest_started_ || due < *earliest_started_) earliest_started_ = due;
}

void TimerLoop::Batch::Fired(TimePoint due) { floor_ = std::max(floor_, due); }

absl::StatusOr<std::vector<v1::Timer>> TimerLoop::TakeDue(Batch& batch, TimePoint now) {
  batch.read_ = true;
  auto timers = table_.DueTimers(batch.floor_, now, options_.max_timers_per_batch);
  if (!timers.ok()) {
    spdlog::error("reading due timers: {}", timers.status().ToString());
    batch.read_failed_ = true;
    return timers.status();
  }
  batch.hit_limit_ = timers->size() >= options_.max_timers_per_batch;
  // A timer started earlier in the batch, before a clock step moved `now`
  // past it, is due but was not in the store to read: the next batch fires it.
  if (batch.earliest_started_ && *batch.earliest_started_ <= now) batch.started_overdue_ = true;
  return timers;
}

void TimerLoop::AddClockWaiter(std::function<void(absl::Status)> answer) {
  waiters_.push_back(std::move(answer));
}

void TimerLoop::Finish(const Batch& batch, const absl::Status& committed) {
  // A committed batch may have started a timer already overdue, which
  // lowered its floor: keep that, whatever the read did, or the timer is
  // never read again until a restart.
  // Firing later timers must not lift the floor past one the batch started
  // (it was not read), or that timer is never read again until a restart.
  if (committed.ok()) {
    floor_ = batch.earliest_started_ ? std::min(batch.floor_, *batch.earliest_started_)
                                     : batch.floor_;
  }
  if (!batch.read_ || batch.read_failed_) {
    // Nothing is known of what is due: not recovered, clock steps wait.
    more_due_ = true;
    ScheduleRetry();
    return;
  }
  // Due timers are left when the batch hit its limit, or started a timer
  // that is already due (its key was not yet stored when the batch read).
  const bool drained = !batch.hit_limit_ && !batch.started_overdue_;
  if (committed.ok()) {
    more_due_ = !drained;
    if (drained) recovered_ = true;
    retry_ = options_.first_retry;
    retry_at_.reset();
  } else {
    // The timers it fired are still pending: try them again after a wait.
    more_due_ = true;
    ScheduleRetry();
  }
  if (drained) {
    // A clock step hears the commit's status: a failed commit is its error.
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& answer : waiters) answer(committed);
  }
  auto next = table_.DueTimers(floor_, TimePoint::max() - Millis(1), 1);
  if (!next.ok()) {
    spdlog::error("reading the next due timer: {}", next.status().ToString());
    next_due_.reset();
    more_due_ = true;
    ScheduleRetry();
    return;
  }
  next_due_ =
      next->empty() ? std::nullopt : std::optional<TimePoint>(FromProto((*next)[0].due_at()));
}

void TimerLoop::AbandonWaiters(const absl::Status& status) {
  auto waiters = std::move(waiters_);
  waiters_.clear();
  for (auto& answer : waiters) answer(status);
}

void TimerLoop::ScheduleRetry() {
  if (retry_at_ && retry_clock_.Now() < *retry_at_) return;
  retry_at_ = retry_clock_.Now() + retry_;
  retry_ = std::min(retry_ * 2, options_.max_retry);
}

}  // namespace frontdoor
