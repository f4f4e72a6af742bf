// The writer thread: batches of commands, decided against current state,
// turned into one WriteBatch together with everything that follows from
// their events (timers, worklists, breaches, outbox, indexes), committed once.
#include "engine/processor.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include "engine/people.h"
#include "engine/queries.h"
#include "frontdoor/codes.h"
#include "frontdoor/status_macros.h"
#include "spdlog/spdlog.h"

namespace frontdoor {

namespace {

constexpr char kContactCounter[] = "contact";
constexpr char kOutboxCounter[] = "outbox";
constexpr char kPersonCounter[] = "person";
constexpr const char* kTallies[] = {"state/AWAITING_DECISION", "state/IN_MASH", "state/CLOSED",
                                    "open/decision", "open/mash"};

std::string ContactIdFor(uint64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "FD-%08llu", static_cast<unsigned long long>(number));
  return buf;
}

// Events that leave the building: letters with somewhere to go, breaches,
// out-of-hours alerts and closures.
bool IsEmitted(const v1::Event& e) {
  switch (e.body_case()) {
    case v1::Event::kLetterIssued:
      return !e.letter_issued().letter().undeliverable();
    case v1::Event::kTimescaleBreached:
    case v1::Event::kEdtAlert:
    case v1::Event::kContactClosed:
      return true;
    default:
      return false;
  }
}

v1::Breach BreachOf(const v1::Contact& c, const v1::Deadline& d) {
  v1::Breach b;
  b.set_contact_id(c.id());
  b.set_timescale(d.name());
  *b.mutable_due_at() = d.due_at();
  *b.mutable_raised_at() = d.breached_at();
  b.set_source(c.source());
  b.set_rag(CurrentRag(c));
  return b;
}

}  // namespace

// One batch's work in progress: overlays of the contacts and idempotency
// keys it has touched (so that later commands in the batch see earlier
// ones), the WriteBatch, and working copies of the counters, which become
// the Processor's only if the commit succeeds.
class Processor::BatchRun {
 public:
  BatchRun(Processor& p, ActivePolicy policy)
      : p_(p),
        policy_(std::move(policy)),
        now_(p.clock_.Now()),
        batch_(p.store_.NewBatch()),
        contact_number_(p.next_contact_number_),
        outbox_seq_(p.next_outbox_seq_),
        person_number_(p.next_person_number_),
        people_(p.store_, &person_number_),
        timer_floor_(p.timer_floor_) {}

  CommandResult Handle(const Command& command) {
    return std::visit(
        [&](const auto& c) -> CommandResult {
          using T = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<T, SetClock>) {
            return Failed(absl::InternalError("SetClock is handled by the Processor"));
          } else if constexpr (std::is_same_v<T, SubmitContact>) {
            return Submit(c);
          } else if constexpr (std::is_same_v<T, RecordOpenCase>) {
            return OpenCase(c);
          } else if constexpr (std::is_same_v<T, CloseOpenCase>) {
            CommandResult r;
            r.status = people_.CloseOpenCase(c.case_id);
            return r;
          } else {
            return Run(ContactCommand(c));
          }
        },
        command);
  }

  // Fires up to `limit` timers due by now; returns how many.
  size_t FireDueTimers(size_t limit) {
    auto timers = p_.store_.DueTimers(timer_floor_, now_, limit);
    if (!timers.ok()) {
      spdlog::error("reading due timers: {}", timers.status().ToString());
      return 0;
    }
    for (const v1::Timer& timer : *timers) {
      TimePoint due = FromProto(timer.due_at());
      batch_.DeleteTimer(due, timer.contact_id(), timer.name());
      timer_floor_ = std::max(timer_floor_, due);
      CommandResult r = Run(FireTimer{timer.contact_id(), timer.name(), due});
      if (!r.status.ok() && !absl::IsNotFound(r.status)) {
        spdlog::error("timer {} of {}: {}", timer.name(), timer.contact_id(), r.status.ToString());
      }
    }
    return timers->size();
  }

  void SetNow(TimePoint now) { now_ = now; }
  TimePoint now() const { return now_; }
  bool empty() const { return batch_.Count() == 0 && !people_.HasChanges(); }
  const std::vector<v1::Event>& events() const { return events_; }
  // Each contact the batch changed, as it leaves it.
  std::vector<std::shared_ptr<const v1::ContactRecord>> ChangedContacts() const {
    std::vector<std::shared_ptr<const v1::ContactRecord>> out;
    out.reserve(changed_.size());
    for (const std::string& id : changed_) out.push_back(contacts_.at(id));
    return out;
  }

  absl::Status Commit() {
    if (contact_number_ != p_.next_contact_number_) {
      batch_.PutCounter(kContactCounter, contact_number_);
    }
    if (person_number_ != p_.next_person_number_) batch_.PutCounter(kPersonCounter, person_number_);
    for (const auto& [name, change] : tally_) {
      if (change == 0) continue;
      auto it = p_.tallies_.find(name);
      int64_t now = (it == p_.tallies_.end() ? 0 : it->second.load()) + change;
      batch_.PutCounter(name, static_cast<uint64_t>(std::max<int64_t>(now, 0)));
    }
    people_.Stage(batch_);
    if (outbox_seq_ != p_.next_outbox_seq_) batch_.PutCounter(kOutboxCounter, outbox_seq_);
    return p_.store_.Commit(batch_);
  }

  // After a successful commit: the counters and floor become the Processor's.
  void Adopt() {
    for (const auto& [name, change] : tally_) {
      if (auto it = p_.tallies_.find(name); it != p_.tallies_.end()) it->second += change;
    }
    p_.next_contact_number_ = contact_number_;
    p_.next_person_number_ = person_number_;
    p_.next_outbox_seq_ = outbox_seq_;
    p_.timer_floor_ = timer_floor_;
  }

  uint64_t outbox_seq() const { return outbox_seq_; }
  // The batch started a timescale already due: it fires next batch.
  bool added_overdue_timer() const { return added_overdue_timer_; }
  size_t breaches() const { return breaches_; }
  size_t created() const { return created_; }

 private:
  CommandResult Submit(const SubmitContact& c) {
    const bool keyed = !c.idempotency_key.empty();
    std::string slot = c.actor + '\0' + c.idempotency_key;
    if (keyed) {
      auto seen = FindIdempotency(c.actor, c.idempotency_key, slot);
      if (!seen.ok()) return Failed(seen.status());
      if (*seen != nullptr) {
        if ((*seen)->request_sha256() != c.request_sha256) {
          return Failed(absl::AlreadyExistsError(
              "this Idempotency-Key was already used with a different body"));
        }
        auto contact = Load((*seen)->contact_id());
        if (!contact.ok()) return Failed(contact.status());
        CommandResult r;
        r.contact = std::move(*contact);
        r.replayed = true;
        return r;
      }
    }
    std::string id = ContactIdFor(contact_number_ + 1);
    // Who the children are, and what was known about them, are fixed
    // here so that Decide stays pure.
    auto person_ids = people_.Resolve(c.submission.children());
    if (!person_ids.ok()) return Failed(person_ids.status());
    TimePoint received =
        c.submission.has_received_at() ? FromProto(c.submission.received_at()) : now_;
    auto prior = people_.PriorOf(*person_ids, received);
    if (!prior.ok()) return Failed(prior.status());
    CommandResult r = Run(ContactCommand(c), id, std::move(*person_ids), std::move(*prior));
    if (!r.status.ok()) return r;
    ++contact_number_;
    ++created_;
    if (keyed) {
      v1::IdempotencyRecord record;
      record.set_request_sha256(c.request_sha256);
      record.set_contact_id(id);
      batch_.PutIdempotency(c.actor, c.idempotency_key, record);
      idempotency_[slot] = std::move(record);
    }
    return r;
  }

  absl::StatusOr<const v1::IdempotencyRecord*> FindIdempotency(const std::string& actor,
                                                               const std::string& key,
                                                               const std::string& slot) {
    if (auto it = idempotency_.find(slot); it != idempotency_.end()) return &it->second;
    auto stored = p_.store_.GetIdempotency(actor, key);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) return nullptr;
    return &(idempotency_[slot] = std::move(**stored));
  }

  // The contact as this batch left it, or as stored; null when unknown.
  absl::StatusOr<std::shared_ptr<const v1::ContactRecord>> Load(const std::string& id) {
    if (auto it = contacts_.find(id); it != contacts_.end()) return it->second;
    auto stored = p_.store_.GetContact(id);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) return nullptr;
    auto record = std::make_shared<const v1::ContactRecord>(std::move(**stored));
    contacts_[id] = record;
    return record;
  }

  CommandResult OpenCase(const RecordOpenCase& c) {
    v1::OpenCase open_case;
    open_case.set_case_id(c.case_id);
    *open_case.mutable_children() = c.open_case.children();
    open_case.set_team(c.open_case.team());
    open_case.set_worker(c.open_case.worker());
    if (c.open_case.has_opened_at()) *open_case.mutable_opened_at() = c.open_case.opened_at();
    *open_case.mutable_recorded_at() = ToProto(now_);
    open_case.set_recorded_by(c.actor);
    CommandResult r;
    r.status = people_.PutOpenCase(std::move(open_case));
    return r;
  }

  CommandResult Run(const ContactCommand& command, const std::string& new_id = "",
                    std::vector<std::string> person_ids = {}, v1::Prior prior = {}) {
    const std::string& id = new_id.empty() ? CommandContactId(command) : new_id;
    std::shared_ptr<const v1::ContactRecord> before;
    if (new_id.empty()) {
      auto loaded = Load(id);
      if (!loaded.ok()) return Failed(loaded.status());
      before = std::move(*loaded);
    }
    DecideInputs in;
    in.now = now_;
    in.policy = policy_.policy.get();
    in.calendar = policy_.calendar.get();
    in.new_contact_id = new_id;
    in.person_ids = std::move(person_ids);
    in.prior = std::move(prior);
    auto events = Decide(before.get(), command, in);
    if (!events.ok()) return Failed(events.status());
    CommandResult r;
    if (events->empty()) {
      r.contact = std::move(before);
      return r;
    }
    auto state = before ? std::make_shared<v1::ContactRecord>(*before)
                        : std::make_shared<v1::ContactRecord>();
    if (before) --tally_[std::string("state/") + std::string(NameOf(before->contact().state()))];
    for (v1::Event& e : *events) {
      Stage(*state, e);
      Apply(*state, e);
    }
    ++tally_[std::string("state/") + std::string(NameOf(state->contact().state()))];
    batch_.PutContact(*state);
    events_.insert(events_.end(), std::make_move_iterator(events->begin()),
                   std::make_move_iterator(events->end()));
    if (changed_ids_.insert(id).second) changed_.push_back(id);
    contacts_[id] = state;
    r.contact = std::move(state);
    return r;
  }

  // Writes the event and what follows from it. `state` is the contact
  // before the event.
  void Stage(const v1::ContactRecord& state, const v1::Event& e) {
    batch_.PutEvent(e);
    const v1::Contact& c = state.contact();
    switch (e.body_case()) {
      case v1::Event::kContactReceived: {
        const auto& received = e.contact_received();
        batch_.PutReceived(FromProto(received.received_at()), e.contact_id());
        std::vector<std::string> ids(received.person_ids().begin(), received.person_ids().end());
        Note(people_.AddContact(ids, e.contact_id(), FromProto(received.received_at())));
        break;
      }
      case v1::Event::kContactClosed: {
        v1::Outcome::Code outcome = e.contact_closed().outcome();
        if (outcome == v1::Outcome::SOCIAL_CARE_ASSESSMENT ||
            outcome == v1::Outcome::STRATEGY_DISCUSSION) {
          std::vector<std::string> ids(c.person_ids().begin(), c.person_ids().end());
          Note(people_.AddReferral(ids, e.contact_id(), FromProto(e.at())));
        }
        break;
      }
      case v1::Event::kTimescaleStarted: {
        const auto& started = e.timescale_started();
        TimePoint due = FromProto(started.due_at());
        v1::Timer timer;
        timer.set_contact_id(e.contact_id());
        timer.set_name(started.name());
        *timer.mutable_due_at() = started.due_at();
        batch_.PutTimer(timer);
        timer_floor_ = std::max(std::min(timer_floor_, due), TimePoint{});
        if (due <= now_) added_overdue_timer_ = true;
        if (started.has_warn_at()) {
          timer.set_name(started.name() + kDueSoonSuffix);
          *timer.mutable_due_at() = started.warn_at();
          batch_.PutTimer(timer);
          timer_floor_ =
              std::max(std::min(timer_floor_, FromProto(started.warn_at())), TimePoint{});
        }
        if (auto q = QueueOfTimescale(started.name())) batch_.PutWorklist(*q, due, e.contact_id());
        ++tally_["open/" + started.name()];
        break;
      }
      case v1::Event::kTimescaleStopped: {
        const auto& stopped = e.timescale_stopped();
        TimePoint due = FromProto(stopped.due_at());
        batch_.DeleteTimer(due, e.contact_id(), stopped.name());
        if (auto q = QueueOfTimescale(stopped.name())) {
          batch_.DeleteWorklist(*q, due, e.contact_id());
        }
        --tally_["open/" + stopped.name()];
        const v1::Deadline* d = FindDeadline(c, stopped.name());
        if (d != nullptr && d->has_warn_at()) {
          batch_.DeleteTimer(FromProto(d->warn_at()), e.contact_id(),
                             stopped.name() + kDueSoonSuffix);
        }
        if (d != nullptr && d->breached()) {
          v1::Breach b = BreachOf(c, *d);
          *b.mutable_resolved_at() = e.at();
          batch_.PutBreach(b);
        }
        break;
      }
      case v1::Event::kTimescaleBreached: {
        const v1::Deadline* d = FindDeadline(c, e.timescale_breached().name());
        if (d != nullptr) {
          v1::Deadline breached = *d;
          *breached.mutable_breached_at() = e.at();
          batch_.PutBreach(BreachOf(c, breached));
          ++breaches_;
        }
        break;
      }
      default:
        break;
    }
    if (IsEmitted(e)) {
      v1::OutboxEntry entry;
      entry.set_seq(++outbox_seq_);
      *entry.mutable_event() = e;
      batch_.PutOutbox(entry);
    }
  }

  // The people index is an index: a failure to update it is logged, and
  // does not refuse the contact that caused it.
  static void Note(const absl::Status& status) {
    if (!status.ok()) spdlog::error("people index: {}", status.ToString());
  }

  Processor& p_;
  const ActivePolicy policy_;
  TimePoint now_;
  Store::Batch batch_;
  std::unordered_map<std::string, std::shared_ptr<const v1::ContactRecord>> contacts_;
  std::unordered_map<std::string, v1::IdempotencyRecord> idempotency_;
  std::vector<v1::Event> events_;
  std::vector<std::string> changed_;  // in first-change order
  std::unordered_set<std::string> changed_ids_;
  uint64_t contact_number_;
  uint64_t outbox_seq_;
  uint64_t person_number_;
  PeopleBook people_;
  std::map<std::string, int64_t> tally_;  // changes to Processor::tallies_
  TimePoint timer_floor_;
  size_t breaches_ = 0;
  size_t created_ = 0;
  bool added_overdue_timer_ = false;
};

Processor::Processor(Store& store, Clock& clock, PolicySlot& policies, MetricsRegistry* metrics,
                     ProcessorOptions options)
    : store_(store), clock_(clock), policies_(policies), metrics_(metrics), options_(options) {
  for (const char* name : kTallies) tallies_[name].store(0);
  if (metrics_ != nullptr) {
    batch_size_ = &metrics_->GetHistogram(
        "frontdoor_batch_commands", "Commands decided per committed batch",
        {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024});
    commit_seconds_ = &metrics_->GetHistogram(
        "frontdoor_commit_seconds", "Time to write and sync one batch", LatencyBuckets());
    contacts_created_ =
        &metrics_->GetCounter("frontdoor_contacts_created_total", "Contacts accepted and stored");
    breaches_raised_ =
        &metrics_->GetCounter("frontdoor_breaches_raised_total", "Timescale breaches raised");
    commit_failures_ =
        &metrics_->GetCounter("frontdoor_commit_failures_total", "Batches the store refused");
    metrics_->AddGauge("frontdoor_processor_queue", "Commands waiting for the writer",
                       [this] { return static_cast<double>(queue_depth()); });
    for (const char* name : kTallies) {
      std::string_view n(name);
      bool state = n.starts_with("state/");
      std::string label = std::string(n.substr(n.find('/') + 1));
      metrics_->AddGauge(state ? "frontdoor_contacts" : "frontdoor_open_timescales",
                         state ? "Contacts by state" : "Timescales running (steps still open)",
                         [this, name] { return static_cast<double>(tallies_.at(name).load()); },
                         (state ? "state=\"" : "timescale=\"") + label + "\"");
    }
  }
}

Processor::~Processor() { Stop(); }

absl::Status Processor::LoadCounters() {
  for (const char* name : kTallies) {
    ASSIGN_OR_RETURN(uint64_t value, store_.GetCounter(name));
    tallies_[name].store(static_cast<int64_t>(value));
  }
  ASSIGN_OR_RETURN(next_contact_number_, store_.GetCounter(kContactCounter));
  ASSIGN_OR_RETURN(next_outbox_seq_, store_.GetCounter(kOutboxCounter));
  ASSIGN_OR_RETURN(next_person_number_, store_.GetCounter(kPersonCounter));
  ASSIGN_OR_RETURN(std::optional<TimePoint> earliest, store_.EarliestTimer());
  timer_floor_ = earliest.value_or(TimePoint{});
  std::lock_guard lock(mu_);
  next_due_ = earliest;
  return absl::OkStatus();
}

absl::Status Processor::Start() {
  RETURN_IF_ERROR(LoadCounters());
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "fd-writer");
    Run();
  });
  return absl::OkStatus();
}

void Processor::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Processor::Submit(Command command, std::function<void(CommandResult)> done) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= options_.max_queue) return false;
    queue_.push_back(Pending{std::move(command), std::move(done)});
  }
  cv_.notify_one();
  return true;
}

void Processor::AddCommitListener(CommitListener listener) {
  listeners_.push_back(std::move(listener));
}

size_t Processor::queue_depth() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

bool Processor::TimerDueLocked() const { return next_due_ && *next_due_ <= clock_.Now(); }

void Processor::Run() {
  std::vector<Pending> pending;
  for (;;) {
    pending.clear();
    {
      std::unique_lock lock(mu_);
      while (queue_.empty() && !stopping_ && !TimerDueLocked() && recovered_ &&
             clock_waiters_.empty()) {
        if (next_due_ && !clock_.IsManual()) {
          cv_.wait_for(lock, *next_due_ - clock_.Now());
        } else {
          cv_.wait(lock);
        }
      }
      if (stopping_ && queue_.empty()) break;
      while (!queue_.empty() && pending.size() < options_.max_batch) {
        pending.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    ProcessBatch(pending);
  }
  for (auto& waiter : clock_waiters_) {
    waiter(Failed(absl::UnavailableError("the server is stopping")));
  }
  clock_waiters_.clear();
}

void Processor::ProcessBatch(std::vector<Pending>& pending) {
  BatchRun run(*this, policies_.Get());
  std::vector<std::pair<std::function<void(CommandResult)>, CommandResult>> answers;
  answers.reserve(pending.size());
  for (Pending& p : pending) {
    if (const auto* set = std::get_if<SetClock>(&p.command)) {
      auto* manual = dynamic_cast<ManualClock*>(&clock_);
      // An advance counts from the clock as this batch finds it, so that
      // two advances sent together both count.
      const TimePoint to = set->to ? *set->to : run.now() + set->advance;
      if (manual == nullptr) {
        answers.emplace_back(std::move(p.done), Failed(absl::FailedPreconditionError(
                                                    "the server runs on the system clock")));
      } else if (to < run.now()) {
        answers.emplace_back(std::move(p.done),
                             Failed(absl::InvalidArgumentError(
                                 "the clock only moves forward; it is now " +
                                 FormatRfc3339(run.now()))));
      } else {
        manual->Set(to);
        run.SetNow(to);
        clock_waiters_.push_back(std::move(p.done));
      }
      continue;
    }
    answers.emplace_back(std::move(p.done), run.Handle(p.command));
  }
  // A clock step is answered only once nothing due is left: not while the
  // batch has just started a timescale that is already due.
  const bool drained = run.FireDueTimers(options_.max_timers_per_batch) <
                           options_.max_timers_per_batch &&
                       !run.added_overdue_timer();

  absl::Status committed = absl::OkStatus();
  if (!run.empty()) {
    auto start = std::chrono::steady_clock::now();
    committed = run.Commit();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (commit_seconds_) commit_seconds_->Observe(seconds);
  }
  if (committed.ok()) {
    run.Adopt();
    if (batch_size_ && !pending.empty()) batch_size_->Observe(static_cast<double>(pending.size()));
    if (contacts_created_) contacts_created_->Increment(run.created());
    if (breaches_raised_) breaches_raised_->Increment(run.breaches());
  } else {
    spdlog::error("commit failed, {} commands refused: {}", pending.size(), committed.ToString());
    if (commit_failures_) commit_failures_->Increment();
  }

  {
    std::lock_guard lock(mu_);
    auto next = store_.DueTimers(timer_floor_, TimePoint::max() - Millis(1), 1);
    next_due_ = next.ok() && !next->empty() ? std::optional<TimePoint>(FromProto((*next)[0].due_at()))
                                            : std::nullopt;
  }
  if (committed.ok() && !run.events().empty() && !listeners_.empty()) {
    const auto contacts = run.ChangedContacts();
    const CommitNotice notice{next_outbox_seq_, run.events(), contacts};
    for (const auto& listener : listeners_) listener(notice);
  }

  // Committed up to here: a failed batch did not move the counter.
  const uint64_t seq = next_outbox_seq_;
  for (auto& [done, result] : answers) {
    if (!committed.ok() && result.status.ok()) {
      result = Failed(absl::UnavailableError("the store could not save this; try again"));
    }
    result.outbox_seq = seq;
    done(std::move(result));
  }
  if (drained) {
    recovered_ = true;
    for (auto& waiter : clock_waiters_) {
      CommandResult r = Failed(committed);
      r.now = clock_.Now();
      r.outbox_seq = seq;
      waiter(std::move(r));
    }
    clock_waiters_.clear();
  }
}

}  // namespace frontdoor
