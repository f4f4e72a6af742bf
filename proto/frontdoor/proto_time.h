// Time as the front door counts it: milliseconds since the Unix epoch in UTC,
// and conversions to and from google.protobuf.Timestamp and RFC 3339 text.
// Calendars (office hours, Europe/London) live in calendar/; this is only
// the representation every area shares.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "google/protobuf/timestamp.pb.h"

namespace frontdoor {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using Millis = std::chrono::milliseconds;

// The instants a google.protobuf.Timestamp can hold (years 1 to 9999).
// ToProto saturates at them rather than fail: inputs that could pass them
// (the admin clock, policy durations) are bounded where they enter.
inline constexpr TimePoint kEarliestInstant{Millis(-62'135'596'800'000)};
inline constexpr TimePoint kLatestInstant{Millis(253'402'300'799'999)};

google::protobuf::Timestamp ToProto(TimePoint t);
TimePoint FromProto(const google::protobuf::Timestamp& t);

// "2026-11-24T09:30:00Z", with milliseconds only when they are not zero.
std::string FormatRfc3339(TimePoint t);
// Accepts RFC 3339 with "Z" or a numeric offset. Errors: InvalidArgument.
absl::StatusOr<TimePoint> ParseRfc3339(std::string_view text);

// A calendar date written YYYY-MM-DD; nullopt unless it is a real date.
std::optional<std::chrono::year_month_day> ParseIsoDate(std::string_view text);
std::string FormatIsoDate(std::chrono::year_month_day d);

// ISO 8601 durations of days and time: "PT25H", "P3D", "P1DT30M", "PT0.5S".
// Years, months and weeks are refused (their length varies). Negative
// durations are refused. Errors: InvalidArgument.
absl::StatusOr<Millis> ParseIsoDuration(std::string_view text);

}  // namespace frontdoor
