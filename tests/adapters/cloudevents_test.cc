// Emitted events are CloudEvents 1.0 with stable ids, and carry no narrative
// or names beyond a letter's own text.
#include "adapters/sinks/cloudevents.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "boost/json/parse.hpp"
#include "frontdoor/proto_time.h"

namespace frontdoor {
namespace {

TEST(CloudEvents, LetterIsStructuredModeWithStableId) {
  v1::Event e;
  e.set_id("FD-00000007-4");
  e.set_contact_id("FD-00000007");
  e.set_seq(4);
  *e.mutable_at() = ToProto(TimePoint(Millis(1795512600000)));
  v1::Letter* letter = e.mutable_letter_issued()->mutable_letter();
  letter->set_id("FD-00000007-4");
  letter->set_contact_id("FD-00000007");
  letter->set_kind(v1::LetterKind::OUTCOME);
  letter->set_body("Dear Ada, ...");
  auto ce = boost::json::parse(ToCloudEventJson(e)).as_object();
  EXPECT_EQ(ce.at("specversion"), "1.0");
  EXPECT_EQ(ce.at("id"), "FD-00000007-4");
  EXPECT_EQ(ce.at("type"), "org.frontdoor.letter.issued");
  EXPECT_EQ(ce.at("subject"), "FD-00000007");
  EXPECT_EQ(ce.at("letterkind"), "OUTCOME");
  EXPECT_EQ(ce.at("time"), "2026-11-24T09:30:00Z");
  EXPECT_EQ(ce.at("data").at("kind"), "OUTCOME");
  EXPECT_EQ(ce.at("data").at("contact_id"), "FD-00000007");
}

TEST(CloudEvents, ClosureLeavesStaffReasonsInside) {
  v1::Event e;
  e.set_id("FD-00000007-9");
  e.set_contact_id("FD-00000007");
  e.mutable_contact_closed()->set_outcome(v1::Outcome::NFA);
  e.mutable_contact_closed()->set_reason("Spoke to mum, Jane Example, who said...");
  std::string text = ToCloudEventJson(e);
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("Jane")));
  auto ce = boost::json::parse(text).as_object();
  EXPECT_EQ(ce.at("type"), "org.frontdoor.contact.closed");
  EXPECT_EQ(ce.at("data").at("outcome"), "NFA");
}

TEST(CloudEvents, BreachCarriesTheOriginalDueTime) {
  v1::Event e;
  e.set_id("FD-00000002-5");
  e.set_contact_id("FD-00000002");
  *e.mutable_at() = ToProto(TimePoint(Millis(1795600000000)));
  e.mutable_timescale_breached()->set_name("decision");
  *e.mutable_timescale_breached()->mutable_due_at() = ToProto(TimePoint(Millis(1795598200000)));
  auto ce = boost::json::parse(ToCloudEventJson(e)).as_object();
  EXPECT_EQ(ce.at("type"), "org.frontdoor.timescale.breached");
  EXPECT_EQ(ce.at("data").at("timescale"), "decision");
  EXPECT_EQ(ce.at("data").at("due_at"), "2026-11-25T09:16:40Z");
  EXPECT_EQ(ce.at("data").at("raised_at"), "2026-11-25T09:46:40Z");
}

}  // namespace
}  // namespace frontdoor
