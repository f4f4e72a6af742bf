// Reports for managers: GET /v1/indicators (JSON or CSV) and GET
// /v1/exports/annex-a/contacts (Ofsted Annex A list 1, CSV), each for a
// range of days in Europe/London.
#include "adapters/csv/reports.h"
#include "adapters/http/handlers.h"
#include "adapters/http/query_params.h"
#include "engine/reports.h"

namespace frontdoor {

namespace http = boost::beast::http;

HandlerResult GetIndicators(const ApiDependencies& deps, Call& call) {
  std::vector<FieldError> errors;
  auto range = ReadDateRange(call.query, errors);
  std::string format = QueryParam(call.query, "format").value_or("json");
  if (format != "json" && format != "csv") errors.push_back({"format", "must be json or csv", 0});
  if (!errors.empty()) co_return InvalidRequest(call.version(), errors);
  ActivePolicy active = deps.policies->Get();
  auto indicators = ComputeIndicators(*deps.store, *active.calendar,
                                      active.policy->spec().targets(), range->first, range->second);
  if (!indicators.ok()) co_return FromStatus(call, indicators.status());
  if (format == "csv") {
    co_return CsvAnswer(call, csv::WriteIndicators(*indicators),
                        "indicators-" + indicators->from() + "-" + indicators->to() + ".csv");
  }
  co_return JsonAnswer(call, http::status::ok, *indicators);
}

HandlerResult GetAnnexAContacts(const ApiDependencies& deps, Call& call) {
  std::vector<FieldError> errors;
  auto range = ReadDateRange(call.query, errors);
  if (!errors.empty()) co_return InvalidRequest(call.version(), errors);
  auto rows =
      AnnexAContacts(*deps.store, *deps.policies->Get().calendar, range->first, range->second);
  if (!rows.ok()) co_return FromStatus(call, rows.status());
  AuditedRead read;
  read.what = v1::AuditRead::EXPORT;
  for (const v1::AnnexAContact& row : *rows) read.child_ids.push_back(row.child_id());
  if (auto refused = co_await Audit(deps, call, std::move(read))) co_return std::move(*refused);
  co_return CsvAnswer(call, csv::WriteAnnexAContacts(*rows),
                      "annex-a-list-1-contacts-" + FormatIsoDate(range->first) + "-" +
                          FormatIsoDate(range->second) + ".csv");
}

}  // namespace frontdoor
