// The spool folder writer: files under temporary names, one sync, renames.
#include "adapters/sinks/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>
#include <vector>

#include "adapters/sinks/cloudevents.h"

namespace frontdoor {

namespace {

// "cannot create /spool/letters/x.tmp: Read-only file system": what failed,
// then the cause from errno, last (GET /readyz shows the cause alone).
absl::Status Failure(std::string_view what, const std::filesystem::path& path, int error) {
  return absl::UnavailableError(std::string(what) + " " + path.string() + ": " +
                                std::generic_category().message(error));
}

// Writes `text` to `path` (not yet synced).
absl::Status WriteFile(const std::filesystem::path& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Failure("cannot create", path, errno);
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) {
      const int error = n < 0 ? errno : ENOSPC;
      ::close(fd);
      return Failure("cannot write", path, error);
    }
    written += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Failure("cannot close", path, errno);
  return absl::OkStatus();
}

// Flushes everything written to the spool's filesystem: one call for a
// whole page of files instead of an fsync for each.
absl::Status SyncFilesystem(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Failure("cannot open", dir, errno);
  int rc = ::syncfs(fd);
  const int error = errno;
  ::close(fd);
  return rc == 0 ? absl::OkStatus() : Failure("cannot sync", dir, error);
}

absl::Status SyncFolder(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Failure("cannot open", dir, errno);
  int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  return rc == 0 ? absl::OkStatus() : Failure("cannot sync", dir, error);
}

}  // namespace

absl::Status Spool::Open() {
  std::error_code ec;
  for (const char* sub : {"letters", "events"}) {
    std::filesystem::create_directories(dir_ / sub, ec);
    if (ec) return Failure("cannot create", dir_ / sub, ec.value());
  }
  return absl::OkStatus();
}

bool Spool::Wants(const v1::Event& e) const {
  switch (e.body_case()) {
    case v1::Event::kLetterIssued:
      return !e.letter_issued().letter().undeliverable();
    case v1::Event::kTimescaleBreached:
    case v1::Event::kEdtAlert:
    case v1::Event::kContactClosed:
    case v1::Event::kCheckOverdue:
      return true;
    default:
      return false;
  }
}

absl::Status Spool::Deliver(absl::Span<const v1::OutboxEntry> entries) {
  MaybePrune();
  // Every file is written under a temporary name, all are made durable
  // with one filesystem sync, and only then renamed into place, so a
  // reader never sees a partial letter, even after a power cut.
  // A folder removed since the start is made again, as at the start.
  if (auto s = Open(); !s.ok()) return s;
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> moves;
  moves.reserve(entries.size());
  for (const v1::OutboxEntry& entry : entries) {
    const v1::Event& e = entry.event();
    auto path = dir_ / (e.has_letter_issued() ? "letters" : "events") / (e.id() + ".json");
    auto tmp = path;
    tmp += ".tmp";
    if (auto s = WriteFile(tmp, ToCloudEventJson(e)); !s.ok()) return s;
    moves.emplace_back(std::move(tmp), std::move(path));
  }
  if (auto s = SyncFilesystem(dir_); !s.ok()) return s;
  for (const auto& [from, to] : moves) {
    std::error_code ec;
    std::filesystem::rename(from, to, ec);
    if (ec) return Failure("cannot rename", from, ec.value());
  }
  for (const char* sub : {"letters", "events"}) {
    if (auto s = SyncFolder(dir_ / sub); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace frontdoor
