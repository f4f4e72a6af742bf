// GET /v1/worklist (open contacts of one queue, soonest deadline first,
// filtered by source and current RAG, paged by token) and GET /v1/breaches
// (oldest due first, paged by token the same way).
// The filtering and paging are the engine's (engine/queries); this file
// reads the query string and writes the answer.
#include "adapters/http/handlers.h"
#include "adapters/http/query_params.h"
#include "engine/queries.h"

namespace frontdoor {

namespace http = boost::beast::http;

HandlerResult GetWorklist(const ApiDependencies& deps, Call& call) {
  std::vector<FieldError> errors;
  std::string queue_name;
  WorklistQuery query = ReadWorklistQuery(call.query, &queue_name, errors);
  if (!errors.empty()) co_return InvalidRequest(call.version(), errors);
  // What waits for authorisation is the managers' list.
  if (query.queue == Queue::kAuthorisation && call.who->role != Role::kManager) {
    co_return MakeProblem(call.version(), http::status::forbidden, "forbidden", "Not allowed",
                          "the authorisation worklist is for managers");
  }
  query.sources = deps.worklist_sources;
  auto list = ReadWorklist(*deps.store, query);
  if (!list.ok()) co_return FromStatus(call, list.status());
  list->set_queue(queue_name);
  if (list->contacts_size() > 0) {
    AuditedRead read;
    read.what = v1::AuditRead::WORKLIST;
    for (const v1::Contact& c : list->contacts()) read.contact_ids.push_back(c.id());
    if (auto refused = co_await Audit(deps, call, std::move(read))) co_return std::move(*refused);
  }
  co_return JsonAnswer(call, http::status::ok, *list, /*list=*/true);
}

HandlerResult GetBreaches(const ApiDependencies& deps, Call& call) {
  std::vector<FieldError> errors;
  std::string status = QueryParam(call.query, "status").value_or("open");
  if (status != "open" && status != "all") {
    errors.push_back({"status", "must be open or all", 0});
  }
  auto limit = QueryParam(call.query, "limit") ? ReadLimit(call.query, errors)
                                               : std::optional<size_t>(kMaxPage);
  std::optional<v1::Breach> after;
  if (auto token = QueryParam(call.query, "page_token")) {
    after = ParseBreachPageToken(*token);
    if (!after) errors.push_back({"page_token", "is not a page token this server gave", 0});
  }
  if (!errors.empty()) co_return InvalidRequest(call.version(), errors);
  // One more than the page, to know whether another page follows.
  auto breaches = deps.store->Breaches(status == "open", *limit + 1, after ? &*after : nullptr);
  if (!breaches.ok()) co_return FromStatus(call, breaches.status());
  v1::BreachList list;
  if (breaches->size() > *limit) {
    breaches->resize(*limit);
    list.set_next_page_token(BreachPageToken(breaches->back()));
  }
  for (auto& b : *breaches) *list.add_breaches() = std::move(b);
  co_return JsonAnswer(call, http::status::ok, list, /*list=*/true);
}

}  // namespace frontdoor
