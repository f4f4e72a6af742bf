// MASH checks over HTTP: GET /v1/checks (a partner key with an agency sees
// the checks asked of its agency, with only what it needs to find the family
// in its own records; staff name the agency), POST
// /v1/contacts/{id}/checks/{agency} (the agency's answer, or MASH staff's
// phone answer or "not needed"), and POST /v1/contacts/{id}/rag (MASH
// re-rates the work). What an answer or a new RAG does is the engine's
// (engine/mash_checks.h).
#include "adapters/http/handlers.h"
#include "adapters/http/query_params.h"
#include "boost/asio/use_awaitable.hpp"
#include "engine/mash_checks.h"
#include "frontdoor/codes.h"
#include "frontdoor/proto_time.h"

namespace frontdoor {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

// Names, dates of birth, NHS numbers and postcodes: enough to search an
// agency's own records, nothing of what others said.
v1::Child IdentifyingDetails(const v1::Child& child) {
  v1::Child out;
  out.set_given_name(child.given_name());
  out.set_family_name(child.family_name());
  if (child.birth_case() == v1::Child::kDateOfBirth) out.set_date_of_birth(child.date_of_birth());
  if (child.birth_case() == v1::Child::kExpectedDateOfBirth) {
    out.set_expected_date_of_birth(child.expected_date_of_birth());
  }
  out.set_nhs_number(child.nhs_number());
  out.set_postcode(child.postcode());
  return out;
}

// What an agency sees of its check: when it was asked, due and answered,
// and whether it is overdue; not staff's notes on it.
v1::Check AgencyView(const v1::Check& check) {
  v1::Check out;
  out.set_agency(check.agency());
  *out.mutable_requested_at() = check.requested_at();
  *out.mutable_due_at() = check.due_at();
  out.set_state(check.state());
  if (check.has_answered_at()) *out.mutable_answered_at() = check.answered_at();
  if (check.has_overdue()) out.set_overdue(check.overdue());
  return out;
}

std::optional<v1::Source::Code> ParseAgency(std::string_view text) {
  v1::Source::Code agency;
  if (!v1::Source::Code_Parse(std::string(text), &agency)) return std::nullopt;
  if (agency == v1::Source::SOURCE_UNSPECIFIED) return std::nullopt;
  return agency;
}

std::string PageToken(const Store::AgencyCheckEntry& e) {
  return std::to_string(e.due_at.time_since_epoch().count()) + ":" + e.contact_id;
}

std::optional<Store::AgencyCheckEntry> ParsePageToken(std::string_view token) {
  size_t colon = token.find(':');
  if (colon == std::string_view::npos || colon + 1 >= token.size()) return std::nullopt;
  auto ms = ParseSize(token.substr(0, colon));
  // Only instants a Timestamp can hold: a size_t past int64_t's range would
  // wrap to a negative one.
  if (!ms || *ms > static_cast<size_t>(kLatestInstant.time_since_epoch().count())) {
    return std::nullopt;
  }
  Store::AgencyCheckEntry e;
  e.due_at = TimePoint(Millis(static_cast<int64_t>(*ms)));
  e.contact_id = std::string(token.substr(colon + 1));
  return e;
}

bool IsMashStaff(const Principal& who) { return who.role == Role::kTriage; }

}  // namespace

HandlerResult GetChecks(const ApiDependencies& deps, Call& call) {
  std::vector<FieldError> errors;
  const bool partner = call.who->role == Role::kPartner;
  std::optional<v1::Source::Code> agency;
  auto asked = QueryParam(call.query, "agency");
  if (partner) {
    agency = ParseAgency(call.who->agency);
    if (!agency) {
      co_return Forbidden(call.version(),
                          "this key speaks for no agency, so no checks are asked of it; a key "
                          "needs agency: in the config (e.g. POLICE) to see checks");
    }
    if (asked && *asked != call.who->agency) {
      co_return Forbidden(call.version(),
                          "this key sees only the checks asked of " + call.who->agency);
    }
  } else if (!asked) {
    errors.push_back({"agency", "is required: say which agency's checks to list, e.g. POLICE", 0});
  } else if (!(agency = ParseAgency(*asked))) {
    errors.push_back({"agency",
                      "is not an agency: give a source code such as POLICE, HEALTH_GP "
                      "or SCHOOLS",
                      0});
  }
  v1::CheckState::Code state = v1::CheckState::REQUESTED;
  if (auto text = QueryParam(call.query, "state")) {
    if (!v1::CheckState::Code_Parse(*text, &state) ||
        state == v1::CheckState::CHECK_STATE_UNSPECIFIED) {
      errors.push_back({"state", "must be REQUESTED, ANSWERED or NOT_NEEDED", 0});
    }
  }
  std::optional<size_t> limit = ReadLimit(call.query, errors);
  std::optional<Store::AgencyCheckEntry> after;
  if (auto token = QueryParam(call.query, "page_token")) {
    after = ParsePageToken(*token);
    if (!after) errors.push_back({"page_token", "is not a page token this server gave", 0});
  }
  if (!errors.empty()) co_return InvalidRequest(call.version(), errors);

  auto entries = deps.store->AgencyChecks(*agency, state, *limit, after ? &*after : nullptr);
  if (!entries.ok()) co_return FromStatus(call, entries.status());
  v1::AgencyCheckList list;
  AuditedRead read;
  read.what = v1::AuditRead::CHECKS;
  for (const Store::AgencyCheckEntry& entry : *entries) {
    auto record = deps.store->GetContact(entry.contact_id);
    if (!record.ok()) co_return FromStatus(call, record.status());
    if (!record->has_value()) continue;
    const v1::Contact& c = (*record)->contact();
    const v1::Check* check = FindCheck(c, *agency);
    if (check == nullptr) continue;
    v1::AgencyCheck& row = *list.add_checks();
    row.set_contact_id(c.id());
    *row.mutable_check() = partner ? AgencyView(*check) : *check;
    for (const v1::Child& child : c.children()) *row.add_children() = IdentifyingDetails(child);
    row.set_rag(c.mash().rag());
    read.contact_ids.push_back(c.id());
  }
  if (entries->size() == *limit) list.set_next_page_token(PageToken(entries->back()));
  if (!read.contact_ids.empty()) {
    if (auto refused = co_await Audit(deps, call, std::move(read))) co_return std::move(*refused);
  }
  co_return JsonAnswer(call, http::status::ok, list, /*list=*/true);
}

HandlerResult PostCheckAnswer(const ApiDependencies& deps, Call& call) {
  call.contact_id = call.params.at(0);
  const bool partner = call.who->role == Role::kPartner;
  const std::string& agency_text = call.params.at(1);
  if (partner) {
    if (!ParseAgency(call.who->agency)) {
      co_return Forbidden(call.version(),
                          "this key speaks for no agency, so it answers no checks; a key needs "
                          "agency: in the config (e.g. POLICE) to answer");
    }
    if (agency_text != call.who->agency) {
      co_return Forbidden(call.version(),
                          "this key answers only the checks asked of " + call.who->agency);
    }
  } else if (!IsMashStaff(*call.who)) {
    co_return Forbidden(call.version());
  }
  std::optional<v1::Source::Code> agency = ParseAgency(agency_text);
  if (!agency) {
    co_return MakeProblem(call.version(), http::status::not_found, "not-found", "Not found",
                          "no check of " + agency_text + " on " + call.contact_id);
  }
  v1::CheckAnswerRequest answer;
  if (auto problem = ReadBody(call, &answer)) co_return std::move(*problem);
  if (auto errors = ValidateCheckAnswer(answer, partner); !errors.empty()) {
    co_return InvalidRequest(call.version(), errors);
  }
  Command command =
      AnswerCheck{call.contact_id, *agency, std::move(answer), ActorOf(*call.who), partner};
  CommandResult result =
      co_await AsyncSubmit(*deps.processor, std::move(command), asio::use_awaitable);
  if (!result.status.ok()) co_return FromStatus(call, result.status);
  const v1::Contact& contact = result.contact->contact();
  if (partner) {
    // The agency hears back about its own check only.
    v1::Check check = AgencyView(*FindCheck(contact, *agency));
    co_return JsonAnswer(call, http::status::ok, check);
  }
  if (auto refused = co_await Audit(deps, call, v1::AuditRead::CONTACT)) {
    co_return std::move(*refused);
  }
  co_return JsonAnswer(call, http::status::ok, contact);
}

HandlerResult PostRag(const ApiDependencies& deps, Call& call) {
  auto record = LoadContact(deps, call);
  if (!record.ok()) co_return FromStatus(call, record.status());
  v1::RagChangeRequest change;
  if (auto problem = ReadBody(call, &change)) co_return std::move(*problem);
  const v1::Contact& before = record->contact();
  if (before.state() != v1::ContactState::IN_MASH) {
    co_return FromStatus(call, absl::FailedPreconditionError(
                                   "the contact is " + std::string(NameOf(before.state())) +
                                   ", not IN_MASH: only MASH work is re-rated"));
  }
  if (auto errors = ValidateRagChange(change, before.mash().rag()); !errors.empty()) {
    co_return InvalidRequest(call.version(), errors);
  }
  Command command = ChangeRag{call.contact_id, std::move(change), ActorOf(*call.who)};
  CommandResult result =
      co_await AsyncSubmit(*deps.processor, std::move(command), asio::use_awaitable);
  if (!result.status.ok()) co_return FromStatus(call, result.status);
  if (auto refused = co_await Audit(deps, call, v1::AuditRead::CONTACT)) {
    co_return std::move(*refused);
  }
  co_return JsonAnswer(call, http::status::ok, result.contact->contact());
}

}  // namespace frontdoor
