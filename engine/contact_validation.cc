// Field-by-field checks of what referrers and staff send. Messages are
// written for the person filling in the form ("is required when consent is
// refused or not sought"), and the field path is the JSON one.
#include "engine/contact_validation.h"

#include <cctype>
#include <string>

#include "absl/strings/cord.h"
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
  // A one-line field (a name, a team): no control characters, line breaks
  // or tabs. Returns false when it failed.
  bool Line(const std::string& field, std::string_view value) {
    if (!HasControlCharacter(value, /*multi_line=*/false)) return true;
    Fail(field, "must be one line without control characters (such as NUL, tabs or line breaks)");
    return false;
  }
  // Free text (a narrative, a reason): tabs and line breaks, but no other
  // control characters.
  void Text(const std::string& field, std::string_view value) {
    if (HasControlCharacter(value, /*multi_line=*/true)) {
      Fail(field, "must not contain control characters (such as NUL); tabs and line breaks are "
                  "allowed");
    }
  }
  // A person's name, when given: one line with at least one letter.
  void Name(const std::string& field, std::string_view value) {
    if (!Line(field, value)) return;
    if (!value.empty() && !HasLetter(value)) {
      Fail(field, "must contain a letter: spaces, invisible characters, punctuation and symbols "
                  "alone are not a name; leave it out when it is not known");
    }
  }
  std::vector<FieldError> Take() { return std::move(errors_); }

 private:
  std::vector<FieldError> errors_;
};

// The code point at text[*i], moving *i past it; U+FFFD for a byte that
// does not start well-formed UTF-8 (the CSV loader passes bytes through).
char32_t NextCodePoint(std::string_view text, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[*i + k]); };
  const unsigned char c = byte(0);
  if (c < 0x80) {
    ++*i;
    return c;
  }
  size_t n = 0;
  char32_t cp = 0;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    cp = c & 0x0f;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    cp = c & 0x07;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  }
  bool ok = n != 0 && *i + n <= text.size() && byte(1) >= lo && byte(1) <= hi;
  for (size_t k = 2; ok && k < n; ++k) ok = byte(k) >= 0x80 && byte(k) <= 0xbf;
  if (!ok) {
    ++*i;
    return 0xfffd;
  }
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (byte(k) & 0x3f);
  *i += n;
  return cp;
}

bool IsControl(char32_t cp) { return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f); }

// Not a letter (HasLetter): the ranges docs/api.md lists under "Names".
bool IsNotLetter(char32_t cp) {
  if (cp < 0x80) {
    return !((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z'));
  }
  struct Range {
    char32_t first, last;
  };
  static constexpr Range kNotLetters[] = {
      {0x0080, 0x00bf},    // C1 controls, no-break space, Latin-1 punctuation and signs
      {0x00d7, 0x00d7},    // multiplication sign
      {0x00f7, 0x00f7},    // division sign
      {0x02b0, 0x036f},    // modifier letters and combining marks, alone
      {0x0600, 0x0605},    // Arabic format characters
      {0x061c, 0x061c},    // Arabic letter mark
      {0x06dd, 0x06dd},    // Arabic end of ayah
      {0x070f, 0x070f},    // Syriac abbreviation mark
      {0x115f, 0x1160},    // Hangul fillers
      {0x1680, 0x1680},    // Ogham space
      {0x17b4, 0x17b5},    // Khmer invisible vowels
      {0x180b, 0x180f},    // Mongolian variation selectors and vowel separator
      {0x2000, 0x2bff},    // spaces, zero-width characters, punctuation, symbols, arrows,
                           // shapes, Braille (its blank cell looks like a space)
      {0x2e00, 0x2e7f},    // supplemental punctuation
      {0x3000, 0x303f},    // ideographic space and CJK punctuation
      {0x3164, 0x3164},    // Hangul filler
      {0xd800, 0xf8ff},    // surrogates, private use
      {0xfe00, 0xfe6f},    // variation selectors, vertical and small forms, combining halves
      {0xfeff, 0xfeff},    // zero-width no-break space (byte order mark)
      {0xff01, 0xff20},    // full-width punctuation and digits
      {0xff3b, 0xff40},    // full-width punctuation
      {0xff5b, 0xff65},    // full-width and half-width punctuation
      {0xffa0, 0xffa0},    // half-width Hangul filler
      {0xfff0, 0xffff},    // specials, the replacement character
      {0x1d173, 0x1d17a},  // musical format characters
      {0x1f000, 0x1faff},  // emoji and other symbols
      {0xe0000, 0x10ffff}, // tags, variation selectors, private use
  };
  for (const Range& r : kNotLetters) {
    if (cp >= r.first && cp <= r.last) return true;
  }
  return false;
}

// Nothing a reader would see: spaces of any kind, zero-width and other
// invisible characters, control characters.
bool IsInvisible(char32_t cp) {
  if (IsControl(cp) || cp == ' ') return true;
  switch (cp) {
    case 0x00a0: case 0x00ad: case 0x034f: case 0x115f: case 0x1160: case 0x1680:
    case 0x180e: case 0x2800: case 0x3000: case 0x3164: case 0xfeff: case 0xffa0:
      return true;
    default:
      return (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
             (cp >= 0x205f && cp <= 0x206f);
  }
}

bool IsBlank(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (!IsInvisible(NextCodePoint(s, &i))) return false;
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
  } else {
    check.Name("referrer.name", r.name());
  }
  check.Line("referrer.organisation", r.organisation());
  check.Line("referrer.role", r.role());
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
  check.Text("consent.reason", c.reason());
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
  } else {
    check.Name(path + ".given_name", child.given_name());
    check.Name(path + ".family_name", child.family_name());
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

bool HasLetter(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (!IsNotLetter(NextCodePoint(text, &i))) return true;
  }
  return false;
}

bool HasControlCharacter(std::string_view text, bool multi_line) {
  for (size_t i = 0; i < text.size();) {
    char32_t cp = NextCodePoint(text, &i);
    if (multi_line && (cp == '\t' || cp == '\n' || cp == '\r')) continue;
    if (IsControl(cp)) return true;
  }
  return false;
}

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
  for (size_t i = 0; i < errors.size() && i < kMaxDescribedErrors; ++i) {
    const FieldError& e = errors[i];
    if (!out.empty()) out += "; ";
    out += e.field.empty() ? e.message : e.field + " " + e.message;
  }
  if (errors.size() > kMaxDescribedErrors) {
    out += "; and " + std::to_string(errors.size() - kMaxDescribedErrors) + " more";
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
  check.Line("external_ref", s.external_ref());
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
  check.Text("narrative", s.narrative());
  check.Text("what_would_help", s.what_would_help());
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
  check.Text("reason", d.reason());
  check.MaxLength("reason", d.reason(), kMaxReason);
  if (d.rag() != v1::Rag::RAG_UNSPECIFIED && d.route() != v1::Route::MASH) {
    check.Fail("rag", "is only given when the route is MASH");
  }
  return check.Take();
}

namespace {
constexpr char kFieldPayload[] = "type.frontdoor/field";
constexpr char kMessagePayload[] = "type.frontdoor/field-message";
}  // namespace

absl::Status InvalidField(const std::string& field, const std::string& message) {
  absl::Status status = absl::InvalidArgumentError(field + " " + message);
  status.SetPayload(kFieldPayload, absl::Cord(field));
  status.SetPayload(kMessagePayload, absl::Cord(message));
  return status;
}

std::optional<FieldError> FieldErrorOf(const absl::Status& status) {
  auto field = status.GetPayload(kFieldPayload);
  auto message = status.GetPayload(kMessagePayload);
  if (!field || !message) return std::nullopt;
  return FieldError{std::string(*field), std::string(*message), 0};
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
  check.Text("reason", o.reason());
  check.Line("team", o.team());
  check.MaxLength("reason", o.reason(), kMaxReason);
  check.MaxLength("team", o.team(), kMaxShortText);
  return check.Take();
}

std::vector<FieldError> ValidateOpenCase(std::string_view case_id, const v1::OpenCaseRequest& o,
                                         year_month_day today) {
  Checker check;
  // It is a path segment (PUT /v1/open-cases/{case_id}): starting with a
  // letter or digit rules out "." and "..".
  bool id_ok = !case_id.empty() && case_id.size() <= 64 &&
               std::isalnum(static_cast<unsigned char>(case_id[0]));
  for (char c : case_id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      id_ok = false;
    }
  }
  if (!id_ok) {
    check.Fail("case_id",
               "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
  }
  if (IsBlank(o.team())) check.Fail("team", "is required: the team the case is allocated to");
  check.Line("team", o.team());
  check.Line("worker", o.worker());
  check.MaxLength("team", o.team(), kMaxShortText);
  check.MaxLength("worker", o.worker(), kMaxShortText);
  if (o.children_size() == 0) check.Fail("children", "must name at least one child");
  if (static_cast<size_t>(o.children_size()) > kMaxOpenCaseChildren) {
    check.Fail("children", "must name at most " + std::to_string(kMaxOpenCaseChildren) +
                               " children; a larger family is recorded as more than one case");
  }
  for (int i = 0; i < o.children_size() && static_cast<size_t>(i) < kMaxOpenCaseChildren; ++i) {
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
