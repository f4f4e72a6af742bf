// Reading the query string: one parameter as text, a page size, a date
// range, and the worklist's filters. Each problem is appended to `errors`
// under the parameter's name, so that one answer names them all.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "boost/url/params_view.hpp"
#include "engine/queries.h"
#include "frontdoor/tree_reader.h"

namespace frontdoor {

inline constexpr size_t kDefaultPage = 100;
inline constexpr size_t kMaxPage = 1000;

// The parameter's decoded value; nullopt when absent.
std::optional<std::string> QueryParam(const boost::urls::params_view& query, std::string_view name);

// A whole number of decimal digits, nothing else.
std::optional<size_t> ParseSize(std::string_view text);

// ?limit= (default 100, from 1 to 1000).
std::optional<size_t> ReadLimit(const boost::urls::params_view& query,
                                std::vector<FieldError>& errors);

// ?from=YYYY-MM-DD&to=YYYY-MM-DD, both required, to not before from.
std::optional<std::pair<std::chrono::year_month_day, std::chrono::year_month_day>> ReadDateRange(
    const boost::urls::params_view& query, std::vector<FieldError>& errors);

// ?queue=triage|mash (default triage), limit, page_token, source and rag.
// `queue_name` receives the queue as asked for.
WorklistQuery ReadWorklistQuery(const boost::urls::params_view& query, std::string* queue_name,
                                std::vector<FieldError>& errors);

}  // namespace frontdoor
