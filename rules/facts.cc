// Building rule facts from a contact; see facts.h.
#include "rules/facts.h"

#include <utility>

#include "calendar/calendar.h"

namespace frontdoor::rules {

Facts FactsFor(const v1::ContactSubmission& submission, TimePoint received_at, v1::Prior prior,
               const Calendar& calendar, std::optional<bool> out_of_hours) {
  Facts facts;
  facts.submission = &submission;
  facts.received_on = calendar.LocalDate(received_at);
  facts.prior = std::move(prior);
  facts.out_of_hours = out_of_hours ? *out_of_hours : !calendar.IsOpen(received_at);
  return facts;
}

}  // namespace frontdoor::rules
