// Data-driven rule cases and the `frontdoor rules ...` commands built on
// them. A case is one YAML file (schema: RuleCase in policy.proto): a
// contact, when it arrived, what was known about its children, and what
// the policy should recommend. Like DuckDB's .test files, adding a case
// needs no code: the parameterised GoogleTest (tests/rules/rule_cases_test.cc)
// and `frontdoor rules test` run every file in a folder.
//
//   name: Consent refused with only a housing worry goes back to the referrer
//   received_at: 2026-03-03T10:15:00Z
//   out_of_hours: false          # optional: worked out from office hours and bank holidays
//   prior: {contacts_12m: 0, referrals_12m: 0}   # optional; open_case: {case_id, team}
//   contact: {channel: PORTAL, source: SCHOOLS, consent: {status: REFUSED, reason: ...}, ...}
//   expect:
//     route: RETURN_TO_REFERRER   # only the expectations given are checked
//     level: 2
//     rule_id: consent-refused
//     reasons_include: ["Consent was refused"]
//
// Everything here reads files and writes to streams; the Policy it drives
// stays pure.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "calendar/calendar.h"
#include "frontdoor/v1/policy.pb.h"
#include "rules/policy.h"

namespace frontdoor::rules {

struct RuleCaseResult {
  std::filesystem::path file;
  std::string name;
  bool passed = false;
  // One line per expectation not met, or per problem reading the case.
  std::vector<std::string> failures;
};

// The case files under `dir` (*.yaml and *.yml, in subfolders too), sorted.
// Empty when the folder does not exist.
std::vector<std::filesystem::path> ListRuleCases(const std::filesystem::path& dir);

// Reads one case file against the schema. Errors: NotFound, or
// InvalidArgument with every problem appended to *errors.
absl::StatusOr<v1::RuleCase> LoadRuleCase(const std::filesystem::path& file,
                                          std::vector<PolicyError>* errors = nullptr);

// The calendar the engine would use with `policy`: its office hours and the
// bank holidays in `bank_holidays` (GOV.UK format, deploy/bank-holidays.json).
// Errors: those of Calendar::LoadBankHolidays and Calendar::Make.
absl::StatusOr<Calendar> CalendarForCases(const Policy& policy,
                                          const std::filesystem::path& bank_holidays);

// The facts the engine would build for the case (rules::FactsFor): children's
// ages counted to the Europe/London date of received_at, and out_of_hours as
// the case gives it or else from `calendar` (office hours and bank
// holidays). The facts borrow the case's contact. Errors: InvalidArgument
// without a received_at.
absl::StatusOr<Facts> FactsForCase(const v1::RuleCase& rule_case, const Calendar& calendar);

// Evaluates the case and compares each expectation given.
RuleCaseResult RunRuleCase(const Policy& policy, const Calendar& calendar,
                           const v1::RuleCase& rule_case);
// Loads and runs one file; a file that cannot be read is a failed case.
RuleCaseResult RunRuleCaseFile(const Policy& policy, const Calendar& calendar,
                               const std::filesystem::path& file);

// `frontdoor rules test POLICY CASES_DIR`: one line per case, failures
// explained, a summary. Cases are counted with the policy's office hours and
// the bank holidays file. Non-zero when the policy or the bank holidays do
// not load, the folder has no cases, or any case fails.
int RunRuleCases(const std::filesystem::path& policy, const std::filesystem::path& cases_dir,
                 const std::filesystem::path& bank_holidays, std::ostream& out);

// `frontdoor rules check POLICY`: a summary on `out` (label, version,
// tables and rules, timescales, office hours, letters) and 0; or every
// problem as "file:line: field: message" on `err` and non-zero.
int CheckPolicy(const std::filesystem::path& policy, std::ostream& out, std::ostream& err);

// `frontdoor rules explain POLICY CONTACT`: the recommendation and the full
// explanation for a contact. CONTACT is a ContactSubmission as JSON or
// YAML, or a rule case file (to give prior, out_of_hours and received_at).
// A contact without received_at is counted to today. Office hours and bank
// holidays as for RunRuleCases. Non-zero on errors.
int ExplainContact(const std::filesystem::path& policy, const std::filesystem::path& contact,
                   const std::filesystem::path& bank_holidays, std::ostream& out);

// The evaluation as readable text, as ExplainContact prints it.
std::string FormatEvaluation(const Evaluation& evaluation, bool with_explanation);

// "24 hours", "4 working hours", "1 working day".
std::string DescribeTimescale(const v1::TimescaleSpec& spec);

}  // namespace frontdoor::rules
