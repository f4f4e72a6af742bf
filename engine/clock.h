// The engine's only source of "now". Production reads the system clock;
// tests and `serve --clock manual` use a ManualClock that moves only when
// told, so 72 hours can pass in a microsecond (DESIGN.md principle 5).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>

#include "frontdoor/proto_time.h"

namespace frontdoor {

// The latest time the manual clock may be set or advanced to. Every due
// time is the clock plus a policy timescale (at most about ten years,
// rules/policy_check.cc), so this keeps every instant the engine makes far
// inside what the store can hold (kLatestInstant, year 9999).
inline constexpr TimePoint kLatestClockTime{
    std::chrono::sys_days{std::chrono::year{9000} / 1 / 1}.time_since_epoch()};

// Thread-safe: Now() may be called from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  // A manual clock never moves by itself, so nothing should wait for it.
  virtual bool IsManual() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  bool IsManual() const override { return false; }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_ms_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(Millis(now_ms_.load())); }
  bool IsManual() const override { return true; }
  // Moves the clock to `t`. The caller keeps it from going backwards.
  // Times past kLatestClockTime are held at it (callers refuse them first).
  void Set(TimePoint t) { now_ms_.store(std::min(t, kLatestClockTime).time_since_epoch().count()); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace frontdoor
