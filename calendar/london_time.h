// Europe/London: the one place the front door looks the zone up in the time
// zone database, and the conversions between UTC instants and London local
// time that the calendar and the date wording share. A missing zone (no
// tzdata installed) is an error value here, never an exception: the lookup
// runs on the writer thread. Without the zone, London time falls back to UTC
// rather than stopping the server; deploy/install-deps.sh installs tzdata.
//
// Everything here is thread-safe.
#pragma once

#include <chrono>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "frontdoor/proto_time.h"

namespace date {
class time_zone;
}  // namespace date

namespace frontdoor {

inline constexpr char kLondonZone[] = "Europe/London";

// The zone called `name` ("Europe/London") in the OS time zone database.
// Errors: NotFound when the database has no such zone or is not installed.
absl::StatusOr<const date::time_zone*> LocateZone(std::string_view name);

// Europe/London, looked up once on first use; null when LocateZone failed,
// in which case London time below is UTC.
const date::time_zone* London();

// OK when London time is in use; otherwise why UTC stands in for it, for the
// server to report at start.
absl::Status LondonStatus();

// London local time as milliseconds since local midnight, 1 January 1970.
Millis ToLondon(TimePoint t);

// The instant of a London local time. The hour that happens twice in
// October is taken at its first occurrence; a time in the hour skipped in
// March is the instant the clocks went forward.
TimePoint FromLondon(Millis local);

// The date in Europe/London at `t`.
std::chrono::year_month_day LondonDate(TimePoint t);

}  // namespace frontdoor
