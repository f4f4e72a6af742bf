// Locating Europe/London once, guarded, and converting to and from it. The
// date/tz library throws when a zone is missing; that is caught here and
// nowhere else.
#include "calendar/london_time.h"

#include <string>

#include "date/tz.h"

namespace frontdoor {

namespace {

struct LondonZone {
  const date::time_zone* zone = nullptr;
  absl::Status status;
};

const LondonZone& LondonOnce() {
  static const LondonZone london = [] {
    LondonZone out;
    absl::StatusOr<const date::time_zone*> zone = LocateZone(kLondonZone);
    if (zone.ok()) {
      out.zone = *zone;
    } else {
      out.status = zone.status();
    }
    return out;
  }();
  return london;
}

}  // namespace

absl::StatusOr<const date::time_zone*> LocateZone(std::string_view name) {
  try {
    return date::locate_zone(std::string(name));
  } catch (const std::exception& e) {
    return absl::NotFoundError(
        "time zone " + std::string(name) +
        " is not in the time zone database (is tzdata installed?): " + e.what());
  }
}

const date::time_zone* London() { return LondonOnce().zone; }

absl::Status LondonStatus() { return LondonOnce().status; }

Millis ToLondon(TimePoint t) {
  if (const date::time_zone* zone = London()) return zone->to_local(t).time_since_epoch();
  return t.time_since_epoch();
}

TimePoint FromLondon(Millis local) {
  if (const date::time_zone* zone = London()) {
    // `earliest` resolves the hour that happens twice in October and skips
    // the one that never happens in March instead of throwing.
    return zone->to_sys(date::local_time<Millis>(local), date::choose::earliest);
  }
  return TimePoint(local);
}

std::chrono::year_month_day LondonDate(TimePoint t) {
  return std::chrono::year_month_day(
      std::chrono::sys_days(std::chrono::floor<std::chrono::days>(ToLondon(t))));
}

}  // namespace frontdoor
