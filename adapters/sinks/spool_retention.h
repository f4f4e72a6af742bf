// How long the spool folder keeps its files (config spool_retention_days).
// The system that collects letters and alerts from the spool should take
// each file away once handled; whatever it leaves is deleted by frontdoor
// once its last change is `keep` old on the business clock, so the folder
// cannot grow without bound. What a letter said and how it went out stay in
// the store (GET /v1/contacts/{id}/letters); only the file goes.
#pragma once

#include <cstddef>
#include <filesystem>

#include "absl/status/statusor.h"
#include "engine/clock.h"
#include "engine/metrics.h"

namespace frontdoor {

struct SpoolRetention {
  // Files whose last change is at least this old are deleted; zero: the
  // spool never deletes a file. Default: zero here; the server's default
  // is 30 days (config spool_retention_days).
  Millis keep{0};
  // The business clock the age is judged by; null: never deleted.
  const Clock* clock = nullptr;
  // The folder is looked at after a page is written, at most this often.
  // Default: 1 hour.
  Millis every{3'600'000};
  // Counts the files deleted; may be null.
  Counter* removed = nullptr;
};

// Deletes the regular files in `dir`/letters and `dir`/events (`*.json`,
// and `*.tmp` left by a crash) whose modification time is at or before
// `now - keep`. Returns how many were deleted. A file that vanishes
// meanwhile (its collector took it) is not an error; a folder that cannot
// be read is (Unavailable, naming it).
absl::StatusOr<size_t> PruneSpool(const std::filesystem::path& dir, TimePoint now, Millis keep);

}  // namespace frontdoor
