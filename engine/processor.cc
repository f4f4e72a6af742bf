// The writer thread: batches of commands, decided against current state,
// turned into one WriteBatch together with everything that follows from
// their events (the batch projection's timers, worklists, breaches, outbox
// and indexes) and the timers the timer loop says are due, committed once.
#include "engine/processor.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include "engine/batch_projection.h"
#include "engine/outbox.h"
#include "engine/people.h"
#include "frontdoor/status_macros.h"
#include "spdlog/spdlog.h"

namespace frontdoor {

namespace {

constexpr char kContactCounter[] = "contact";
constexpr char kPersonCounter[] = "person";

std::string ContactIdFor(uint64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "FD-%08llu", static_cast<unsigned long long>(number));
  return buf;
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
        timers_(p.timers_.BeginBatch()),
        policy_(std::move(policy)),
        now_(p.clock_.Now()),
        batch_(p.store_.NewBatch()),
        contact_number_(p.next_contact_number_),
        outbox_seq_(p.next_outbox_seq_),
        person_number_(p.next_person_number_),
        people_(p.store_, &person_number_),
        sweep_(p.sweep_) {}

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
          } else if constexpr (std::is_same_v<T, RememberPolicyVersion>) {
            CommandResult r;
            auto known = p_.store_.GetPolicyVersion(c.version.version());
            if (!known.ok()) r.status = known.status();
            else if (!known->has_value()) batch_.PutPolicyVersion(c.version);
            return r;
          } else if constexpr (std::is_same_v<T, RecordDecision>) {
            return Decision(c);
          } else {
            return Run(ContactCommand(c));
          }
        },
        command);
  }

  // Fires the timers the timer loop says are due by now. When they cannot
  // be read, none fire; the loop knows, and tries again.
  void FireDueTimers() {
    auto timers = p_.timers_.TakeDue(timers_, now_);
    if (!timers.ok()) return;
    for (const v1::Timer& timer : *timers) {
      TimePoint due = FromProto(timer.due_at());
      batch_.DeleteTimer(due, timer.contact_id(), timer.name());
      timers_.Fired(due);
      CommandResult r = Run(FireTimer{timer.contact_id(), timer.name(), due});
      if (!r.status.ok() && !absl::IsNotFound(r.status)) {
        spdlog::error("timer {} of {}: {}", timer.name(), timer.contact_id(), r.status.ToString());
      }
    }
  }

  // One page of the idempotency-key retention sweep, into this batch (after
  // the commands, so that a key a command used or stored is left alone).
  void SweepIdempotency() {
    const Millis retention = p_.options_.idempotency_retention;
    if (retention <= Millis(0)) return;
    if (!sweep_.running) {
      if (now_ < sweep_.next_at) return;
      sweep_.running = true;
      sweep_.after.clear();
    }
    auto page = p_.store_.ScanIdempotency(sweep_.after, p_.options_.retention_sweep_scan);
    if (!page.ok()) {
      spdlog::error("idempotency retention sweep: {}", page.status().ToString());
      sweep_.running = false;
      sweep_.next_at = now_ + p_.options_.retention_sweep_every;
      return;
    }
    for (const Store::IdempotencyEntry& entry : *page) {
      if (!entry.readable || idempotency_.contains(entry.slot)) continue;
      if (!entry.record.has_stored_at()) {
        // Stored before keys had a time: expires `retention` from now.
        v1::IdempotencyRecord stamped = entry.record;
        *stamped.mutable_stored_at() = ToProto(now_);
        batch_.PutIdempotencySlot(entry.slot, stamped);
      } else if (Expired(entry.record)) {
        batch_.DeleteIdempotencySlot(entry.slot);
        ++keys_expired_;
      }
    }
    if (page->size() < p_.options_.retention_sweep_scan) {
      sweep_.running = false;
      sweep_.after.clear();
      sweep_.next_at = now_ + p_.options_.retention_sweep_every;
    } else {
      sweep_.after = page->back().slot;
    }
  }

  // A key used at least idempotency_retention ago counts no more.
  bool Expired(const v1::IdempotencyRecord& record) const {
    const Millis retention = p_.options_.idempotency_retention;
    return retention > Millis(0) && record.has_stored_at() &&
           FromProto(record.stored_at()) + retention <= now_;
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
    // The numbers this batch issues are reserved outside the store first,
    // so that none is issued again whatever happens to the store's files.
    RETURN_IF_ERROR(p_.store_.ReserveContactNumbers(contact_number_));
    return p_.store_.Commit(batch_);
  }

  // After a successful commit: the counters become the Processor's.
  void Adopt() {
    for (const auto& [name, change] : tally_) {
      if (auto it = p_.tallies_.find(name); it != p_.tallies_.end()) it->second += change;
    }
    // Only a batch that stored the contact counter may move the mark: after
    // a restart the writer's number is the reservation, above the counter
    // in the store, until a contact is issued.
    if (contact_number_ != p_.next_contact_number_) {
      p_.store_.NoteContactsCommitted(contact_number_);
    }
    p_.next_contact_number_ = contact_number_;
    p_.next_person_number_ = person_number_;
    p_.next_outbox_seq_ = outbox_seq_;
    p_.sweep_ = sweep_;
    if (p_.keys_expired_ != nullptr) p_.keys_expired_->Increment(keys_expired_);
  }

  const TimerLoop::Batch& timers() const { return timers_; }
  size_t breaches() const { return breaches_; }
  size_t created() const { return created_; }

 private:
  CommandResult Submit(const SubmitContact& c) {
    const bool keyed = !c.idempotency_key.empty();
    std::string slot = c.actor.id() + '\0' + c.idempotency_key;
    if (keyed) {
      auto seen = FindIdempotency(c.actor.id(), c.idempotency_key, slot);
      if (!seen.ok()) return Failed(seen.status());
      // An expired key is as good as never used: this is a new contact.
      if (*seen != nullptr && !Expired(**seen)) {
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
    // Who the children are, what was known about them and which of their
    // contacts are still open are fixed here so that Decide stays pure.
    DecideInputs in;
    auto person_ids = people_.Resolve(c.submission.children(), &in.identity_reviews);
    if (!person_ids.ok()) return Failed(person_ids.status());
    TimePoint received =
        c.submission.has_received_at() ? FromProto(c.submission.received_at()) : now_;
    auto prior = people_.PriorOf(*person_ids, received);
    if (!prior.ok()) return Failed(prior.status());
    auto open = OpenContactsOf(*person_ids);
    if (!open.ok()) return Failed(open.status());
    in.person_ids = std::move(*person_ids);
    in.prior = std::move(*prior);
    in.open_contacts = std::move(*open);
    CommandResult r = Run(ContactCommand(c), id, std::move(in));
    if (!r.status.ok()) return r;
    ++contact_number_;
    ++created_;
    if (keyed) {
      v1::IdempotencyRecord record;
      record.set_request_sha256(c.request_sha256);
      record.set_contact_id(id);
      *record.mutable_stored_at() = ToProto(now_);
      batch_.PutIdempotency(c.actor.id(), c.idempotency_key, record);
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

  // The contacts about these people still open at the front door, as this
  // batch leaves them: exact, because each contact's own state is read.
  absl::StatusOr<std::vector<std::string>> OpenContactsOf(
      const std::vector<std::string>& person_ids) {
    ASSIGN_OR_RETURN(std::vector<std::string> ids, people_.ContactsOf(person_ids));
    std::vector<std::string> open;
    for (const std::string& id : ids) {
      ASSIGN_OR_RETURN(std::shared_ptr<const v1::ContactRecord> contact, Load(id));
      if (contact != nullptr && IsOpen(contact->contact())) open.push_back(id);
    }
    return open;
  }

  static bool IsOpen(const v1::Contact& c) {
    return c.state() == v1::ContactState::AWAITING_DECISION ||
           c.state() == v1::ContactState::AWAITING_AUTHORISATION ||
           c.state() == v1::ContactState::IN_MASH;
  }

  static const v1::Actor* CommandActor(const ContactCommand& command) {
    return std::visit(
        [](const auto& c) -> const v1::Actor* {
          if constexpr (requires { c.actor; }) {
            return &c.actor;
          } else {
            return nullptr;
          }
        },
        command);
  }

  // After `id`'s command: a new contact tells each open contact about the
  // same child that it is linked to it, and a front-door decision tells
  // each linked contact still open what was decided (docs/api.md, "Linked
  // contacts"). Both in this batch.
  void FollowLinks(const std::string& id, const v1::Contact& contact, bool received,
                   v1::Route::Code decided, const ContactCommand& command) {
    if (!received && decided == v1::Route::ROUTE_UNSPECIFIED) return;
    const v1::Actor* actor = CommandActor(command);
    for (const std::string& other : contact.linked_contacts()) {
      auto loaded = Load(other);
      if (!loaded.ok() || *loaded == nullptr || !IsOpen((*loaded)->contact())) continue;
      LinkContact link{other, id, decided, actor != nullptr ? *actor : v1::Actor()};
      CommandResult r = Run(ContactCommand(std::move(link)));
      if (!r.status.ok()) spdlog::error("linking {} to {}: {}", other, id, r.status.ToString());
    }
  }

  // EXISTING_CASE needs a case open now for one of the contact's children
  // (DecideInputs::prior); other routes need nothing more.
  CommandResult Decision(const RecordDecision& c) {
    DecideInputs in;
    if (c.decision.route() == v1::Route::EXISTING_CASE) {
      auto contact = Load(c.contact_id);
      if (!contact.ok()) return Failed(contact.status());
      if (*contact != nullptr) {
        const v1::Contact& stored = (*contact)->contact();
        std::vector<std::string> person_ids(stored.person_ids().begin(),
                                            stored.person_ids().end());
        auto prior = people_.PriorOf(person_ids, now_);
        if (!prior.ok()) return Failed(prior.status());
        in.prior = std::move(*prior);
        // Contacts stored before children were joined to people: what was
        // known when they arrived.
        if (person_ids.empty()) in.prior = stored.prior();
      }
    }
    return Run(ContactCommand(c), "", std::move(in));
  }

  CommandResult OpenCase(const RecordOpenCase& c) {
    v1::OpenCase open_case;
    open_case.set_case_id(c.case_id);
    *open_case.mutable_children() = c.open_case.children();
    open_case.set_team(c.open_case.team());
    open_case.set_worker(c.open_case.worker());
    if (c.open_case.has_opened_at()) *open_case.mutable_opened_at() = c.open_case.opened_at();
    *open_case.mutable_recorded_at() = ToProto(now_);
    open_case.set_recorded_by(c.actor.id());
    *open_case.mutable_recorded_by_actor() = c.actor;
    CommandResult r;
    r.status = people_.PutOpenCase(std::move(open_case));
    return r;
  }

  // `in`: for a new contact, what Submit fixed; Run adds the rest.
  CommandResult Run(const ContactCommand& command, const std::string& new_id = "",
                    DecideInputs in = {}) {
    const std::string& id = new_id.empty() ? CommandContactId(command) : new_id;
    std::shared_ptr<const v1::ContactRecord> before;
    if (new_id.empty()) {
      auto loaded = Load(id);
      if (!loaded.ok()) return Failed(loaded.status());
      before = std::move(*loaded);
    }
    in.now = now_;
    in.policy = policy_.policy.get();
    in.calendar = policy_.calendar.get();
    in.new_contact_id = new_id;
    auto events = Decide(before.get(), command, in);
    if (!events.ok()) return Failed(events.status());
    CommandResult r;
    if (events->empty()) {
      r.contact = std::move(before);
      return r;
    }
    auto state = before ? std::make_shared<v1::ContactRecord>(*before)
                        : std::make_shared<v1::ContactRecord>();
    if (before) --tally_[StateTally(before->contact().state())];
    bool received = false;
    v1::Route::Code decided = v1::Route::ROUTE_UNSPECIFIED;
    for (v1::Event& e : *events) {
      Stage(*state, e);
      Apply(*state, e);
      if (e.has_contact_received()) received = true;
      if (e.has_decision_recorded()) decided = e.decision_recorded().decision().route();
    }
    ++tally_[StateTally(state->contact().state())];
    batch_.PutContact(*state);
    events_.insert(events_.end(), std::make_move_iterator(events->begin()),
                   std::make_move_iterator(events->end()));
    if (changed_ids_.insert(id).second) changed_.push_back(id);
    contacts_[id] = state;
    FollowLinks(id, state->contact(), received, decided, command);
    r.contact = std::move(state);
    return r;
  }

  // Writes the event and what the batch projection says follows from it.
  // `state` is the contact before the event.
  void Stage(const v1::ContactRecord& state, const v1::Event& e) {
    batch_.PutEvent(e);
    const EventProjection p = ProjectEvent(state, e);
    if (p.received) batch_.PutReceived(*p.received, e.contact_id());
    for (const v1::Timer& timer : p.timers_set) {
      batch_.PutTimer(timer);
      timers_.Started(FromProto(timer.due_at()), now_);
    }
    for (const TimerRef& t : p.timers_deleted) batch_.DeleteTimer(t.due, t.contact_id, t.name);
    for (const WorklistRef& w : p.worklist_added) {
      batch_.PutWorklist(w.queue, w.rank, w.due, w.contact_id);
    }
    for (const WorklistRef& w : p.worklist_removed) {
      batch_.DeleteWorklist(w.queue, w.rank, w.due, w.contact_id);
    }
    for (const auto& check : p.checks_unindexed) batch_.DeleteAgencyCheck(check);
    for (const auto& check : p.checks_indexed) batch_.PutAgencyCheck(check);
    for (const v1::Breach& b : p.breaches) batch_.PutBreach(b);
    breaches_ += p.breaches_raised;
    if (p.people) {
      const PeopleLink& link = *p.people;
      Note(link.kind == PeopleLink::kContact
               ? people_.AddContact(link.person_ids, e.contact_id(), link.at)
               : people_.AddReferral(link.person_ids, e.contact_id(), link.at));
    }
    for (const TallyChange& t : p.tallies) tally_[t.name] += t.change;
    if (p.emitted) {
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
  TimerLoop::Batch timers_;
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
  size_t breaches_ = 0;
  size_t created_ = 0;
  Sweep sweep_;
  size_t keys_expired_ = 0;
};

Processor::Processor(Store& store, Clock& clock, PolicySlot& policies, MetricsRegistry* metrics,
                     ProcessorOptions options)
    : store_(store),
      clock_(clock),
      policies_(policies),
      metrics_(metrics),
      options_(options),
      store_timers_(store),
      timers_(options.timers != nullptr ? *options.timers : store_timers_, clock, retry_clock_,
              TimerLoopOptions{.max_timers_per_batch = options.max_timers_per_batch}) {
  for (const char* name : kTallyNames) tallies_[name].store(0);
  if (metrics_ != nullptr) {
    batch_size_ =
        &metrics_->GetHistogram("frontdoor_batch_commands", "Commands decided per committed batch",
                                {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024});
    commit_seconds_ = &metrics_->GetHistogram("frontdoor_commit_seconds",
                                              "Time to write and sync one batch", LatencyBuckets());
    contacts_created_ =
        &metrics_->GetCounter("frontdoor_contacts_created_total", "Contacts accepted and stored");
    breaches_raised_ =
        &metrics_->GetCounter("frontdoor_breaches_raised_total", "Timescale breaches raised");
    commit_failures_ =
        &metrics_->GetCounter("frontdoor_commit_failures_total", "Batches the store refused");
    keys_expired_ = &metrics_->GetCounter("frontdoor_retention_removed_total",
                                          "Records and files removed by the retention rules",
                                          "what=\"idempotency_keys\"");
    metrics_->AddGauge("frontdoor_processor_queue", "Commands waiting for the writer",
                       [this] { return static_cast<double>(queue_depth()); });
    for (const char* name : kTallyNames) {
      std::string_view n(name);
      bool state = n.starts_with("state/");
      std::string label = std::string(n.substr(n.find('/') + 1));
      metrics_->AddGauge(
          state ? "frontdoor_contacts" : "frontdoor_open_timescales",
          state ? "Contacts by state" : "Timescales running (steps still open)",
          [this, name] { return static_cast<double>(tallies_.at(name).load()); },
          (state ? "state=\"" : "timescale=\"") + label + "\"");
    }
  }
}

Processor::~Processor() { Stop(); }

absl::Status Processor::LoadCounters() {
  for (const char* name : kTallyNames) {
    ASSIGN_OR_RETURN(uint64_t value, store_.GetCounter(name));
    tallies_[name].store(static_cast<int64_t>(value));
  }
  ASSIGN_OR_RETURN(next_contact_number_, store_.GetCounter(kContactCounter));
  // Past every number that may have been issued before (engine/store.h).
  next_contact_number_ = std::max(next_contact_number_, store_.ContactNumbersReserved());
  ASSIGN_OR_RETURN(next_outbox_seq_, store_.GetCounter(kOutboxCounter));
  ASSIGN_OR_RETURN(next_person_number_, store_.GetCounter(kPersonCounter));
  return timers_.Load();
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
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

bool Processor::Submit(Command command, std::function<void(CommandResult)> done) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ || queue_.size() >= options_.max_queue) return false;
    queue_.push_back(Pending{std::move(command), std::move(done)});
  }
  cv_.Signal();
  return true;
}

bool Processor::SubmitAll(
    std::vector<std::pair<Command, std::function<void(CommandResult)>>> commands) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ || queue_.size() + commands.size() > options_.max_queue) return false;
    for (auto& [command, done] : commands) {
      queue_.push_back(Pending{std::move(command), std::move(done)});
    }
  }
  cv_.Signal();
  return true;
}

void Processor::AddCommitListener(CommitListener listener) {
  listeners_.push_back(std::move(listener));
}

size_t Processor::queue_depth() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

std::optional<Millis> Processor::SweepIdleFor() const {
  if (options_.idempotency_retention <= Millis(0)) return std::nullopt;
  // The first pass runs at start-up, on any clock.
  if (sweep_.running || sweep_.next_at == TimePoint{}) return Millis(0);
  // A manual clock moves only by a clock step, which is a batch itself.
  if (clock_.IsManual()) return std::nullopt;
  return std::max(Millis(0), std::chrono::duration_cast<Millis>(sweep_.next_at - clock_.Now()));
}

void Processor::AwaitWork() {
  while (queue_.empty() && !stopping_) {
    std::optional<Millis> idle = timers_.IdleFor();
    if (const std::optional<Millis> sweep = SweepIdleFor(); sweep && (!idle || *sweep < *idle)) {
      idle = sweep;
    }
    if (!idle) {
      cv_.Wait(&mu_);
    } else if (*idle > Millis(0)) {
      cv_.WaitWithTimeout(&mu_, absl::Milliseconds(idle->count()));
    } else {
      return;
    }
  }
}

void Processor::Run() {
  std::vector<Pending> pending;
  for (;;) {
    pending.clear();
    {
      absl::MutexLock lock(&mu_);
      AwaitWork();
      if (stopping_ && queue_.empty()) break;
      while (!queue_.empty() && pending.size() < options_.max_batch) {
        pending.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    ProcessBatch(pending);
  }
  timers_.AbandonWaiters(absl::UnavailableError("the server is stopping"));
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
        answers.emplace_back(
            std::move(p.done),
            Failed(absl::FailedPreconditionError("the server runs on the system clock")));
      } else if (to < run.now()) {
        answers.emplace_back(
            std::move(p.done),
            Failed(absl::InvalidArgumentError("the clock only moves forward; it is now " +
                                              FormatRfc3339(run.now()))));
      } else {
        manual->Set(to);
        run.SetNow(to);
        // Answered by the timer loop once nothing due by `to` is left.
        timers_.AddClockWaiter([this, done = std::move(p.done)](absl::Status status) {
          CommandResult r = Failed(std::move(status));
          r.now = clock_.Now();
          r.outbox_seq = next_outbox_seq_;
          done(std::move(r));
        });
      }
      continue;
    }
    answers.emplace_back(std::move(p.done), run.Handle(p.command));
  }
  run.FireDueTimers();
  run.SweepIdempotency();

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
    if (commit_failures_) commit_failures_->Increment();
    const auto now = std::chrono::steady_clock::now();
    if (now - last_failure_logged_ >= std::chrono::seconds(1)) {
      spdlog::error("commit failed, {} commands refused ({} more failed commits in the last "
                    "second not logged): {}",
                    pending.size(), failures_not_logged_, committed.ToString());
      last_failure_logged_ = now;
      failures_not_logged_ = 0;
    } else {
      ++failures_not_logged_;
    }
    // The sweep's page may be what could not be stored: not tried again at
    // once, over and over; the pass starts again later.
    sweep_ =
        Sweep{.running = false, .after = {}, .next_at = run.now() + options_.retention_sweep_every};
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
  timers_.Finish(run.timers(), committed);
}

}  // namespace frontdoor
