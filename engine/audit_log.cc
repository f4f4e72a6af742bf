// The audit log's writer thread: take everything queued, number it, write
// it in one synced batch, tell each waiter. A failed write fails every row
// of its batch (the handlers then refuse the read) and the numbers it took
// are not reused.
#include "engine/audit_log.h"

#include <pthread.h>

#include <charconv>
#include <utility>

#include "frontdoor/proto_time.h"

namespace frontdoor {

AuditLog::AuditLog(Store& store, const Clock& real_clock, const Clock& clock,
                   MetricsRegistry* metrics, AuditLogOptions options)
    : store_(store), real_clock_(real_clock), clock_(clock), options_(options) {
  if (metrics != nullptr) {
    rows_counter_ =
        &metrics->GetCounter("frontdoor_audit_rows_total", "Reads recorded in the audit log", "");
    batches_counter_ =
        &metrics->GetCounter("frontdoor_audit_batches_total", "Synced writes of the audit log", "");
    failures_counter_ = &metrics->GetCounter("frontdoor_audit_failures_total",
                                             "Audit rows that could not be stored", "");
  }
}

AuditLog::~AuditLog() { Stop(); }

absl::Status AuditLog::Start() {
  auto last = store_.LastAuditSeq();
  if (!last.ok()) return last.status();
  last_seq_ = *last;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "fd-audit");
    Run();
  });
  return absl::OkStatus();
}

void AuditLog::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
  std::deque<Pending> left;
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
    left.swap(queue_);
  }
  // Never started: nothing will write these.
  for (Pending& p : left) p.done(absl::UnavailableError("the audit log has stopped"));
}

void AuditLog::Append(v1::AuditRecord row, Done done) {
  *row.mutable_at() = ToProto(real_clock_.Now());
  *row.mutable_clock_at() = ToProto(clock_.Now());
  {
    absl::MutexLock lock(&mu_);
    if (!stopped_ && !stopping_ && queue_.size() < options_.max_queued) {
      queue_.push_back({std::move(row), std::move(done)});
      cv_.Signal();
      return;
    }
  }
  done(absl::UnavailableError("the audit log cannot take more reads; try again in a moment"));
}

uint64_t AuditLog::batches_written() const {
  absl::MutexLock lock(&mu_);
  return batches_;
}

uint64_t AuditLog::rows_written() const {
  absl::MutexLock lock(&mu_);
  return rows_;
}

void AuditLog::Run() {
  std::vector<Pending> batch;
  std::vector<v1::AuditRecord> rows;
  for (;;) {
    batch.clear();
    rows.clear();
    {
      absl::MutexLock lock(&mu_);
      while (queue_.empty() && !stopping_) cv_.Wait(&mu_);
      if (queue_.empty()) return;  // stopping, and everything written
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    rows.reserve(batch.size());
    for (Pending& p : batch) {
      p.row.set_seq(++last_seq_);
      rows.push_back(p.row);
    }
    absl::Status status = store_.AppendAudit(rows);
    if (status.ok()) {
      absl::MutexLock lock(&mu_);
      ++batches_;
      rows_ += rows.size();
    }
    if (status.ok() && rows_counter_ != nullptr) {
      rows_counter_->Increment(rows.size());
      batches_counter_->Increment();
    } else if (!status.ok() && failures_counter_ != nullptr) {
      failures_counter_->Increment(rows.size());
    }
    for (Pending& p : batch) p.done(status);
  }
}

namespace {

v1::Actor ActorOfEvent(const v1::Event& event) {
  if (event.has_caused_by()) return event.caused_by();
  v1::Actor actor;
  actor.set_id(event.actor());
  actor.set_name(event.actor());
  return actor;
}

}  // namespace

absl::StatusOr<v1::ContactAudit> ReadContactAudit(const Store& store, std::string_view contact_id) {
  auto events = store.GetEvents(contact_id);
  if (!events.ok()) return events.status();
  auto reads = store.AuditOfContact(contact_id);
  if (!reads.ok()) return reads.status();
  v1::ContactAudit audit;
  audit.set_contact_id(std::string(contact_id));
  auto change = events->begin();
  auto read = reads->begin();
  while (change != events->end() || read != reads->end()) {
    v1::ContactAuditEntry& entry = *audit.add_entries();
    if (read == reads->end() ||
        (change != events->end() && FromProto(change->at()) <= FromProto(read->clock_at()))) {
      entry.set_kind(v1::ContactAuditEntry::CHANGE);
      *entry.mutable_at() = change->at();
      if (change->has_caused_by() || !change->actor().empty()) {
        *entry.mutable_actor() = ActorOfEvent(*change);
      }
      entry.set_event_type(change->type());
      entry.set_event_seq(change->seq());
      ++change;
    } else {
      entry.set_kind(v1::ContactAuditEntry::READ);
      *entry.mutable_at() = read->clock_at();
      *entry.mutable_actor() = read->actor();
      entry.set_read(read->what());
      entry.set_peer(read->peer());
      entry.set_path(read->path());
      entry.set_audit_seq(read->seq());
      ++read;
    }
  }
  return audit;
}

std::string AuditPageToken(const v1::AuditRecord& row) {
  return std::to_string(FromProto(row.at()).time_since_epoch().count()) + ":" +
         std::to_string(row.seq());
}

std::optional<Store::AuditPosition> ParseAuditPageToken(std::string_view token) {
  size_t colon = token.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == token.size()) {
    return std::nullopt;
  }
  int64_t ms = 0;
  uint64_t seq = 0;
  const char* end = token.data() + colon;
  auto [p, ec] = std::from_chars(token.data(), end, ms);
  if (ec != std::errc() || p != end || ms < 0 || ms > kLatestInstant.time_since_epoch().count()) {
    return std::nullopt;
  }
  const char* last = token.data() + token.size();
  auto [q, ec2] = std::from_chars(end + 1, last, seq);
  if (ec2 != std::errc() || q != last) return std::nullopt;
  return Store::AuditPosition{TimePoint(Millis(ms)), seq};
}

}  // namespace frontdoor
