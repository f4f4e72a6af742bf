// The spool folder writer and its delivery loop.
#include "adapters/sinks/spool.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <chrono>

#include "adapters/sinks/cloudevents.h"
#include "spdlog/spdlog.h"

namespace frontdoor {

namespace {

// Writes `text` to `path` (not yet synced).
absl::Status WriteFile(const std::filesystem::path& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return absl::UnavailableError("cannot create " + path.string());
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) {
      ::close(fd);
      return absl::UnavailableError("cannot write " + path.string());
    }
    written += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return absl::UnavailableError("cannot close " + path.string());
  return absl::OkStatus();
}

// Flushes everything written to the spool's filesystem: one call for a
// whole page of files instead of an fsync for each.
absl::Status SyncFilesystem(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return absl::UnavailableError("cannot open " + dir.string());
  int rc = ::syncfs(fd);
  ::close(fd);
  return rc == 0 ? absl::OkStatus() : absl::UnavailableError("cannot sync " + dir.string());
}

absl::Status SyncFolder(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return absl::UnavailableError("cannot open " + dir.string());
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? absl::OkStatus() : absl::UnavailableError("cannot sync " + dir.string());
}

}  // namespace

SpoolDispatcher::SpoolDispatcher(Store& store, std::filesystem::path dir, DeliveryWatch& watch,
                                 MetricsRegistry* metrics)
    : store_(store), dir_(std::move(dir)), watch_(watch) {
  if (metrics != nullptr) {
    delivered_ = &metrics->GetCounter("frontdoor_outbox_delivered_total",
                                      "Emitted events delivered", "sink=\"spool\"");
    failures_ = &metrics->GetCounter("frontdoor_outbox_failures_total",
                                     "Failed delivery attempts", "sink=\"spool\"");
    metrics->AddGauge("frontdoor_outbox_backlog", "Emitted events not yet delivered", [this] {
      std::lock_guard lock(mu_);
      return static_cast<double>(committed_ - std::min(committed_, watch_.delivered()));
    });
  }
}

SpoolDispatcher::~SpoolDispatcher() { Stop(); }

absl::Status SpoolDispatcher::Start() {
  std::error_code ec;
  for (const char* sub : {"letters", "events"}) {
    std::filesystem::create_directories(dir_ / sub, ec);
    if (ec) return absl::UnavailableError("cannot create " + (dir_ / sub).string());
  }
  auto cursor = store_.GetCursor(kSinkName);
  if (!cursor.ok()) return cursor.status();
  cursor_ = *cursor;
  auto committed = store_.GetCounter("outbox");
  if (!committed.ok()) return committed.status();
  {
    std::lock_guard lock(mu_);
    committed_ = std::max(committed_, *committed);
  }
  watch_.Delivered(cursor_);
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "fd-spool");
    // Delivery is asynchronous to the acknowledgement: in a burst it yields
    // the CPU to taking contacts in, and catches up afterwards.
    sched_param idle{};
    ::sched_setscheduler(0, SCHED_IDLE, &idle);
    Run();
  });
  return absl::OkStatus();
}

void SpoolDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SpoolDispatcher::Notify(uint64_t seq) {
  {
    std::lock_guard lock(mu_);
    committed_ = std::max(committed_, seq);
  }
  cv_.notify_one();
}

void SpoolDispatcher::Run() {
  auto backoff = std::chrono::milliseconds(100);
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || committed_ > cursor_; });
      // What is left stays in the outbox and goes out after the next start.
      if (stopping_) return;
    }
    auto delivered = DeliverSome();
    if (delivered.ok()) {
      backoff = std::chrono::milliseconds(100);
      continue;
    }
    if (failures_) failures_->Increment();
    spdlog::error("spool delivery failed, will retry: {}", delivered.status().ToString());
    std::unique_lock lock(mu_);
    if (stopping_) return;
    cv_.wait_for(lock, backoff, [&] { return stopping_; });
    backoff = std::min(backoff * 2, std::chrono::milliseconds(30'000));
  }
}

absl::StatusOr<size_t> SpoolDispatcher::DeliverSome() {
  auto entries = store_.ReadOutbox(cursor_, 1024);
  if (!entries.ok()) return entries.status();
  if (entries->empty()) {
    // Committed entries are always readable; nothing here means the counter
    // ran ahead of a failed batch. Catch up with what is stored.
    std::lock_guard lock(mu_);
    committed_ = cursor_;
    return 0;
  }
  // Every file is written under a temporary name, all are made durable
  // with one filesystem sync, and only then renamed into place, so a
  // reader never sees a partial letter, even after a power cut.
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> moves;
  moves.reserve(entries->size());
  for (const v1::OutboxEntry& entry : *entries) {
    if (!entry.has_event()) {
      spdlog::error("outbox entry {} cannot be read and is set aside", entry.seq());
      if (failures_) failures_->Increment();
      continue;
    }
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
    if (ec) return absl::UnavailableError("cannot rename " + from.string() + ": " + ec.message());
  }
  for (const char* sub : {"letters", "events"}) {
    if (auto s = SyncFolder(dir_ / sub); !s.ok()) return s;
  }
  uint64_t last = entries->back().seq();
  if (auto s = store_.SetCursor(kSinkName, last); !s.ok()) return s;
  cursor_ = last;
  if (delivered_) delivered_->Increment(entries->size());
  watch_.Delivered(last);
  return entries->size();
}

}  // namespace frontdoor
