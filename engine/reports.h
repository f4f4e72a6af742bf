// Reports over stored contacts for managers and inspections: the front
// door's indicators for a range of days, and Ofsted's Annex A List 1
// (contacts). Both read committed data only (any thread) and count each
// contact in the Europe/London day it was received. They return data;
// adapters/csv writes them as CSV.
#pragma once

#include <chrono>
#include <vector>

#include "absl/status/statusor.h"
#include "calendar/calendar.h"
#include "engine/store.h"
#include "frontdoor/v1/api.pb.h"
#include "frontdoor/v1/policy.pb.h"
#include "frontdoor/v1/reports.pb.h"

namespace frontdoor {

// At most this many contacts are read for one report (about 25 years of a
// large authority's contacts); a longer range is refused.
inline constexpr size_t kMaxReportContacts = 2'000'000;

// Indicators for contacts received from `from` to `to`, both included.
// Errors: InvalidArgument for a range that ends before it starts or is too
// large; store errors as they come.
absl::StatusOr<v1::Indicators> ComputeIndicators(const Store& store, const Calendar& calendar,
                                                 const v1::Targets& targets,
                                                 std::chrono::year_month_day from,
                                                 std::chrono::year_month_day to);

// The rows of Annex A List 1 for contacts received from `from` to `to`, both
// included: one a child named in a contact, in the order they were received.
// Errors: as ComputeIndicators.
absl::StatusOr<std::vector<v1::AnnexAContact>> AnnexAContacts(const Store& store,
                                                              const Calendar& calendar,
                                                              std::chrono::year_month_day from,
                                                              std::chrono::year_month_day to);

}  // namespace frontdoor
