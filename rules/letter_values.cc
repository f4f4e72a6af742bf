// The words of a letter about a contact: who it is about (initials and
// ages, never names or dates of birth), when it arrived and when it is due
// to be decided, and its outcome. Dates are worded by calendar/date_words.h
// in Europe/London.
#include <algorithm>
#include <cctype>
#include <string_view>

#include "calendar/age.h"
#include "calendar/date_words.h"
#include "calendar/london_time.h"
#include "frontdoor/codes.h"
#include "frontdoor/proto_time.h"
#include "rules/letters.h"

namespace frontdoor::rules {

namespace {

// The first character of `name`: a whole UTF-8 code point ("É" is two
// bytes), upper-cased when it is ASCII. Empty for a blank name.
std::string FirstLetter(std::string_view name) {
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  if (name.empty()) return "";
  unsigned char lead = static_cast<unsigned char>(name[0]);
  if (lead < 0x80) return std::string(1, static_cast<char>(std::toupper(lead)));
  size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  length = std::min(length, name.size());
  for (size_t i = 1; i < length; ++i) {
    if ((static_cast<unsigned char>(name[i]) & 0xC0) != 0x80) return "";
  }
  return length == 1 ? "" : std::string(name.substr(0, length));
}

std::string Initials(const v1::Child& child) {
  std::string out;
  for (const std::string* name : {&child.given_name(), &child.family_name()}) {
    std::string letter = FirstLetter(*name);
    if (!letter.empty()) out += letter + ".";
  }
  return out;
}

}  // namespace

std::string DescribeChildren(const v1::Contact& contact, std::chrono::year_month_day on) {
  std::vector<std::string> parts;
  for (const v1::Child& child : contact.children()) {
    std::string who = Initials(child);
    if (child.birth_case() == v1::Child::kExpectedDateOfBirth) {
      auto edd = ParseIsoDate(child.expected_date_of_birth());
      std::string due = edd ? " (due " + FormatMonthAndYear(*edd) + ")" : "";
      parts.push_back((who.empty() ? "an unborn baby" : who + ", unborn,") + due);
      continue;
    }
    if (who.empty()) who = "a child";
    auto dob = child.birth_case() == v1::Child::kDateOfBirth ? ParseIsoDate(child.date_of_birth())
                                                             : std::nullopt;
    if (dob) {
      int months = AgeInMonths(*dob, on);
      who += months < 24
                 ? " (aged " + std::to_string(months) + (months == 1 ? " month)" : " months)")
                 : " (aged " + std::to_string(months / 12) + ")";
    }
    parts.push_back(std::move(who));
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += (i + 1 == parts.size()) ? " and " : ", ";
    out += parts[i];
  }
  return out;
}

LetterValues LetterValuesFor(const v1::Contact& c, const v1::Deadline* decision_due) {
  TimePoint received = FromProto(c.received_at());
  LetterValues v;
  v.contact_id = c.id();
  v.external_ref = c.external_ref();
  v.referrer_name = c.referrer().name();
  v.received_date = FormatLongDate(received);
  v.children = DescribeChildren(c, LondonDate(received));
  if (decision_due != nullptr) v.decision_due = FormatTimeOnDate(FromProto(decision_due->due_at()));
  v.urgent = c.immediate_risk();
  if (c.outcome() != v1::Outcome::OUTCOME_UNSPECIFIED) {
    v.outcome = std::string(LabelOf(c.outcome()));
    v.reason = c.has_mash() && c.mash().outcome() != v1::MashOutcome::MASH_OUTCOME_UNSPECIFIED
                   ? c.mash().reason()
                   : c.decision().reason();
    v.route = std::string(LabelOf(c.decision().route()));
    if (c.outcome() == v1::Outcome::SIGNPOSTED || c.outcome() == v1::Outcome::EARLY_HELP) {
      v.signposts.assign(c.recommendation().signposts().begin(),
                         c.recommendation().signposts().end());
    }
  }
  return v;
}

}  // namespace frontdoor::rules
