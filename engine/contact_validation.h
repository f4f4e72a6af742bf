// The checks a contact, a decision or a MASH outcome must pass before the
// engine accepts it, beyond what the schema already enforces: required
// fields, NHS numbers, postcodes, dates, lengths. Each problem names its
// field the way the public JSON does (children[0].nhs_number). Pure
// functions: no I/O, "now" passed in.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/tree_reader.h"
#include "frontdoor/v1/api.pb.h"
#include "frontdoor/v1/contact.pb.h"

namespace frontdoor {

inline constexpr size_t kMaxChildren = 20;
inline constexpr size_t kMaxExternalRef = 128;
inline constexpr size_t kMaxNarrative = 20'000;
inline constexpr size_t kMaxReason = 5'000;
inline constexpr size_t kMaxShortText = 200;
// An open case names at most this many children (a family; a sibling group
// in care is seldom more than a dozen).
inline constexpr size_t kMaxOpenCaseChildren = 50;
// The most problems DescribeErrors spells out.
inline constexpr size_t kMaxDescribedErrors = 20;
// A partner's clock may run a little ahead of ours; more than this and a
// received_at is "in the future".
inline constexpr Millis kReceivedAtTolerance{std::chrono::minutes(2)};
// No contact reaches the front door from before this (2000-01-01).
inline constexpr TimePoint kEarliestReceivedAt{Millis(946684800000)};

// What a submission is checked for. A contact sent to the front door must
// answer every question; the form's live helper (the dry run) asks about a
// form still being filled in, so an unanswered immediate-risk question is
// taken as "no" there and not refused.
enum class SubmissionUse { kSend, kDryRun };

// `now` is the engine's clock; `today` is the date in Europe/London.
std::vector<FieldError> ValidateSubmission(const v1::ContactSubmission& submission, TimePoint now,
                                           std::chrono::year_month_day today,
                                           SubmissionUse use = SubmissionUse::kSend);
// The problems as one line, each naming its field: "channel is required...;
// children[0].nhs_number ...": the first kMaxDescribedErrors, then "and N
// more".
std::string DescribeErrors(const std::vector<FieldError>& errors);
// ValidateSubmission as a status: OK, or InvalidArgument naming every
// field at fault.
absl::Status CheckSubmission(const v1::ContactSubmission& submission, TimePoint now,
                             std::chrono::year_month_day today);
std::vector<FieldError> ValidateDecision(const v1::DecisionRequest& decision);

// InvalidArgument "<field> <message>" that carries the field at fault, for
// a check only the engine can make (it needs the store); the HTTP adapter
// lists it in the problem's errors (FieldErrorOf).
absl::Status InvalidField(const std::string& field, const std::string& message);
// The field at fault an InvalidField status carries; nullopt for any other.
std::optional<FieldError> FieldErrorOf(const absl::Status& status);
std::vector<FieldError> ValidateMashOutcome(const v1::MashOutcomeRequest& outcome);
// An open case from the case management system: an id of letters, digits,
// '.', '_' or '-' starting with a letter or digit, a team, and 1 to
// kMaxOpenCaseChildren children each with a name and date of birth or an
// NHS number.
std::vector<FieldError> ValidateOpenCase(std::string_view case_id,
                                         const v1::OpenCaseRequest& open_case,
                                         std::chrono::year_month_day today);

// Ten digits (spaces allowed) whose last is the modulus 11 check digit.
bool IsValidNhsNumber(std::string_view text);
// Why a checksum-valid NHS number is never issued to a child, in words; ""
// for a number that may be real. Refused: every digit the same
// (0000000000, 1111111111 ...), 0123456789 and 9876543210, and NHS
// England's test range 999 000 0000 to 999 999 9999.
std::string NhsPlaceholder(std::string_view text);
// A UK postcode in any letter case, with or without its space: "CH41 5LH".
bool IsValidUkPostcode(std::string_view text);
// Whether a name holds a letter: an ASCII letter, or a character beyond
// ASCII that is not a space, an invisible or format character (zero-width
// ones, U+FEFF), a control character, a combining mark alone, punctuation,
// a symbol or an emoji (the ranges are in contact_validation.cc and
// docs/api.md, "Names"). Bytes that are not UTF-8 count as no letter.
bool HasLetter(std::string_view text);
// Whether `text` holds a control character: U+0000 to U+001F, U+007F to
// U+009F; tab, line feed and carriage return are allowed when `multi_line`.
bool HasControlCharacter(std::string_view text, bool multi_line);
// Characters, not bytes, of UTF-8 text.
size_t Utf8Length(std::string_view text);

}  // namespace frontdoor
