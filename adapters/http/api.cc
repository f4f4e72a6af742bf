// Routes and handlers of the HTTP API. Each handler checks its input, then
// either reads the store or hands a command to the Processor and waits for
// the durable answer; every failure becomes an RFC 9457 problem naming the
// field at fault where there is one.
#include "adapters/http/api.h"

#include <charconv>
#include <map>
#include <tuple>
#include <cstdio>

#include "adapters/csv/reports.h"
#include "adapters/http/prometheus.h"
#include "adapters/json/json.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/async_result.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/this_coro.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/http/chunk_encode.hpp"
#include "boost/beast/http/empty_body.hpp"
#include "boost/beast/http/write.hpp"
#include "boost/url/parse.hpp"
#include "engine/contact_machine.h"
#include "engine/contact_validation.h"
#include "engine/people.h"
#include "engine/reports.h"
#include "frontdoor/codes.h"
#include "frontdoor/v1/api.pb.h"
#include "spdlog/spdlog.h"

namespace frontdoor {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace urls = boost::urls;

namespace {

constexpr size_t kMaxIdempotencyKey = 255;
constexpr size_t kDefaultPage = 100;
constexpr size_t kMaxPage = 1000;

using RoleMask = unsigned;
constexpr RoleMask Bit(Role r) { return 1u << static_cast<unsigned>(r); }
constexpr RoleMask kPublic = 0;
constexpr RoleMask kPartner = Bit(Role::kPartner);
constexpr RoleMask kTriage = Bit(Role::kTriage);
constexpr RoleMask kManager = Bit(Role::kManager);
constexpr RoleMask kAdmin = Bit(Role::kAdmin);
constexpr RoleMask kCaseSystem = Bit(Role::kCaseSystem);
constexpr RoleMask kAnyone = kPartner | kTriage | kManager | kAdmin | kCaseSystem;

// Queues a command and resumes the coroutine, on its own executor, with the
// Processor's answer. A full queue answers ResourceExhausted at once.
template <typename Token>
auto AsyncSubmit(Processor& processor, Command command, Token&& token) {
  return asio::async_initiate<Token, void(CommandResult)>(
      [&processor](auto handler, Command cmd) {
        auto executor = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto resume = [shared, executor](CommandResult result) {
          asio::post(executor, [shared, result = std::move(result)]() mutable {
            (*shared)(std::move(result));
          });
        };
        if (!processor.Submit(std::move(cmd), resume)) {
          resume(Failed(absl::ResourceExhaustedError(
              "the front door is busy; try again in a moment")));
        }
      },
      token, std::move(command));
}

bool IsJson(const Request& req) {
  auto it = req.find(http::field::content_type);
  if (it == req.end()) return false;
  std::string_view type(it->value().data(), it->value().size());
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return type.size() == 16 && strncasecmp(type.data(), "application/json", 16) == 0;
}

std::optional<size_t> ParseSize(std::string_view text) {
  size_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return n;
}

// What a partner may see of a contact: its progress, not the front door's
// working or other agencies' information.
v1::Contact PartnerView(const v1::Contact& c) {
  v1::Contact view;
  view.set_id(c.id());
  view.set_state(c.state());
  view.set_outcome(c.outcome());
  *view.mutable_received_at() = c.received_at();
  *view.mutable_deadlines() = c.deadlines();
  if (c.has_closed_at()) *view.mutable_closed_at() = c.closed_at();
  view.set_external_ref(c.external_ref());
  view.set_channel(c.channel());
  view.set_source(c.source());
  return view;
}

// A worklist row: the contact without its long texts and explanation.
v1::Contact WorklistView(const v1::Contact& c) {
  v1::Contact view = c;
  view.clear_narrative();
  view.clear_what_would_help();
  view.clear_explanation();
  return view;
}

struct ProblemSpec {
  http::status status;
  std::string_view slug;
  std::string_view title;
};

ProblemSpec ProblemFor(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
      return {http::status::bad_request, "invalid-request", "The request is not valid"};
    case absl::StatusCode::kNotFound:
      return {http::status::not_found, "not-found", "Not found"};
    case absl::StatusCode::kFailedPrecondition:
      return {http::status::conflict, "wrong-state", "The contact is not in the right state"};
    case absl::StatusCode::kAlreadyExists:
      return {http::status::conflict, "idempotency-conflict",
              "The Idempotency-Key was used with a different request"};
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnavailable:
      return {http::status::service_unavailable, "unavailable", "Service unavailable"};
    default:
      return {http::status::internal_server_error, "internal", "Internal error"};
  }
}

std::string ProblemBody(http::status status, std::string_view slug, std::string_view title,
                        std::string_view detail, const std::vector<FieldError>& errors) {
  std::string out = "{\"type\":";
  json::AppendQuoted("/problems/" + std::string(slug), out);
  out += ",\"title\":";
  json::AppendQuoted(title, out);
  out += ",\"status\":" + std::to_string(static_cast<unsigned>(status));
  out += ",\"detail\":";
  json::AppendQuoted(detail, out);
  if (!errors.empty()) {
    out += ",\"errors\":[";
    for (size_t i = 0; i < errors.size(); ++i) {
      if (i > 0) out += ',';
      out += "{\"field\":";
      json::AppendQuoted(errors[i].field, out);
      out += ",\"message\":";
      json::AppendQuoted(errors[i].message, out);
      out += '}';
    }
    out += ']';
  }
  out += '}';
  return out;
}

std::string Describe(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    out += e.field.empty() ? e.message : e.field + " " + e.message;
  }
  return out;
}

}  // namespace

// One request on its way through.
struct Call {
  const Request& req;
  asio::ip::address peer;
  std::optional<Principal> who;
  std::vector<std::string> params;
  urls::params_view query;
  // The contact the request was about, for the log line.
  std::string contact_id;
};

struct Api::Impl {
  using Handler = asio::awaitable<Response> (Impl::*)(Call&);
  struct Route {
    std::string_view pattern;
    http::verb method;
    RoleMask roles;
    Handler handler;
  };

  explicit Impl(ApiDependencies d) : deps(std::move(d)) {
    routes = {
        {"/healthz", http::verb::get, kPublic, &Impl::Healthz},
        {"/readyz", http::verb::get, kPublic, &Impl::Readyz},
        {"/metrics", http::verb::get, kPublic, &Impl::Metrics},
        {"/v1/contacts", http::verb::post, kPartner | kTriage, &Impl::PostContact},
        {"/v1/contacts/{id}", http::verb::get, kPartner | kTriage | kManager, &Impl::GetContact},
        {"/v1/contacts/{id}/events", http::verb::get, kTriage | kManager, &Impl::GetEvents},
        {"/v1/contacts/{id}/letters", http::verb::get, kTriage | kManager, &Impl::GetLetters},
        {"/v1/contacts/{id}/decision", http::verb::post, kTriage, &Impl::PostDecision},
        {"/v1/contacts/{id}/mash-outcome", http::verb::post, kTriage, &Impl::PostMashOutcome},
        {"/v1/worklist", http::verb::get, kTriage | kManager, &Impl::GetWorklist},
        {"/v1/breaches", http::verb::get, kManager, &Impl::GetBreaches},
        {"/v1/rules/evaluate", http::verb::post, kTriage | kPartner, &Impl::PostEvaluate},
        {"/v1/admin/clock", http::verb::post, kAdmin, &Impl::PostClock},
        {"/v1/admin/policy/reload", http::verb::post, kAdmin, &Impl::PostPolicyReload},
        {"/v1/whoami", http::verb::get, kAnyone, &Impl::GetWhoami},
        {"/v1/open-cases/{case_id}", http::verb::put, kAdmin | kCaseSystem, &Impl::PutOpenCase},
        {"/v1/open-cases/{case_id}", http::verb::delete_, kAdmin | kCaseSystem,
         &Impl::DeleteOpenCase},
        {"/v1/indicators", http::verb::get, kManager, &Impl::GetIndicators},
        {"/v1/exports/annex-a/contacts", http::verb::get, kManager, &Impl::GetAnnexAContacts},
    };
    if (deps.metrics != nullptr) {
      latency = &deps.metrics->GetHistogram("frontdoor_http_request_seconds",
                                            "Time from a request read to its answer",
                                            LatencyBuckets());
    }
  }

  // ---- Plumbing

  static bool Match(std::string_view pattern, const std::vector<std::string>& segments,
                    std::vector<std::string>* params) {
    std::vector<std::string> found;
    size_t i = 0;
    pattern.remove_prefix(1);
    while (!pattern.empty()) {
      size_t slash = pattern.find('/');
      std::string_view part = pattern.substr(0, slash);
      if (i >= segments.size()) return false;
      if (part.front() == '{') {
        if (segments[i].empty()) return false;
        found.push_back(segments[i]);
      } else if (part != segments[i]) {
        return false;
      }
      ++i;
      if (slash == std::string_view::npos) break;
      pattern.remove_prefix(slash + 1);
    }
    if (i != segments.size()) return false;
    *params = std::move(found);
    return true;
  }

  Response Json(const Call& call, http::status status, std::string body) const {
    Response res(status, call.req.version());
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
  }

  Response Problem(const Call& call, http::status status, std::string_view slug,
                   std::string_view title, std::string detail,
                   const std::vector<FieldError>& errors = {}) const {
    Response res(status, call.req.version());
    res.set(http::field::content_type, "application/problem+json");
    res.set(http::field::cache_control, "no-store");
    if (status == http::status::service_unavailable) res.set(http::field::retry_after, "1");
    res.body() = ProblemBody(status, slug, title, detail, errors);
    res.prepare_payload();
    return res;
  }

  Response FromStatus(const Call& call, const absl::Status& s) const {
    ProblemSpec spec = ProblemFor(s);
    if (spec.status == http::status::internal_server_error) {
      spdlog::error("{} {}: {}", std::string(call.req.method_string()), call.contact_id,
                    s.ToString());
      return Problem(call, spec.status, spec.slug, spec.title,
                     "something went wrong on our side; it has been logged");
    }
    return Problem(call, spec.status, spec.slug, spec.title, std::string(s.message()));
  }

  Response Invalid(const Call& call, const std::vector<FieldError>& errors) const {
    return Problem(call, http::status::bad_request, "validation", "The request has errors",
                   Describe(errors), errors);
  }

  // Reads a JSON body into *message; a problem response when it cannot.
  std::optional<Response> ReadBody(const Call& call, google::protobuf::Message* message) const {
    if (!IsJson(call.req)) {
      return Problem(call, http::status::unsupported_media_type, "unsupported-media-type",
                     "The body must be JSON", "send Content-Type: application/json");
    }
    json::ParseResult parsed = json::Parse(call.req.body(), message);
    if (parsed.malformed) {
      return Problem(call, http::status::bad_request, "malformed-json", "The body is not JSON",
                     parsed.detail);
    }
    if (!parsed.errors.empty()) return Invalid(call, parsed.errors);
    return std::nullopt;
  }

  std::optional<std::string> Query(const Call& call, std::string_view name) const {
    auto it = call.query.find(name);
    if (it == call.query.end()) return std::nullopt;
    return std::string((*it).value);
  }

  std::string ContactLocation(const std::string& id) const { return "/v1/contacts/" + id; }

  v1::Contact ViewFor(const Principal& who, const v1::Contact& c) const {
    return who.role == Role::kPartner ? PartnerView(c) : c;
  }

  // The stored contact the call is about, checked against the caller: a
  // partner asking about another partner's contact hears "not found".
  absl::StatusOr<v1::ContactRecord> LoadContact(Call& call) const {
    call.contact_id = call.params.at(0);
    auto record = deps.store->GetContact(call.contact_id);
    if (!record.ok()) return record.status();
    if (!record->has_value() ||
        (call.who->role == Role::kPartner &&
         (*record)->contact().submitted_by() != call.who->name)) {
      return absl::NotFoundError("no contact " + call.contact_id);
    }
    return std::move(**record);
  }

  absl::StatusOr<v1::Explanation> Explain(const v1::Contact& contact) const {
    auto received = deps.store->GetEvent(contact.id(), 1);
    if (!received.ok()) return received.status();
    if (!received->has_value() || !(*received)->has_contact_received()) {
      return absl::DataLossError("contact " + contact.id() + " has no CONTACT_RECEIVED event");
    }
    auto policy = deps.library->Get(contact.recommendation().rules_version());
    if (!policy.ok()) return policy.status();
    const v1::ContactReceived& facts = (*received)->contact_received();
    return (*policy)->Evaluate(FactsOf(facts, *deps.policies->Get().calendar)).explanation;
  }

  // ---- Handlers

  asio::awaitable<Response> Healthz(Call& call) {
    co_return Json(call, http::status::ok, "{\"status\":\"ok\"}");
  }

  asio::awaitable<Response> Readyz(Call& call) {
    if (!deps.processor->recovered()) {
      co_return Problem(call, http::status::service_unavailable, "recovering", "Not ready",
                        "overdue timers are still firing after start-up");
    }
    co_return Json(call, http::status::ok, "{\"status\":\"ready\"}");
  }

  asio::awaitable<Response> Metrics(Call& call) {
    if (!call.peer.is_loopback()) {
      auto who = deps.auth->Authenticate(Header(call.req, http::field::authorization));
      if (!who) co_return Unauthenticated(call);
      if (who->role != Role::kManager) co_return Forbidden(call);
    }
    Response res(http::status::ok, call.req.version());
    res.set(http::field::content_type, "text/plain; version=0.0.4");
    res.body() = deps.metrics ? PrometheusText(deps.metrics->Snapshot()) : "";
    res.prepare_payload();
    co_return res;
  }

  // ?from=YYYY-MM-DD&to=YYYY-MM-DD, both required, to not before from.
  std::optional<std::pair<std::chrono::year_month_day, std::chrono::year_month_day>> DateRange(
      const Call& call, std::vector<FieldError>& errors) const {
    std::optional<std::chrono::year_month_day> from, to;
    for (auto [name, out] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
      auto text = Query(call, name);
      *out = text ? ParseIsoDate(*text) : std::nullopt;
      if (!*out) errors.push_back({name, "is required: a date written YYYY-MM-DD", 0});
    }
    if (!from || !to) return std::nullopt;
    if (std::chrono::sys_days(*to) < std::chrono::sys_days(*from)) {
      errors.push_back({"to", "must not be before from", 0});
      return std::nullopt;
    }
    return std::pair{*from, *to};
  }

  Response Csv(const Call& call, std::string body, const std::string& filename) const {
    Response res(http::status::ok, call.req.version());
    res.set(http::field::content_type, "text/csv; charset=utf-8");
    res.set(http::field::content_disposition, "attachment; filename=\"" + filename + "\"");
    res.set(http::field::cache_control, "no-store");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
  }

  asio::awaitable<Response> GetIndicators(Call& call) {
    std::vector<FieldError> errors;
    auto range = DateRange(call, errors);
    std::string format = Query(call, "format").value_or("json");
    if (format != "json" && format != "csv") errors.push_back({"format", "must be json or csv", 0});
    if (!errors.empty()) co_return Invalid(call, errors);
    ActivePolicy active = deps.policies->Get();
    auto indicators = ComputeIndicators(*deps.store, *active.calendar,
                                        active.policy->spec().targets(), range->first,
                                        range->second);
    if (!indicators.ok()) co_return FromStatus(call, indicators.status());
    if (format == "csv") {
      co_return Csv(call, csv::WriteIndicators(*indicators),
                    "indicators-" + indicators->from() + "-" + indicators->to() + ".csv");
    }
    co_return Json(call, http::status::ok, json::Write(*indicators));
  }

  asio::awaitable<Response> GetAnnexAContacts(Call& call) {
    std::vector<FieldError> errors;
    auto range = DateRange(call, errors);
    if (!errors.empty()) co_return Invalid(call, errors);
    auto rows = AnnexAContacts(*deps.store, *deps.policies->Get().calendar, range->first,
                               range->second);
    if (!rows.ok()) co_return FromStatus(call, rows.status());
    co_return Csv(call, csv::WriteAnnexAContacts(*rows),
                  "annex-a-list-1-contacts-" + FormatIsoDate(range->first) + "-" +
                      FormatIsoDate(range->second) + ".csv");
  }

  asio::awaitable<Response> PutOpenCase(Call& call) {
    const std::string& case_id = call.params.at(0);
    v1::OpenCaseRequest request;
    if (auto problem = ReadBody(call, &request)) co_return std::move(*problem);
    TimePoint now = deps.clock->Now();
    auto errors = ValidateOpenCase(case_id, request, deps.policies->Get().calendar->LocalDate(now));
    if (!errors.empty()) co_return Invalid(call, errors);
    Command command = RecordOpenCase{case_id, request, call.who->name};
    CommandResult result =
        co_await AsyncSubmit(*deps.processor, std::move(command), asio::use_awaitable);
    if (!result.status.ok()) co_return FromStatus(call, result.status);
    std::string body = "{\"case_id\":";
    json::AppendQuoted(case_id, body);
    body += ",\"team\":";
    json::AppendQuoted(request.team(), body);
    body += ",\"children\":" + std::to_string(request.children_size()) + "}";
    co_return Json(call, http::status::ok, std::move(body));
  }

  asio::awaitable<Response> DeleteOpenCase(Call& call) {
    Command command = CloseOpenCase{call.params.at(0)};
    CommandResult result =
        co_await AsyncSubmit(*deps.processor, std::move(command), asio::use_awaitable);
    if (!result.status.ok()) co_return FromStatus(call, result.status);
    Response res(http::status::no_content, call.req.version());
    res.prepare_payload();
    co_return res;
  }

  asio::awaitable<Response> GetWhoami(Call& call) {
    std::string body = "{\"name\":";
    json::AppendQuoted(call.who->name, body);
    body += ",\"role\":";
    json::AppendQuoted(RoleName(call.who->role), body);
    body += ",\"now\":";
    json::AppendQuoted(FormatRfc3339(deps.clock->Now()), body);
    body += '}';
    co_return Json(call, http::status::ok, std::move(body));
  }

  asio::awaitable<Response> PostContact(Call& call) {
    v1::ContactSubmission submission;
    if (auto problem = ReadBody(call, &submission)) co_return std::move(*problem);
    TimePoint now = deps.clock->Now();
    auto errors =
        ValidateSubmission(submission, now, deps.policies->Get().calendar->LocalDate(now));
    std::string key = Header(call.req, "Idempotency-Key");
    if (key.size() > kMaxIdempotencyKey) {
      errors.push_back({"Idempotency-Key", "must be at most 255 characters", 0});
    }
    if (!errors.empty()) co_return Invalid(call, errors);

    SubmitContact command;
    command.submission = std::move(submission);
    command.actor = call.who->name;
    if (!key.empty()) {
      command.idempotency_key = std::move(key);
      command.request_sha256 = Sha256Hex(call.req.body());
    }
    Command queued = std::move(command);
    CommandResult result =
        co_await AsyncSubmit(*deps.processor, std::move(queued), asio::use_awaitable);
    if (!result.status.ok()) co_return FromStatus(call, result.status);
    const v1::Contact& contact = result.contact->contact();
    call.contact_id = contact.id();
    Response res = Json(call, http::status::created, json::Write(ViewFor(*call.who, contact)));
    res.set(http::field::location, ContactLocation(contact.id()));
    if (result.replayed) res.set("Idempotent-Replayed", "true");
    co_return res;
  }

  asio::awaitable<Response> GetContact(Call& call) {
    auto record = LoadContact(call);
    if (!record.ok()) co_return FromStatus(call, record.status());
    if (call.who->role == Role::kPartner) {
      co_return Json(call, http::status::ok, json::Write(PartnerView(record->contact())));
    }
    // Staff see why the policy recommended what it did, worked out again
    // from what the contact arrived with and the policy version that decided.
    v1::Contact& contact = *record->mutable_contact();
    auto explanation = Explain(contact);
    if (!explanation.ok()) co_return FromStatus(call, explanation.status());
    *contact.mutable_explanation() = std::move(*explanation);
    co_return Json(call, http::status::ok, json::Write(contact));
  }

  asio::awaitable<Response> GetEvents(Call& call) {
    auto record = LoadContact(call);
    if (!record.ok()) co_return FromStatus(call, record.status());
    auto events = deps.store->GetEvents(call.contact_id);
    if (!events.ok()) co_return FromStatus(call, events.status());
    v1::EventList list;
    for (auto& e : *events) *list.add_events() = std::move(e);
    co_return Json(call, http::status::ok, json::WriteList(list));
  }

  asio::awaitable<Response> GetLetters(Call& call) {
    auto record = LoadContact(call);
    if (!record.ok()) co_return FromStatus(call, record.status());
    auto events = deps.store->GetEvents(call.contact_id);
    if (!events.ok()) co_return FromStatus(call, events.status());
    v1::LetterList list;
    for (auto& e : *events) {
      if (e.has_letter_issued()) *list.add_letters() = std::move(*e.mutable_letter_issued()->mutable_letter());
    }
    co_return Json(call, http::status::ok, json::WriteList(list));
  }

  asio::awaitable<Response> PostDecision(Call& call) {
    call.contact_id = call.params.at(0);
    v1::DecisionRequest decision;
    if (auto problem = ReadBody(call, &decision)) co_return std::move(*problem);
    if (auto errors = ValidateDecision(decision); !errors.empty()) co_return Invalid(call, errors);
    // Named, not a temporary in the co_await expression: g++ 12 can copy
    // such temporaries bitwise into the coroutine frame.
    Command command = RecordDecision{call.contact_id, std::move(decision), call.who->name};
    CommandResult result =
        co_await AsyncSubmit(*deps.processor, std::move(command), asio::use_awaitable);
    if (!result.status.ok()) co_return FromStatus(call, result.status);
    co_return Json(call, http::status::ok, json::Write(result.contact->contact()));
  }

  asio::awaitable<Response> PostMashOutcome(Call& call) {
    call.contact_id = call.params.at(0);
    v1::MashOutcomeRequest outcome;
    if (auto problem = ReadBody(call, &outcome)) co_return std::move(*problem);
    if (auto errors = ValidateMashOutcome(outcome); !errors.empty()) {
      co_return Invalid(call, errors);
    }
    Command command = RecordMashOutcome{call.contact_id, std::move(outcome), call.who->name};
    CommandResult result =
        co_await AsyncSubmit(*deps.processor, std::move(command), asio::use_awaitable);
    if (!result.status.ok()) co_return FromStatus(call, result.status);
    co_return Json(call, http::status::ok, json::Write(result.contact->contact()));
  }

  // Reads ?limit= (default 100, at most 1000).
  std::optional<size_t> Limit(const Call& call, std::vector<FieldError>& errors) const {
    auto text = Query(call, "limit");
    if (!text) return kDefaultPage;
    auto n = ParseSize(*text);
    if (!n || *n == 0 || *n > kMaxPage) {
      errors.push_back({"limit", "must be a whole number from 1 to 1000", 0});
      return std::nullopt;
    }
    return n;
  }

  asio::awaitable<Response> GetWorklist(Call& call) {
    std::vector<FieldError> errors;
    std::string queue_name = Query(call, "queue").value_or("triage");
    Queue queue = Queue::kTriage;
    if (queue_name == "mash") {
      queue = Queue::kMash;
    } else if (queue_name != "triage") {
      errors.push_back({"queue", "must be triage or mash", 0});
    }
    auto limit = Limit(call, errors);
    std::optional<Store::WorklistEntry> after;
    if (auto token = Query(call, "page_token")) {
      size_t colon = token->find(':');
      auto ms = colon == std::string::npos ? std::nullopt : ParseSize(token->substr(0, colon));
      if (!ms) {
        errors.push_back({"page_token", "is not a token this server gave", 0});
      } else {
        after = Store::WorklistEntry{token->substr(colon + 1),
                                     TimePoint(Millis(static_cast<int64_t>(*ms)))};
      }
    }
    std::optional<v1::Source::Code> source;
    if (auto text = Query(call, "source")) {
      v1::Source::Code code;
      if (!v1::Source::Code_Parse(*text, &code) || code == v1::Source::SOURCE_UNSPECIFIED) {
        errors.push_back({"source", "is not a referral source code", 0});
      } else {
        source = code;
      }
    }
    std::optional<v1::Rag::Code> rag;
    if (auto text = Query(call, "rag")) {
      v1::Rag::Code code;
      if (!v1::Rag::Code_Parse(*text, &code) || code == v1::Rag::RAG_UNSPECIFIED) {
        errors.push_back({"rag", "must be RED, AMBER or GREEN", 0});
      } else {
        rag = code;
      }
    }
    if (!errors.empty()) co_return Invalid(call, errors);

    v1::Worklist list;
    list.set_queue(queue_name);
    const Store::WorklistEntry* cursor = after ? &*after : nullptr;
    std::optional<Store::WorklistEntry> last;
    // Filters drop rows, so read on until the page is full or the list ends.
    const size_t page = *limit;
    for (;;) {
      auto entries = deps.store->Worklist(queue, page, cursor);
      if (!entries.ok()) co_return FromStatus(call, entries.status());
      for (const auto& entry : *entries) {
        last = entry;
        auto record = deps.store->GetContact(entry.contact_id);
        if (!record.ok()) co_return FromStatus(call, record.status());
        if (!record->has_value()) continue;
        const v1::Contact& c = (*record)->contact();
        if (source && c.source() != *source) continue;
        v1::Rag::Code contact_rag =
            c.state() == v1::ContactState::IN_MASH ? c.mash().rag() : c.recommendation().rag();
        if (rag && contact_rag != *rag) continue;
        *list.add_contacts() = WorklistView(c);
        if (static_cast<size_t>(list.contacts_size()) == page) break;
      }
      if (static_cast<size_t>(list.contacts_size()) == page) {
        list.set_next_page_token(std::to_string(last->due_at.time_since_epoch().count()) + ":" +
                                 last->contact_id);
        break;
      }
      if (entries->size() < page) break;
      cursor = &*last;
    }
    co_return Json(call, http::status::ok, json::WriteList(list));
  }

  asio::awaitable<Response> GetBreaches(Call& call) {
    std::vector<FieldError> errors;
    std::string status = Query(call, "status").value_or("open");
    if (status != "open" && status != "all") {
      errors.push_back({"status", "must be open or all", 0});
    }
    auto limit = Query(call, "limit") ? Limit(call, errors) : std::optional<size_t>(kMaxPage);
    if (!errors.empty()) co_return Invalid(call, errors);
    auto breaches = deps.store->Breaches(status == "open", *limit);
    if (!breaches.ok()) co_return FromStatus(call, breaches.status());
    v1::BreachList list;
    for (auto& b : *breaches) *list.add_breaches() = std::move(b);
    co_return Json(call, http::status::ok, json::WriteList(list));
  }

  asio::awaitable<Response> PostEvaluate(Call& call) {
    v1::ContactSubmission submission;
    if (auto problem = ReadBody(call, &submission)) co_return std::move(*problem);
    ActivePolicy active = deps.policies->Get();
    TimePoint now = deps.clock->Now();
    auto errors = ValidateSubmission(submission, now, active.calendar->LocalDate(now));
    if (!errors.empty()) co_return Invalid(call, errors);
    TimePoint received = submission.has_received_at() ? FromProto(submission.received_at()) : now;
    rules::Facts facts;
    facts.submission = &submission;
    facts.received_on = active.calendar->LocalDate(received);
    facts.out_of_hours = !active.calendar->IsOpen(received);
    // Staff see what is known of the children (read only: a dry run makes
    // no one new). A partner's dry run looks at the form alone: what other
    // agencies told the front door is not a partner's to learn.
    if (call.who->role != Role::kPartner) {
      PeopleBook people(*deps.store, nullptr);
      auto person_ids = people.Resolve(submission.children());
      if (!person_ids.ok()) co_return FromStatus(call, person_ids.status());
      auto prior = people.PriorOf(*person_ids, received);
      if (!prior.ok()) co_return FromStatus(call, prior.status());
      facts.prior = std::move(*prior);
    }
    rules::Evaluation evaluation = active.policy->Evaluate(facts);
    v1::Evaluation out;
    *out.mutable_recommendation() = std::move(evaluation.recommendation);
    *out.mutable_explanation() = std::move(evaluation.explanation);
    out.set_urgent(evaluation.urgent);
    out.set_out_of_hours(facts.out_of_hours);
    if (call.who->role != Role::kPartner) *out.mutable_prior() = facts.prior;
    co_return Json(call, http::status::ok, json::Write(out));
  }

  asio::awaitable<Response> PostClock(Call& call) {
    if (!deps.clock->IsManual()) {
      co_return Problem(call, http::status::not_found, "not-found", "Not found",
                        "the server runs on the system clock; start it with --clock manual");
    }
    v1::ClockRequest request;
    if (auto problem = ReadBody(call, &request)) co_return std::move(*problem);
    std::vector<FieldError> errors;
    if (request.advance().empty() == !request.has_set()) {
      errors.push_back({"advance", "give exactly one of advance (an ISO 8601 duration) or set", 0});
    }
    SetClock step;
    if (!request.advance().empty()) {
      auto by = ParseIsoDuration(request.advance());
      if (!by.ok()) {
        errors.push_back({"advance", std::string(by.status().message()), 0});
      } else {
        step.advance = *by;
      }
    } else if (request.has_set()) {
      step.to = FromProto(request.set());
      if (*step.to < deps.clock->Now()) {
        errors.push_back({"set", "must not be before the clock's time now, " +
                                     FormatRfc3339(deps.clock->Now()), 0});
      }
    }
    if (!errors.empty()) co_return Invalid(call, errors);
    Command command = step;
    CommandResult result =
        co_await AsyncSubmit(*deps.processor, std::move(command), asio::use_awaitable);
    if (!result.status.ok()) co_return FromStatus(call, result.status);
    bool delivered = co_await WaitDelivered(result.outbox_seq);
    v1::ClockState state;
    *state.mutable_now() = ToProto(result.now);
    Response res = Json(call, http::status::ok, json::Write(state));
    if (!delivered) res.set("Delivery-Pending", "true");
    co_return res;
  }

  asio::awaitable<Response> PostPolicyReload(Call& call) {
    if (!deps.reload_policy) {
      co_return Problem(call, http::status::not_found, "not-found", "Not found",
                        "policy reload is not available");
    }
    absl::Status reloaded = deps.reload_policy();
    if (!reloaded.ok()) {
      co_return Problem(call, http::status::unprocessable_entity, "policy-invalid",
                        "The policy file was refused; the old policy stays",
                        std::string(reloaded.message()));
    }
    ActivePolicy active = deps.policies->Get();
    std::string body = "{\"rules_version\":";
    json::AppendQuoted(active.policy->version(), body);
    body += ",\"policy_label\":";
    json::AppendQuoted(active.policy->label(), body);
    body += '}';
    co_return Json(call, http::status::ok, std::move(body));
  }

  // True once the sinks have delivered the outbox up to `seq`; false if
  // that took longer than deps.delivery_wait.
  asio::awaitable<bool> WaitDelivered(uint64_t seq) {
    if (deps.delivery == nullptr) co_return true;
    auto executor = co_await asio::this_coro::executor;
    auto timer = std::make_shared<asio::steady_timer>(executor, deps.delivery_wait);
    auto done = std::make_shared<std::atomic<bool>>(false);
    deps.delivery->WhenDelivered(seq, [timer, done, executor] {
      asio::post(executor, [timer, done] {
        done->store(true);
        timer->cancel();
      });
    });
    if (!done->load()) co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    co_return done->load();
  }

  // ---- Dispatch

  static std::string Header(const Request& req, http::field field) {
    auto it = req.find(field);
    return it == req.end() ? std::string() : std::string(it->value());
  }
  static std::string Header(const Request& req, std::string_view name) {
    auto it = req.find(name);
    return it == req.end() ? std::string() : std::string(it->value());
  }

  Response Unauthenticated(const Call& call) const {
    Response res = Problem(call, http::status::unauthorized, "unauthenticated",
                           "Sign-in needed", "send Authorization: Bearer <token>");
    res.set(http::field::www_authenticate, "Bearer");
    return res;
  }

  Response Forbidden(const Call& call) const {
    return Problem(call, http::status::forbidden, "forbidden", "Not allowed",
                   "this API key's role may not do this");
  }

  asio::awaitable<Response> Dispatch(Call& call, std::string_view* route_pattern) {
    auto target = urls::parse_origin_form(
        std::string_view(call.req.target().data(), call.req.target().size()));
    if (!target) {
      co_return Problem(call, http::status::bad_request, "bad-target", "Bad request target",
                        "the request target is not a valid path");
    }
    call.query = target->params();
    std::vector<std::string> segments;
    for (auto segment : target->segments()) segments.push_back(segment);

    std::string allow;
    const Route* found = nullptr;
    for (const Route& route : routes) {
      std::vector<std::string> params;
      if (!Match(route.pattern, segments, &params)) continue;
      if (route.method == call.req.method()) {
        found = &route;
        call.params = std::move(params);
        break;
      }
      if (!allow.empty()) allow += ", ";
      allow += std::string(http::to_string(route.method));
    }
    if (found == nullptr && deps.web != nullptr && allow.empty() &&
        (call.req.method() == http::verb::get || call.req.method() == http::verb::head) &&
        (segments.empty() || (segments[0] != "v1" && segments[0] != "healthz" &&
                              segments[0] != "readyz" && segments[0] != "metrics"))) {
      *route_pattern = "static";
      if (auto file = deps.web->Serve(segments, call.req.version(),
                                      call.req.method() == http::verb::head)) {
        co_return std::move(*file);
      }
    }
    if (found == nullptr) {
      if (!allow.empty()) {
        Response res = Problem(call, http::status::method_not_allowed, "method-not-allowed",
                               "Method not allowed", "this path takes " + allow);
        res.set(http::field::allow, allow);
        co_return res;
      }
      co_return Problem(call, http::status::not_found, "not-found", "Not found",
                        "there is nothing at this path");
    }
    *route_pattern = found->pattern;
    if (found->roles != kPublic) {
      call.who = deps.auth->Authenticate(Header(call.req, http::field::authorization));
      if (!call.who) co_return Unauthenticated(call);
      if ((found->roles & Bit(call.who->role)) == 0) co_return Forbidden(call);
    }
    co_return co_await (this->*found->handler)(call);
  }

  // The counter for one route, method and status. Patterns are the
  // routes' own string literals, so their addresses can key a per-thread
  // cache that spares the registry's lock and string building.
  Counter& RequestCounter(std::string_view pattern, http::verb method, unsigned status) {
    thread_local std::map<std::tuple<const void*, int, unsigned>, Counter*> cache;
    auto key = std::make_tuple(static_cast<const void*>(pattern.data()), static_cast<int>(method),
                               status);
    Counter*& counter = cache[key];
    if (counter == nullptr) {
      counter = &deps.metrics->GetCounter(
          "frontdoor_http_requests_total", "HTTP requests answered",
          "route=\"" + std::string(pattern) + "\",method=\"" +
              std::string(http::to_string(method)) + "\",status=\"" + std::to_string(status) +
              "\"");
    }
    return *counter;
  }

  ApiDependencies deps;
  std::vector<Route> routes;
  Histogram* latency = nullptr;
};

Api::Api(ApiDependencies deps) : impl_(std::make_unique<Impl>(std::move(deps))) {}
Api::~Api() = default;

asio::awaitable<Response> Api::Handle(Request request, asio::ip::address peer) {
  auto start = std::chrono::steady_clock::now();
  Call call{request, peer, std::nullopt, {}, {}, {}};
  std::string_view pattern = "unmatched";
  Response res;
  try {
    res = co_await impl_->Dispatch(call, &pattern);
  } catch (const std::exception& e) {
    // A thrown exception is a bug; the client still gets an answer.
    spdlog::error("handler threw on {} {}: {}", std::string(request.method_string()),
                  std::string(pattern), e.what());
    res = impl_->Problem(call, http::status::internal_server_error, "internal",
                         "Internal error", "something went wrong on our side; it has been logged");
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (impl_->deps.metrics != nullptr) {
    impl_->RequestCounter(pattern, request.method(), res.result_int()).Increment();
    impl_->latency->Observe(seconds);
  }
  // Ids and timings only: never bodies, names or tokens.
  std::string_view path(request.target().data(), request.target().size());
  path = path.substr(0, path.find('?'));
  spdlog::info("{} {} {} {:.2f}ms{}{}", std::string(request.method_string()), path,
               res.result_int(), seconds * 1000, call.contact_id.empty() ? "" : " contact=",
               call.contact_id);
  co_return res;
}

bool Api::IsStream(const Request& request) {
  std::string_view target(request.target().data(), request.target().size());
  return request.method() == http::verb::get &&
         target.substr(0, target.find('?')) == "/v1/stream";
}

asio::awaitable<void> Api::Stream(Request request, boost::beast::tcp_stream& stream,
                                  asio::ip::address peer) {
  constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
  constexpr auto kWriteTimeout = std::chrono::seconds(10);
  Call call{request, peer, std::nullopt, {}, {}, {}};
  call.who = impl_->deps.auth->Authenticate(Impl::Header(request, http::field::authorization));
  std::optional<Response> refusal;
  if (!call.who) {
    refusal = impl_->Unauthenticated(call);
  } else if (call.who->role != Role::kTriage && call.who->role != Role::kManager) {
    refusal = impl_->Forbidden(call);
  } else if (impl_->deps.feed == nullptr) {
    refusal = impl_->Problem(call, http::status::not_found, "not-found", "Not found",
                             "there is no live feed");
  }
  if (refusal) {
    refusal->keep_alive(false);
    spdlog::info("GET /v1/stream {}", refusal->result_int());
    stream.expires_after(kWriteTimeout);
    co_await http::async_write(stream, *refusal, kUseTuple);
    co_return;
  }
  spdlog::info("GET /v1/stream 200 opened");

  http::response<http::empty_body> head{http::status::ok, request.version()};
  head.set(http::field::content_type, "text/event-stream");
  head.set(http::field::cache_control, "no-store");
  head.keep_alive(false);
  head.chunked(true);
  http::response_serializer<http::empty_body> serializer{head};
  stream.expires_after(kWriteTimeout);
  auto [head_ec, head_bytes] = co_await http::async_write_header(stream, serializer, kUseTuple);
  if (head_ec) co_return;

  LiveFeed& feed = *impl_->deps.feed;
  auto sub = feed.Subscribe(co_await asio::this_coro::executor);
  std::string pending = "retry: 3000\n: connected\n\n";
  for (;;) {
    bool closed;
    {
      std::lock_guard lock(sub->mu);
      while (!sub->queue.empty()) {
        pending += sub->queue.front();
        sub->queue.pop_front();
      }
      closed = sub->closed;
    }
    if (!pending.empty()) {
      stream.expires_after(kWriteTimeout);
      auto [ec, n] = co_await asio::async_write(
          stream, http::make_chunk(asio::buffer(pending)), kUseTuple);
      if (ec) break;
      pending.clear();
      // News that came while writing found no wait to cancel: look again
      // before waiting.
      continue;
    }
    if (closed) break;
    // Nothing queued and no yield since looking: a wake-up posted from now
    // on runs on this strand after the wait has begun, and cancels it.
    sub->wake.expires_after(std::chrono::seconds(15));
    auto [wait_ec] = co_await sub->wake.async_wait(kUseTuple);
    // Timed out: nothing happened for a while; keep proxies from closing.
    if (!wait_ec) pending = ": keep-alive\n\n";
  }
  feed.Unsubscribe(sub);
  stream.expires_after(kWriteTimeout);
  co_await asio::async_write(stream, http::make_chunk_last(), kUseTuple);
}

Response Api::Problem(unsigned version, http::status status, std::string_view slug,
                      std::string_view title, std::string detail) {
  Response res(status, version);
  res.set(http::field::content_type, "application/problem+json");
  res.body() = ProblemBody(status, slug, title, detail, {});
  res.prepare_payload();
  return res;
}

}  // namespace frontdoor
