// Emitted events as CloudEvents 1.0 JSON (structured mode). The event's id
// is the stable id of the history event that caused it, so a receiver that
// sees the same id twice can drop the repeat. The data carries ids, codes
// and times only, except a letter, which carries its rendered text: never a
// narrative, a child's name or a date of birth.
#pragma once

#include <string>
#include <vector>

#include "frontdoor/v1/events.pb.h"

namespace frontdoor {

// "org.frontdoor.contact.acknowledged", "org.frontdoor.contact.decided",
// "org.frontdoor.check.requested", "org.frontdoor.check.overdue",
// "org.frontdoor.letter.issued", "org.frontdoor.timescale.breached",
// "org.frontdoor.edt.alert", "org.frontdoor.contact.closed".
std::string CloudEventType(const v1::Event& event);
// Every type above: what a subscription's `events` may name.
const std::vector<std::string>& CloudEventTypes();
std::string ToCloudEventJson(const v1::Event& event);

}  // namespace frontdoor
