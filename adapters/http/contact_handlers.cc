// Contacts: POST /v1/contacts (partners and triage), GET /v1/contacts/{id}
// (a partner sees only its own, and only their progress; staff see the
// explanation too), its events, and the triage decision and
// MASH outcome that move it on.
#include "adapters/http/handlers.h"
#include "boost/asio/use_awaitable.hpp"
#include "engine/contact_validation.h"
#include "engine/mash_checks.h"
#include "engine/queries.h"
#include "frontdoor/digest.h"

namespace frontdoor {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

constexpr size_t kMaxIdempotencyKey = 255;

}  // namespace

HandlerResult PostContact(const ApiDependencies& deps, Call& call) {
  v1::ContactSubmission submission;
  if (auto problem = ReadBody(call, &submission)) co_return std::move(*problem);
  TimePoint now = deps.clock->Now();
  auto errors = ValidateSubmission(submission, now, deps.policies->Get().calendar->LocalDate(now));
  std::string key = Header(call.req, "Idempotency-Key");
  if (key.size() > kMaxIdempotencyKey) {
    errors.push_back({"Idempotency-Key", "must be at most 255 characters", 0});
  }
  if (!errors.empty()) co_return InvalidRequest(call.version(), errors);

  SubmitContact command;
  command.submission = std::move(submission);
  command.actor = ActorOf(*call.who);
  command.organisation = call.who->organisation;
  if (!key.empty()) {
    command.idempotency_key = std::move(key);
    command.request_sha256 = Sha256Hex(call.req.body());
  }
  // Named, not a temporary in the co_await expression: g++ 12 can copy
  // such temporaries bitwise into the coroutine frame.
  Command queued = std::move(command);
  CommandResult result =
      co_await AsyncSubmit(*deps.processor, std::move(queued), asio::use_awaitable);
  if (!result.status.ok()) co_return FromStatus(call, result.status);
  const v1::Contact& contact = result.contact->contact();
  call.contact_id = contact.id();
  Response res = JsonAnswer(call, http::status::created, ViewFor(*call.who, contact));
  res.set(http::field::location, "/v1/contacts/" + contact.id());
  if (result.replayed) res.set("Idempotent-Replayed", "true");
  co_return res;
}

HandlerResult GetContact(const ApiDependencies& deps, Call& call) {
  auto record = LoadContact(deps, call);
  if (!record.ok()) co_return FromStatus(call, record.status());
  if (call.who->role == Role::kPartner) {
    if (auto refused = co_await Audit(deps, call, v1::AuditRead::CONTACT)) {
      co_return std::move(*refused);
    }
    co_return JsonAnswer(call, http::status::ok, PartnerView(record->contact()));
  }
  v1::Contact& contact = *record->mutable_contact();
  auto explanation =
      ExplainContact(*deps.store, *deps.library, *deps.policies->Get().calendar, contact);
  if (!explanation.ok()) co_return FromStatus(call, explanation.status());
  *contact.mutable_explanation() = std::move(*explanation);
  *contact.mutable_urgency() = UrgencyOf(contact);
  if (auto refused = co_await Audit(deps, call, v1::AuditRead::CONTACT)) {
    co_return std::move(*refused);
  }
  co_return JsonAnswer(call, http::status::ok, contact);
}

HandlerResult GetEvents(const ApiDependencies& deps, Call& call) {
  auto record = LoadContact(deps, call);
  if (!record.ok()) co_return FromStatus(call, record.status());
  auto events = deps.store->GetEvents(call.contact_id);
  if (!events.ok()) co_return FromStatus(call, events.status());
  v1::EventList list;
  for (auto& e : *events) *list.add_events() = std::move(e);
  if (auto refused = co_await Audit(deps, call, v1::AuditRead::EVENTS)) {
    co_return std::move(*refused);
  }
  co_return JsonAnswer(call, http::status::ok, list, /*list=*/true);
}

HandlerResult PostDecision(const ApiDependencies& deps, Call& call) {
  call.contact_id = call.params.at(0);
  v1::DecisionRequest decision;
  if (auto problem = ReadBody(call, &decision)) co_return std::move(*problem);
  if (auto errors = ValidateDecision(decision); !errors.empty()) {
    co_return InvalidRequest(call.version(), errors);
  }
  Command command = RecordDecision{call.contact_id, std::move(decision), ActorOf(*call.who)};
  CommandResult result =
      co_await AsyncSubmit(*deps.processor, std::move(command), asio::use_awaitable);
  if (!result.status.ok()) co_return FromStatus(call, result.status);
  co_return JsonAnswer(call, http::status::ok, result.contact->contact());
}

HandlerResult PostMashOutcome(const ApiDependencies& deps, Call& call) {
  call.contact_id = call.params.at(0);
  v1::MashOutcomeRequest outcome;
  if (auto problem = ReadBody(call, &outcome)) co_return std::move(*problem);
  auto errors = ValidateMashOutcome(outcome);
  // Checks still unanswered need a reason, naming the agencies.
  auto stored = deps.store->GetContact(call.contact_id);
  if (!stored.ok()) co_return FromStatus(call, stored.status());
  if (stored->has_value() && (*stored)->contact().state() == v1::ContactState::IN_MASH) {
    for (auto& e : ValidateUnansweredChecks((*stored)->contact(), outcome)) {
      errors.push_back(std::move(e));
    }
  }
  if (!errors.empty()) co_return InvalidRequest(call.version(), errors);
  Command command = RecordMashOutcome{call.contact_id, std::move(outcome), ActorOf(*call.who)};
  CommandResult result =
      co_await AsyncSubmit(*deps.processor, std::move(command), asio::use_awaitable);
  if (!result.status.ok()) co_return FromStatus(call, result.status);
  co_return JsonAnswer(call, http::status::ok, result.contact->contact());
}

HandlerResult PostLetterPreview(const ApiDependencies& deps, Call& call) {
  call.contact_id = call.params.at(0);
  v1::LetterPreviewRequest preview;
  if (auto problem = ReadBody(call, &preview)) co_return std::move(*problem);
  std::vector<FieldError> errors;
  if (preview.has_decision() == preview.has_mash_outcome()) {
    errors.push_back({"decision", "give either the decision or the MASH outcome to preview", 0});
  }
  if (!errors.empty()) co_return InvalidRequest(call.version(), errors);
  auto record = LoadContact(deps, call);
  if (!record.ok()) co_return FromStatus(call, record.status());
  const ActivePolicy active = deps.policies->Get();
  ContactCommand command =
      preview.has_decision()
          ? ContactCommand(RecordDecision{call.contact_id, preview.decision(), ActorOf(*call.who)})
          : ContactCommand(
                RecordMashOutcome{call.contact_id, preview.mash_outcome(), ActorOf(*call.who)});
  auto letters = PreviewLetters(*record, command, active, deps.clock->Now());
  if (!letters.ok()) co_return FromStatus(call, letters.status());
  v1::LetterList list;
  for (v1::Letter& l : *letters) *list.add_letters() = std::move(l);
  if (auto refused = co_await Audit(deps, call, v1::AuditRead::LETTERS)) {
    co_return std::move(*refused);
  }
  co_return JsonAnswer(call, http::status::ok, list, /*list=*/true);
}

}  // namespace frontdoor
