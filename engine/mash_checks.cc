// MASH checks and the RAG re-rating (see mash_checks.h). Who may answer is
// the HTTP adapter's to say (an agency's partner only its own agency's
// check); here is what an answer, a timer or a new RAG does to the contact.
#include "engine/mash_checks.h"

#include <utility>

#include <algorithm>
#include <cctype>

#include "engine/contact_steps.h"
#include "engine/contact_validation.h"
#include "frontdoor/codes.h"
#include "frontdoor/status_macros.h"
#include "rules/checks.h"

namespace frontdoor {

namespace {

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char ch) { return std::isspace(ch); });
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

absl::Status InMash(const v1::Contact& c) {
  if (c.state() == v1::ContactState::IN_MASH) return absl::OkStatus();
  return absl::FailedPreconditionError("the contact is " + std::string(NameOf(c.state())) +
                                       ", not IN_MASH");
}

int WarnMinutes(const v1::Timescales& t) {
  return t.has_warn_before_minutes() ? t.warn_before_minutes() : kDefaultWarnBeforeMinutes;
}

}  // namespace

std::string CheckTimerName(v1::Source::Code agency) {
  return kCheckTimerPrefix + std::string(NameOf(agency));
}

std::optional<v1::Source::Code> AgencyOfCheckTimer(std::string_view timer_name) {
  if (!timer_name.starts_with(kCheckTimerPrefix)) return std::nullopt;
  timer_name.remove_prefix(std::string_view(kCheckTimerPrefix).size());
  v1::Source::Code agency;
  if (!v1::Source::Code_Parse(std::string(timer_name), &agency)) return std::nullopt;
  return agency;
}

const v1::Check* FindCheck(const v1::Contact& c, v1::Source::Code agency) {
  for (int i = c.checks_size() - 1; i >= 0; --i) {
    if (c.checks(i).agency() == agency) return &c.checks(i);
  }
  return nullptr;
}

v1::Check* FindCheck(v1::Contact& c, v1::Source::Code agency) {
  return const_cast<v1::Check*>(FindCheck(std::as_const(c), agency));
}

std::vector<std::string> UnansweredAgencies(const v1::Contact& c) {
  std::vector<std::string> out;
  for (const v1::Check& check : c.checks()) {
    if (check.state() == v1::CheckState::REQUESTED) out.emplace_back(NameOf(check.agency()));
  }
  return out;
}

std::vector<FieldError> ValidateCheckAnswer(const v1::CheckAnswerRequest& a, bool by_agency) {
  std::vector<FieldError> errors;
  auto fail = [&errors](std::string field, std::string message) {
    errors.push_back({std::move(field), std::move(message), 0});
  };
  const v1::CheckState::Code state =
      a.state() == v1::CheckState::CHECK_STATE_UNSPECIFIED ? v1::CheckState::ANSWERED : a.state();
  if (state == v1::CheckState::REQUESTED) {
    fail("state",
         "can only be ANSWERED, or NOT_NEEDED when MASH staff decide the check is not "
         "needed");
  } else if (state == v1::CheckState::NOT_NEEDED && by_agency) {
    fail("state",
         "only MASH staff can mark a check as not needed: answer with what your agency "
         "knows, even if that is nothing");
  }
  if (state == v1::CheckState::ANSWERED) {
    if (IsBlank(a.summary())) {
      fail("summary",
           "is required: say what your records show about the family, or that they "
           "show nothing");
    }
    if (!a.has_risk_indicated()) {
      fail("risk_indicated", "Say whether what is known suggests a risk to a child");
    }
    if (!by_agency && IsBlank(a.reason())) {
      fail("reason",
           "is required for an answer taken by phone: say who gave it and for which "
           "agency");
    }
  }
  if (state == v1::CheckState::NOT_NEEDED && IsBlank(a.reason())) {
    fail("reason", "is required: say why this agency does not need to be asked");
  }
  if (a.summary().size() > kMaxReason) fail("summary", "must be at most 5,000 characters");
  if (a.reason().size() > kMaxReason) fail("reason", "must be at most 5,000 characters");
  return errors;
}

std::vector<FieldError> ValidateRagChange(const v1::RagChangeRequest& change,
                                          v1::Rag::Code current) {
  std::vector<FieldError> errors;
  if (change.rag() == v1::Rag::RAG_UNSPECIFIED) {
    errors.push_back({"rag", "Choose the new rating: red, amber or green", 0});
  } else if (change.rag() == current) {
    errors.push_back(
        {"rag",
         "The work is already rated " + std::string(LabelOf(current)) + ": choose another rating",
         0});
  }
  if (IsBlank(change.reason())) {
    errors.push_back(
        {"reason", "is required: say why the rating changes; it goes in the history", 0});
  } else if (change.reason().size() > kMaxReason) {
    errors.push_back({"reason", "must be at most 5,000 characters", 0});
  }
  return errors;
}

std::vector<FieldError> ValidateUnansweredChecks(const v1::Contact& contact,
                                                 const v1::MashOutcomeRequest& outcome) {
  std::vector<std::string> unanswered = UnansweredAgencies(contact);
  if (unanswered.empty() || !IsBlank(outcome.unanswered_checks_reason())) {
    if (outcome.unanswered_checks_reason().size() > kMaxReason) {
      return {{"unanswered_checks_reason", "must be at most 5,000 characters", 0}};
    }
    return {};
  }
  return {{"unanswered_checks_reason",
           "is required: " + JoinNames(unanswered) + (unanswered.size() == 1 ? " has" : " have") +
               " not answered the MASH checks; say why MASH decides without them",
           0}};
}

namespace steps {

TimePoint CheckDueAt(const DecideInputs& in, v1::Rag::Code rag, TimePoint entered,
                     TimePoint mash_due) {
  const v1::TimescaleSpec* spec = rules::CheckDueSpec(in.policy->spec().checks(), rag);
  if (spec == nullptr) return mash_due;
  // Load checks that each fits; a rule's own shorter MASH timescale still
  // bounds it here.
  return std::min(in.calendar->DueAt(entered, *spec), mash_due);
}

void RequestChecks(EventLog& log, const DecideInputs& in) {
  const v1::Contact& c = log.contact();
  const v1::Deadline* mash = FindDeadline(c, kMashTimescale);
  if (mash == nullptr) return;
  const TimePoint entered = FromProto(mash->started_at());
  const TimePoint mash_due = FromProto(mash->due_at());
  const TimePoint due = CheckDueAt(in, c.mash().rag(), entered, mash_due);
  for (v1::Source::Code agency : rules::CheckAgencies(in.policy->spec().checks(), c.concerns())) {
    // Asked once per contact, should it ever enter MASH again.
    if (FindCheck(log.contact(), agency) != nullptr) continue;
    v1::Event e;
    e.mutable_check_requested()->set_agency(agency);
    *e.mutable_check_requested()->mutable_due_at() = ToProto(due);
    log.Emit(std::move(e));
  }
}

absl::Status SettleUnansweredChecks(EventLog& log, const std::string& reason) {
  std::vector<v1::Source::Code> unanswered;
  for (const v1::Check& check : log.contact().checks()) {
    if (check.state() == v1::CheckState::REQUESTED) unanswered.push_back(check.agency());
  }
  if (unanswered.empty()) return absl::OkStatus();
  if (IsBlank(reason)) {
    return absl::InvalidArgumentError(
        "unanswered_checks_reason is required: " + JoinNames(UnansweredAgencies(log.contact())) +
        " not answered");
  }
  for (v1::Source::Code agency : unanswered) {
    v1::Event e;
    auto* answered = e.mutable_check_answered();
    answered->set_agency(agency);
    answered->set_state(v1::CheckState::NOT_NEEDED);
    answered->set_reason("MASH decided without this answer: " + reason);
    log.Emit(std::move(e));
  }
  return absl::OkStatus();
}

}  // namespace steps

absl::StatusOr<std::vector<v1::Event>> DecideCheckAnswer(const v1::ContactRecord& state,
                                                         const AnswerCheck& cmd,
                                                         const DecideInputs& in) {
  const v1::Contact& c = state.contact();
  const v1::Check* check = FindCheck(c, cmd.agency);
  if (check == nullptr) {
    return absl::NotFoundError("no check of " + std::string(NameOf(cmd.agency)) + " on " +
                               cmd.contact_id);
  }
  RETURN_IF_ERROR(InMash(c));
  if (check->state() != v1::CheckState::REQUESTED) {
    return absl::FailedPreconditionError("the check of " + std::string(NameOf(cmd.agency)) +
                                         " is already " + std::string(NameOf(check->state())));
  }
  if (auto errors = ValidateCheckAnswer(cmd.answer, cmd.by_agency); !errors.empty()) {
    return absl::InvalidArgumentError(errors.front().field + ": " + errors.front().message);
  }
  steps::EventLog log(&state, cmd.contact_id, in.now, &cmd.actor);
  v1::Event e;
  auto* answered = e.mutable_check_answered();
  answered->set_agency(cmd.agency);
  answered->set_state(cmd.answer.state() == v1::CheckState::NOT_NEEDED ? v1::CheckState::NOT_NEEDED
                                                                       : v1::CheckState::ANSWERED);
  answered->set_summary(cmd.answer.summary());
  if (cmd.answer.has_risk_indicated()) answered->set_risk_indicated(cmd.answer.risk_indicated());
  answered->set_reason(cmd.answer.reason());
  log.Emit(std::move(e));
  return log.Take();
}

absl::StatusOr<std::vector<v1::Event>> DecideRagChange(const v1::ContactRecord& state,
                                                       const ChangeRag& cmd,
                                                       const DecideInputs& in) {
  const v1::Contact& c = state.contact();
  RETURN_IF_ERROR(InMash(c));
  if (auto errors = ValidateRagChange(cmd.change, c.mash().rag()); !errors.empty()) {
    return absl::InvalidArgumentError(errors.front().field + ": " + errors.front().message);
  }
  const v1::Rag::Code to = cmd.change.rag();
  const TimePoint entered = FromProto(c.mash().entered_at());
  steps::EventLog log(&state, cmd.contact_id, in.now, &cmd.actor);
  v1::Event e;
  auto* changed = e.mutable_rag_changed();
  changed->set_from(c.mash().rag());
  changed->set_to(to);
  changed->set_reason(cmd.change.reason());
  // Measured from entering MASH, as the first deadline was. A breached
  // deadline stays where it was: the breach is on record.
  const v1::Deadline* mash = FindDeadline(c, kMashTimescale);
  TimePoint mash_due = in.calendar->DueAt(entered, steps::MashSpec(state.timescales(), to));
  if (mash != nullptr && !mash->breached()) {
    *changed->mutable_mash_due_at() = ToProto(mash_due);
    const int warn_minutes = WarnMinutes(state.timescales());
    const TimePoint warn = mash_due - std::chrono::minutes(warn_minutes);
    if (warn_minutes > 0 && warn > in.now) *changed->mutable_mash_warn_at() = ToProto(warn);
  } else if (mash != nullptr) {
    mash_due = FromProto(mash->due_at());
  }
  // Checks still waiting take the new RAG's due time, also counted from
  // entering MASH; answered ones are done with.
  const TimePoint check_due = steps::CheckDueAt(in, to, entered, mash_due);
  for (const v1::Check& check : c.checks()) {
    if (check.state() != v1::CheckState::REQUESTED) continue;
    if (FromProto(check.due_at()) == check_due) continue;
    v1::CheckRequested* due = changed->add_checks_due();
    due->set_agency(check.agency());
    *due->mutable_due_at() = ToProto(check_due);
  }
  log.Emit(std::move(e));
  return log.Take();
}

std::vector<v1::Event> DecideCheckTimer(const v1::ContactRecord& state, const FireTimer& cmd,
                                        v1::Source::Code agency, const DecideInputs& in) {
  const v1::Contact& c = state.contact();
  const v1::Check* check = FindCheck(c, agency);
  // Answered, not needed, moved by a new RAG or already chased: stale.
  if (c.state() != v1::ContactState::IN_MASH || check == nullptr ||
      check->state() != v1::CheckState::REQUESTED || check->overdue() ||
      FromProto(check->due_at()) != cmd.due_at) {
    return {};
  }
  steps::EventLog log(&state, cmd.contact_id, in.now, nullptr);
  v1::Event e;
  e.mutable_check_overdue()->set_agency(agency);
  *e.mutable_check_overdue()->mutable_due_at() = check->due_at();
  log.Emit(std::move(e));
  return log.Take();
}

}  // namespace frontdoor
