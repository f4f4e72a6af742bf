// The spool's retention: files older than the configured age are deleted,
// judged by their modification time against the business clock.
#include "adapters/sinks/spool_retention.h"

#include <sys/stat.h>

#include <system_error>

#include "adapters/sinks/spool.h"
#include "spdlog/spdlog.h"

namespace frontdoor {

absl::StatusOr<size_t> PruneSpool(const std::filesystem::path& dir, TimePoint now, Millis keep) {
  if (keep <= Millis(0)) return 0;
  const int64_t cutoff_ms = (now - keep).time_since_epoch().count();
  size_t removed = 0;
  for (const char* sub : {"letters", "events"}) {
    const std::filesystem::path folder = dir / sub;
    std::error_code ec;
    std::filesystem::directory_iterator it(folder, ec);
    if (ec) {
      if (ec == std::errc::no_such_file_or_directory) continue;
      return absl::UnavailableError("cannot read " + folder.string() + ": " + ec.message());
    }
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
      const std::filesystem::path& path = it->path();
      struct stat st {};
      if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      const int64_t mtime_ms =
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
      if (mtime_ms > cutoff_ms) continue;
      std::error_code gone;
      if (std::filesystem::remove(path, gone)) {
        ++removed;
      } else if (gone) {
        return absl::UnavailableError("cannot delete " + path.string() + ": " + gone.message());
      }
    }
    if (ec) return absl::UnavailableError("cannot read " + folder.string() + ": " + ec.message());
  }
  return removed;
}

void Spool::MaybePrune() {
  if (retention_.keep <= Millis(0) || retention_.clock == nullptr) return;
  const TimePoint now = retention_.clock->Now();
  if (now < next_prune_at_) return;
  next_prune_at_ = now + retention_.every;
  auto removed = PruneSpool(dir_, now, retention_.keep);
  if (!removed.ok()) {
    spdlog::error("spool retention: {}", removed.status().ToString());
    return;
  }
  if (*removed > 0) {
    spdlog::info("spool retention: {} files older than {} days deleted", *removed,
                 retention_.keep.count() / 86'400'000);
    if (retention_.removed != nullptr) retention_.removed->Increment(*removed);
  }
}

}  // namespace frontdoor
