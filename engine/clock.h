// The engine's only source of "now". Production reads the system clock;
// tests and `serve --clock manual` use a ManualClock that moves only when
// told, so 72 hours can pass in a microsecond (DESIGN.md principle 5).
#pragma once

#include <atomic>

#include "frontdoor/proto_time.h"

namespace frontdoor {

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
  void Set(TimePoint t) { now_ms_.store(t.time_since_epoch().count()); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace frontdoor
