// Query-string parameters, checked and turned into the engine's terms.
#include "adapters/http/query_params.h"

#include <charconv>

#include "frontdoor/proto_time.h"

namespace frontdoor {

std::optional<std::string> QueryParam(const boost::urls::params_view& query,
                                      std::string_view name) {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return std::string((*it).value);
}

std::optional<size_t> ParseSize(std::string_view text) {
  size_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return n;
}

std::optional<size_t> ReadLimit(const boost::urls::params_view& query,
                                std::vector<FieldError>& errors) {
  auto text = QueryParam(query, "limit");
  if (!text) return kDefaultPage;
  auto n = ParseSize(*text);
  if (!n || *n == 0 || *n > kMaxPage) {
    errors.push_back({"limit", "must be a whole number from 1 to 1000", 0});
    return std::nullopt;
  }
  return n;
}

std::optional<std::pair<std::chrono::year_month_day, std::chrono::year_month_day>> ReadDateRange(
    const boost::urls::params_view& query, std::vector<FieldError>& errors) {
  std::optional<std::chrono::year_month_day> from, to;
  for (auto [name, out] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
    auto text = QueryParam(query, name);
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

WorklistQuery ReadWorklistQuery(const boost::urls::params_view& query, std::string* queue_name,
                                std::vector<FieldError>& errors) {
  WorklistQuery out;
  *queue_name = QueryParam(query, "queue").value_or("triage");
  if (*queue_name == "mash") {
    out.queue = Queue::kMash;
  } else if (*queue_name == "authorisation") {
    out.queue = Queue::kAuthorisation;
  } else if (*queue_name != "triage") {
    errors.push_back({"queue", "must be triage, mash or authorisation", 0});
  }
  if (auto limit = ReadLimit(query, errors)) out.limit = *limit;
  if (auto token = QueryParam(query, "page_token")) {
    out.after = ParseWorklistPageToken(*token);
    if (!out.after) errors.push_back({"page_token", "is not a token this server gave", 0});
  }
  if (auto text = QueryParam(query, "source")) {
    v1::Source::Code code;
    if (!v1::Source::Code_Parse(*text, &code) || code == v1::Source::SOURCE_UNSPECIFIED) {
      errors.push_back({"source", "is not a referral source code", 0});
    } else {
      out.source = code;
    }
  }
  if (auto text = QueryParam(query, "rag")) {
    v1::Rag::Code code;
    if (!v1::Rag::Code_Parse(*text, &code) || code == v1::Rag::RAG_UNSPECIFIED) {
      errors.push_back({"rag", "must be RED, AMBER or GREEN", 0});
    } else {
      out.rag = code;
    }
  }
  return out;
}

}  // namespace frontdoor
