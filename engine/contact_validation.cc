// Field-by-field checks of what referrers and staff send. Messages are
// written for the person filling in the form ("is required when consent is
// refused or not sought"), and the field path is the JSON one.
#include "engine/contact_validation.h"

#include <cctype>
#include <string>

#include "calendar/age.h"
#include "frontdoor/codes.h"

namespace frontdoor {

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

class Checker {
 public:
  void Fail(std::string field, std::string message) {
    errors_.push_back(FieldError{std::move(field), std::move(message), 0});
  }
  void MaxLength(const std::string& field, std::string_view value, size_t max) {
    if (Utf8Length(value) > max) {
      Fail(field, "must be at most " + std::to_string(max) + " characters");
    }
  }
  std::vector<FieldError> Take() { return std::move(errors_); }

 private:
  std::vector<FieldError> errors_;
};

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsValidEmail(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size() || s.size() > 254) {
    return false;
  }
  if (s.find('@', at + 1) != std::string_view::npos) return false;
  std::string_view domain = s.substr(at + 1);
  size_t dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) ||
        std::iscntrl(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

bool IsValidPhone(std::string_view s) {
  int digits = 0;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c != ' ' && c != '+' && c != '-' && c != '(' && c != ')') {
      return false;
    }
  }
  return digits >= 7 && digits <= 15;
}

void CheckReferrer(const v1::ContactSubmission& s, Checker& check) {
  bool anonymous = s.source() == v1::Source::ANONYMOUS;
  if (!s.has_referrer()) {
    if (!anonymous) check.Fail("referrer", "is required unless the source is ANONYMOUS");
    return;
  }
  const v1::Referrer& r = s.referrer();
  if (!anonymous && IsBlank(r.name())) {
    check.Fail("referrer.name", "is required unless the source is ANONYMOUS");
  }
  check.MaxLength("referrer.name", r.name(), kMaxShortText);
  check.MaxLength("referrer.organisation", r.organisation(), kMaxShortText);
  check.MaxLength("referrer.role", r.role(), kMaxShortText);
  if (!r.email().empty() && !IsValidEmail(r.email())) {
    check.Fail("referrer.email", "is not an email address");
  }
  if (!r.phone().empty() && !IsValidPhone(r.phone())) {
    check.Fail("referrer.phone", "is not a phone number (7 to 15 digits)");
  }
}

void CheckConsent(const v1::ContactSubmission& s, Checker& check) {
  if (!s.has_consent()) {
    check.Fail("consent", "is required: say whether consent was GIVEN, REFUSED or NOT_SOUGHT");
    return;
  }
  const v1::Consent& c = s.consent();
  if (c.status() == v1::ConsentStatus::CONSENT_STATUS_UNSPECIFIED) {
    check.Fail("consent.status", "is required: GIVEN, REFUSED or NOT_SOUGHT");
  } else if (c.status() != v1::ConsentStatus::GIVEN && IsBlank(c.reason())) {
    check.Fail("consent.reason",
               "is required when consent is " + std::string(NameOf(c.status())) + ": say why");
  }
  check.MaxLength("consent.reason", c.reason(), kMaxReason);
}

// `require_name`: a contact must name a child who is born; an open case may
// identify them by NHS number alone.
void CheckChild(const v1::Child& child, const std::string& path, year_month_day today,
                Checker& check, bool require_name = true) {
  bool unborn = child.birth_case() == v1::Child::kExpectedDateOfBirth;
  if (require_name && !unborn && IsBlank(child.given_name()) && IsBlank(child.family_name())) {
    check.Fail(path + ".family_name",
               "a given name or family name is required for a child who is born");
  }
  check.MaxLength(path + ".given_name", child.given_name(), kMaxShortText);
  check.MaxLength(path + ".family_name", child.family_name(), kMaxShortText);
  if (child.birth_case() == v1::Child::kDateOfBirth) {
    auto dob = ParseIsoDate(child.date_of_birth());
    if (!dob) {
      check.Fail(path + ".date_of_birth", "must be a date written YYYY-MM-DD");
    } else if (sys_days(*dob) > sys_days(today)) {
      check.Fail(path + ".date_of_birth", "must not be in the future");
    } else if (AgeInYears(*dob, today) > 25) {
      // Care leavers are supported up to 25; the cut-off and its words agree.
      check.Fail(path + ".date_of_birth",
                 "is 26 or more years ago: a contact is about a child or a young person up to 25");
    }
  } else if (unborn) {
    auto edd = ParseIsoDate(child.expected_date_of_birth());
    if (!edd) {
      check.Fail(path + ".expected_date_of_birth", "must be a date written YYYY-MM-DD");
    } else if (sys_days(*edd) > sys_days(today) + days(300)) {
      check.Fail(path + ".expected_date_of_birth", "must be within the next 10 months");
    } else if (sys_days(*edd) < sys_days(today) - days(31)) {
      check.Fail(path + ".expected_date_of_birth",
                 "is more than a month ago: give the child's date_of_birth instead");
    }
  }
  if (!child.nhs_number().empty() && !IsValidNhsNumber(child.nhs_number())) {
    check.Fail(path + ".nhs_number", "is not a valid NHS number (10 digits with a check digit)");
  } else if (std::string why = NhsPlaceholder(child.nhs_number()); !why.empty()) {
    check.Fail(path + ".nhs_number",
               "is not a real NHS number: " + why +
                   ". Leave it out if you do not know the child's NHS number");
  }
  if (!child.postcode().empty() && !IsValidUkPostcode(child.postcode())) {
    check.Fail(path + ".postcode", "is not a UK postcode");
  }
}

}  // namespace

size_t Utf8Length(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool IsValidNhsNumber(std::string_view text) {
  int digits[10];
  int n = 0;
  for (char c : text) {
    if (c == ' ') continue;
    if (!std::isdigit(static_cast<unsigned char>(c)) || n == 10) return false;
    digits[n++] = c - '0';
  }
  if (n != 10) return false;
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += digits[i] * (10 - i);
  int check = 11 - (sum % 11);
  if (check == 11) check = 0;
  return check != 10 && check == digits[9];
}

std::string NhsPlaceholder(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  if (digits.size() != 10) return "";
  if (digits.find_first_not_of(digits[0]) == std::string::npos) {
    return "every digit is the same, which is how a number is filled in when it is not known";
  }
  if (digits == "0123456789" || digits == "9876543210") {
    return "its digits simply count up or down, which is how a number is filled in when it is "
           "not known";
  }
  if (digits.starts_with("999")) {
    return "NHS England keeps the numbers starting 999 for testing and never gives them to anyone";
  }
  return "";
}

bool IsValidUkPostcode(std::string_view text) {
  std::string pc;
  for (char c : text) {
    if (c == ' ') continue;
    pc += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (pc == "GIR0AA") return true;
  if (pc.size() < 5 || pc.size() > 7) return false;
  auto alpha = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  // Inward code: a digit and two letters (never C, I, K, M, O or V).
  std::string_view inward(pc.data() + pc.size() - 3, 3);
  auto inward_letter = [&](char c) {
    return alpha(c) && std::string_view("CIKMOV").find(c) == std::string_view::npos;
  };
  if (!digit(inward[0]) || !inward_letter(inward[1]) || !inward_letter(inward[2])) return false;
  // Outward code: A9, A99, AA9, AA99, A9A or AA9A.
  std::string_view out(pc.data(), pc.size() - 3);
  if (!alpha(out[0])) return false;
  switch (out.size()) {
    case 2:
      return digit(out[1]);
    case 3:
      return (digit(out[1]) && (digit(out[2]) || alpha(out[2]))) ||
             (alpha(out[1]) && digit(out[2]));
    case 4:
      return alpha(out[1]) && digit(out[2]) && (digit(out[3]) || alpha(out[3]));
    default:
      return false;
  }
}

std::string DescribeErrors(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    out += e.field.empty() ? e.message : e.field + " " + e.message;
  }
  return out;
}

absl::Status CheckSubmission(const v1::ContactSubmission& submission, TimePoint now,
                             year_month_day today) {
  std::vector<FieldError> errors = ValidateSubmission(submission, now, today);
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(DescribeErrors(errors));
}

std::vector<FieldError> ValidateSubmission(const v1::ContactSubmission& s, TimePoint now,
                                           year_month_day today, SubmissionUse use) {
  Checker check;
  check.MaxLength("external_ref", s.external_ref(), kMaxExternalRef);
  if (s.has_received_at() && FromProto(s.received_at()) > now + kReceivedAtTolerance) {
    check.Fail("received_at", "must not be in the future");
  } else if (s.has_received_at() && FromProto(s.received_at()) < kEarliestReceivedAt) {
    check.Fail("received_at", "must not be before the year 2000");
  }
  if (s.channel() == v1::Channel::CHANNEL_UNSPECIFIED) {
    check.Fail("channel", "is required: PORTAL, PHONE, EMAIL, PARTNER_API or OUT_OF_HOURS");
  }
  if (s.source() == v1::Source::SOURCE_UNSPECIFIED) {
    check.Fail("source", "is required: the referral source, e.g. SCHOOLS or POLICE");
  }
  CheckReferrer(s, check);
  CheckConsent(s, check);
  if (s.children_size() == 0) {
    check.Fail("children", "must name at least one child");
  } else if (static_cast<size_t>(s.children_size()) > kMaxChildren) {
    check.Fail("children", "must name at most " + std::to_string(kMaxChildren) +
                               " children; send a contact per family");
  }
  for (int i = 0; i < s.children_size() && static_cast<size_t>(i) < kMaxChildren; ++i) {
    CheckChild(s.children(i), "children[" + std::to_string(i) + "]", today, check);
  }
  if (s.concerns_size() == 0) {
    check.Fail("concerns", "must list at least one concern");
  }
  // Unanswered is not "no": an urgent contact must never be counted as not
  // urgent because a question was skipped.
  if (!s.has_immediate_risk() && use == SubmissionUse::kSend) {
    check.Fail("immediate_risk",
               "is required: say whether any child is at immediate risk of significant harm, yes "
               "or no");
  }
  for (int i = 0; i < s.concerns_size(); ++i) {
    if (s.concerns(i) == v1::Concern::CONCERN_UNSPECIFIED) {
      check.Fail("concerns[" + std::to_string(i) + "]", "must be a concern code");
    }
  }
  check.MaxLength("narrative", s.narrative(), kMaxNarrative);
  check.MaxLength("what_would_help", s.what_would_help(), kMaxNarrative);
  return check.Take();
}

std::vector<FieldError> ValidateDecision(const v1::DecisionRequest& d) {
  Checker check;
  if (d.route() == v1::Route::ROUTE_UNSPECIFIED) {
    check.Fail("route",
               "is required: SIGNPOST, EARLY_HELP, MASH, SOCIAL_CARE_ASSESSMENT, "
               "STRATEGY_DISCUSSION, EXISTING_CASE, NFA or RETURN_TO_REFERRER");
  }
  if (IsBlank(d.reason())) {
    check.Fail("reason", "is required: it goes into the history and the referrer's letter");
  }
  check.MaxLength("reason", d.reason(), kMaxReason);
  if (d.rag() != v1::Rag::RAG_UNSPECIFIED && d.route() != v1::Route::MASH) {
    check.Fail("rag", "is only given when the route is MASH");
  }
  return check.Take();
}

std::vector<FieldError> ValidateMashOutcome(const v1::MashOutcomeRequest& o) {
  Checker check;
  if (o.outcome() == v1::MashOutcome::MASH_OUTCOME_UNSPECIFIED) {
    check.Fail("outcome",
               "is required: SOCIAL_CARE_ASSESSMENT, STRATEGY_DISCUSSION, "
               "EARLY_HELP, SIGNPOST or NFA");
  }
  if (IsBlank(o.reason())) {
    check.Fail("reason", "is required: it goes into the history and the referrer's letter");
  }
  check.MaxLength("reason", o.reason(), kMaxReason);
  check.MaxLength("team", o.team(), kMaxShortText);
  return check.Take();
}

std::vector<FieldError> ValidateOpenCase(std::string_view case_id, const v1::OpenCaseRequest& o,
                                         year_month_day today) {
  Checker check;
  bool id_ok = !case_id.empty() && case_id.size() <= 64;
  for (char c : case_id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      id_ok = false;
    }
  }
  if (!id_ok) {
    check.Fail("case_id", "must be 1 to 64 letters, digits, '.', '_' or '-'");
  }
  if (IsBlank(o.team())) check.Fail("team", "is required: the team the case is allocated to");
  check.MaxLength("team", o.team(), kMaxShortText);
  check.MaxLength("worker", o.worker(), kMaxShortText);
  if (o.children_size() == 0) check.Fail("children", "must name at least one child");
  for (int i = 0; i < o.children_size(); ++i) {
    const v1::Child& child = o.children(i);
    std::string path = "children[" + std::to_string(i) + "]";
    CheckChild(child, path, today, check, /*require_name=*/false);
    bool named = child.birth_case() == v1::Child::kDateOfBirth &&
                 !(IsBlank(child.given_name()) && IsBlank(child.family_name()));
    if (!named && child.nhs_number().empty()) {
      check.Fail(path, "needs an nhs_number, or a name and date_of_birth, to be found again");
    }
  }
  return check.Take();
}

}  // namespace frontdoor
