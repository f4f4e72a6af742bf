// Letters to referrers: what a letter template may say (LetterValues) and
// the words for it, drawn from a contact. Templates are checked when the
// policy loads and rendered by Policy::RenderLetter (letters.cc); the wording
// of dates, times and children is here (letter_values.cc) with the dates
// themselves from calendar/date_words.h, so a letter says the same thing
// whoever renders it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "frontdoor/v1/contact.pb.h"
#include "frontdoor/v1/policy.pb.h"

namespace frontdoor::rules {

// Values a letter template may use: {{contact_id}}, {{external_ref}},
// {{referrer_name}}, {{received_date}}, {{children}} (initials and ages, never
// names or dates of birth), {{outcome}}, {{reason}}, {{route}},
// {{decision_due}}, {{decision_within}} (the decision timescale in words, "2
// hours"), {{#urgent}} (a child is said to be at immediate risk),
// {{#emergency_duty_team_alerted}} (the contact arrived out of hours and the
// duty team was alerted), {{#any_signposts}} (true when there is a list), and
// the list {{#signposts}}{{service}} {{what_for}} {{how_to_reach}}{{/signposts}}.
// Never the narrative.
struct LetterValues {
  std::string contact_id;
  std::string external_ref;
  std::string referrer_name;
  std::string received_date;
  std::string children;
  std::string outcome;
  std::string reason;
  std::string route;
  std::string decision_due;
  std::string decision_within;
  bool urgent = false;
  bool emergency_duty_team_alerted = false;
  std::vector<v1::Signpost> signposts;
};

struct RenderedLetter {
  std::string subject;
  std::string body;
};

// The values for a letter about `contact` as it stands: received_date as
// "24 November 2026" and decision_due as "09:30 on 25 November 2026" (both
// Europe/London; decision_due empty when `decision_due` is null), children
// as "J.S. (aged 7) and an unborn baby (due March 2027)" with ages counted to
// the London date of receipt, urgent when a child is said to be at immediate
// risk, and, once the contact has an outcome, the
// outcome, the reason (the MASH's when it recorded one), the route and, for
// signposting and early help, the signposts. decision_within and
// emergency_duty_team_alerted are the caller's to fill (the contact does not
// carry them). Pure and thread-safe.
LetterValues LetterValuesFor(const v1::Contact& contact, const v1::Deadline* decision_due);

// "J.S. (aged 7), an unborn baby (due March 2027) and a child": enough for
// the referrer to know which children, never their names or dates of birth.
// Ages are counted to `on`: months under 2 years ("aged 14 months"), whole
// years after.
std::string DescribeChildren(const v1::Contact& contact, std::chrono::year_month_day on);

}  // namespace frontdoor::rules
