// The read audit, read back: GET /v1/contacts/{id}/audit (who read or
// changed one contact) and GET /v1/audit?actor=&from=&to= (what one person
// or key read, JSON or CSV, paged). Nothing here changes or deletes a row,
// and reading the audit is itself recorded (what: AUDIT).
#include "adapters/csv/audit.h"
#include "adapters/http/handlers.h"
#include "adapters/http/query_params.h"
#include "engine/audit_log.h"

namespace frontdoor {

namespace http = boost::beast::http;

namespace {

// ?from= / ?to=: an RFC 3339 time, or a day YYYY-MM-DD in Europe/London
// (from its start; a `to` day is included whole). Absent: unbounded.
std::optional<TimePoint> ReadBound(const boost::urls::params_view& query, std::string_view name,
                                   const Calendar& calendar, std::vector<FieldError>& errors) {
  auto text = QueryParam(query, name);
  if (!text) return std::nullopt;
  if (auto day = ParseIsoDate(*text)) {
    if (name == "to") {
      return calendar.StartOfLocalDay(
          std::chrono::year_month_day(std::chrono::sys_days(*day) + std::chrono::days(1)));
    }
    return calendar.StartOfLocalDay(*day);
  }
  if (auto t = ParseRfc3339(*text); t.ok()) {
    if (t->time_since_epoch().count() >= 0) return *t;
  }
  errors.push_back(
      {std::string(name), "must be a date YYYY-MM-DD or an RFC 3339 date and time", 0});
  return std::nullopt;
}

}  // namespace

HandlerResult GetContactAudit(const ApiDependencies& deps, Call& call) {
  auto record = LoadContact(deps, call);
  if (!record.ok()) co_return FromStatus(call, record.status());
  auto audit = ReadContactAudit(*deps.store, call.contact_id);
  if (!audit.ok()) co_return FromStatus(call, audit.status());
  if (auto refused = co_await Audit(deps, call, v1::AuditRead::AUDIT)) {
    co_return std::move(*refused);
  }
  co_return JsonAnswer(call, http::status::ok, *audit, /*list=*/true);
}

HandlerResult GetActorAudit(const ApiDependencies& deps, Call& call) {
  std::vector<FieldError> errors;
  auto actor = QueryParam(call.query, "actor");
  if (!actor || actor->empty()) {
    errors.push_back({"actor", "is required: the person's subject or the key's name", 0});
  }
  ActivePolicy active = deps.policies->Get();
  auto from = ReadBound(call.query, "from", *active.calendar, errors);
  auto to = ReadBound(call.query, "to", *active.calendar, errors);
  if (from && to && *to <= *from) errors.push_back({"to", "must be after from", 0});
  auto limit = ReadLimit(call.query, errors);
  std::optional<Store::AuditPosition> after;
  if (auto token = QueryParam(call.query, "page_token")) {
    after = ParseAuditPageToken(*token);
    if (!after) errors.push_back({"page_token", "is not a token this server gave", 0});
  }
  std::string format = QueryParam(call.query, "format").value_or("json");
  if (format != "json" && format != "csv") errors.push_back({"format", "must be json or csv", 0});
  if (!errors.empty()) co_return InvalidRequest(call.version(), errors);

  TimePoint lo = from.value_or(TimePoint(Millis(0)));
  TimePoint hi = to.value_or(TimePoint::max());
  auto rows = deps.store->AuditOfActor(*actor, lo, hi, *limit + 1, after ? &*after : nullptr);
  if (!rows.ok()) co_return FromStatus(call, rows.status());
  v1::AuditRecordList list;
  for (size_t i = 0; i < rows->size() && i < *limit; ++i) *list.add_records() = (*rows)[i];
  if (rows->size() > *limit) list.set_next_page_token(AuditPageToken((*rows)[*limit - 1]));

  AuditedRead read;
  read.what = v1::AuditRead::AUDIT;
  read.about_actor = *actor;
  if (auto refused = co_await Audit(deps, call, std::move(read))) co_return std::move(*refused);
  if (format == "csv") {
    Response res = CsvAnswer(call, csv::WriteAuditRecords(list), "audit.csv");
    if (!list.next_page_token().empty()) res.set("Next-Page-Token", list.next_page_token());
    co_return res;
  }
  co_return JsonAnswer(call, http::status::ok, list, /*list=*/true);
}

}  // namespace frontdoor
