// The system clock, truncated to the milliseconds the engine counts in.
#include "engine/clock.h"

#include <chrono>

namespace frontdoor {

TimePoint SystemClock::Now() const {
  return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
}

}  // namespace frontdoor
