// Conversions between TimePoint, google.protobuf.Timestamp and text. RFC 3339
// parsing is protobuf's own (TimeUtil), so the store and the wire agree;
// dates are written with date's `format` (header-only date/date.h).
#include "frontdoor/proto_time.h"

#include <algorithm>
#include <charconv>

#include "date/date.h"
#include "google/protobuf/util/time_util.h"

namespace frontdoor {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToProto(TimePoint t) {
  // TimeUtil CHECK-fails (aborts) past year 9999; saturate instead.
  t = std::clamp(t, kEarliestInstant, kLatestInstant);
  return TimeUtil::MillisecondsToTimestamp(t.time_since_epoch().count());
}

TimePoint FromProto(const google::protobuf::Timestamp& t) {
  return TimePoint(Millis(TimeUtil::TimestampToMilliseconds(t)));
}

std::string FormatRfc3339(TimePoint t) { return TimeUtil::ToString(ToProto(t)); }

absl::StatusOr<TimePoint> ParseRfc3339(std::string_view text) {
  google::protobuf::Timestamp ts;
  if (!TimeUtil::FromString(std::string(text), &ts)) {
    return absl::InvalidArgumentError(
        "is not an RFC 3339 date and time, e.g. 2026-11-24T09:30:00Z");
  }
  return FromProto(ts);
}

std::optional<std::chrono::year_month_day> ParseIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0;
  unsigned m = 0, d = 0;
  auto num = [&](size_t pos, size_t len, auto& out) {
    auto [p, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
    return ec == std::errc() && p == text.data() + pos + len;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::string FormatIsoDate(std::chrono::year_month_day d) {
  return date::format("%F", date::sys_days(std::chrono::sys_days(d).time_since_epoch()));
}

absl::StatusOr<Millis> ParseIsoDuration(std::string_view text) {
  auto bad = [] {
    return absl::InvalidArgumentError(
        "is not an ISO 8601 duration of days, hours, minutes or seconds, e.g. PT25H or P3D");
  };
  if (text.size() < 2 || text[0] != 'P') return bad();
  double total_ms = 0;
  bool in_time = false, any = false;
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time) return bad();
      in_time = true;
      ++i;
      continue;
    }
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (i == start || i == text.size()) return bad();
    double value = 0;
    auto [p, ec] = std::from_chars(text.data() + start, text.data() + i, value);
    if (ec != std::errc() || p != text.data() + i) return bad();
    char unit = text[i++];
    if (!in_time && unit == 'D') {
      total_ms += value * 86'400'000.0;
    } else if (in_time && unit == 'H') {
      total_ms += value * 3'600'000.0;
    } else if (in_time && unit == 'M') {
      total_ms += value * 60'000.0;
    } else if (in_time && unit == 'S') {
      total_ms += value * 1'000.0;
    } else {
      return bad();
    }
    any = true;
  }
  if (!any || total_ms > 1e15) return bad();
  return Millis(static_cast<int64_t>(total_ms + 0.5));
}

}  // namespace frontdoor
