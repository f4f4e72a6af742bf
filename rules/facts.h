// The facts a rule may look at, and the one way to build them from a
// contact. Deciding a new contact (engine/contact_machine.cc), a dry run
// of the rules on a contact not yet submitted, and the rule cases that
// `frontdoor rules test` runs all call FactsFor, so they count children's
// ages and office hours the same way: with the same Calendar, bank holidays
// included.
#pragma once

#include <chrono>
#include <optional>

#include "frontdoor/proto_time.h"
#include "frontdoor/v1/contact.pb.h"
#include "frontdoor/v1/events.pb.h"

namespace frontdoor {
class Calendar;
}  // namespace frontdoor

namespace frontdoor::rules {

// Everything about a contact that a rule may look at.
struct Facts {
  // Borrowed; must outlive the call to Evaluate.
  const v1::ContactSubmission* submission = nullptr;
  // The day the contact was received, in Europe/London; children's ages
  // are counted to this day.
  std::chrono::year_month_day received_on{};
  // What was known about the children when the contact arrived.
  v1::Prior prior;
  // Arrived outside the policy's office hours.
  bool out_of_hours = false;
};

// The facts of `submission` received at `received_at`: received_on is the
// Europe/London date of `received_at` and out_of_hours is
// !calendar.IsOpen(received_at) (so a bank holiday is out of hours).
// `received_at` is the caller's: the submission's own received_at when it
// has one, else the time the front door took it in. The facts borrow
// `submission`, which must outlive them; `calendar` is only read here.
// Pure and thread-safe.
//
// A caller that already knows whether the contact was out of hours (a
// replay of a stored ContactReceived, or a rule case that says so) passes
// it as `out_of_hours`, and the calendar is not asked.
Facts FactsFor(const v1::ContactSubmission& submission, TimePoint received_at, v1::Prior prior,
               const Calendar& calendar, std::optional<bool> out_of_hours = std::nullopt);

}  // namespace frontdoor::rules
