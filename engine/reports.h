// Reports over stored contacts for managers and inspections: the front
// door's indicators for a range of days, and Ofsted's Annex A List 1
// (contacts). Both read committed data only (any thread) and count each
// contact in the Europe/London day it was received.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "calendar/calendar.h"
#include "engine/store.h"
#include "frontdoor/v1/api.pb.h"
#include "frontdoor/v1/policy.pb.h"

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

// The indicators as CSV: "indicator,period,dimension,value", one number a row.
std::string IndicatorsCsv(const v1::Indicators& indicators);

// One row of Annex A List 1: a child named in a contact.
struct AnnexAContact {
  std::string child_id;
  std::string gender;
  std::string ethnicity;
  std::string date_of_birth;  // DD/MM/YYYY, empty when not known or unborn
  std::string age_years;      // at the date of contact; empty when unknown
  std::string date_of_contact;
  std::string contact_source;
};

absl::StatusOr<std::vector<AnnexAContact>> AnnexAContacts(const Store& store,
                                                          const Calendar& calendar,
                                                          std::chrono::year_month_day from,
                                                          std::chrono::year_month_day to);

// The rows as CSV with Ofsted's column headings.
std::string AnnexAContactsCsv(const std::vector<AnnexAContact>& rows);

}  // namespace frontdoor
