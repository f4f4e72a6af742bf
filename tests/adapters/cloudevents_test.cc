// Emitted events are CloudEvents 1.0 with stable ids, and carry no narrative
// or names beyond a letter's own text. The envelope is a message written by
// json::Write; receivers see the same bytes as when it was written by hand.
#include "adapters/sinks/cloudevents.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

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

// The events whose CloudEvents the tests pin, one of each emitted kind and
// one that is not normally emitted.
std::vector<v1::Event> SampleEvents() {
  std::vector<v1::Event> out;
  {
    v1::Event e;
    e.set_id("FD-00000007-4");
    e.set_contact_id("FD-00000007");
    e.set_seq(4);
    *e.mutable_at() = ToProto(TimePoint(Millis(1795512600000)));
    e.set_type(v1::EventType::LETTER_ISSUED);
    v1::Letter* letter = e.mutable_letter_issued()->mutable_letter();
    letter->set_id("FD-00000007-4");
    letter->set_contact_id("FD-00000007");
    letter->set_kind(v1::LetterKind::OUTCOME);
    *letter->mutable_issued_at() = ToProto(TimePoint(Millis(1795512600000)));
    letter->set_template_("outcome");
    letter->set_recipient_name("Ada Teacher");
    letter->set_recipient_organisation("Example Primary");
    letter->set_email("dsl@school.example.org");
    letter->set_subject("Your contact FD-00000007");
    letter->set_body("Dear Ada,\n\"quoted\" \\ and \x01 control.");
    out.push_back(e);
  }
  {
    v1::Event e;
    e.set_id("FD-00000002-5");
    e.set_contact_id("FD-00000002");
    e.set_seq(5);
    *e.mutable_at() = ToProto(TimePoint(Millis(1795600000000)));
    e.mutable_timescale_breached()->set_name("decision");
    *e.mutable_timescale_breached()->mutable_due_at() = ToProto(TimePoint(Millis(1795598200000)));
    out.push_back(e);
  }
  {
    v1::Event e;
    e.set_id("FD-00000003-3");
    e.set_contact_id("FD-00000003");
    *e.mutable_at() = ToProto(TimePoint(Millis(1795831200000)));
    e.mutable_edt_alert()->set_reason("Immediate risk out of hours");
    e.mutable_edt_alert()->set_rule_id("police-immediate");
    e.mutable_edt_alert()->set_rag(v1::Rag::RED);
    out.push_back(e);
  }
  {
    v1::Event e;
    e.set_id("FD-00000003-4");
    e.set_contact_id("FD-00000003");
    e.mutable_edt_alert();
    out.push_back(e);
  }
  {
    v1::Event e;
    e.set_id("FD-00000007-9");
    e.set_contact_id("FD-00000007");
    e.mutable_contact_closed()->set_outcome(v1::Outcome::NFA);
    e.mutable_contact_closed()->set_reason("Spoke to mum, Jane Example, who said...");
    out.push_back(e);
  }
  {
    v1::Event e;
    e.set_id("FD-00000008-1");
    e.set_contact_id("FD-00000008");
    e.mutable_timescale_started();
    out.push_back(e);
  }
  {
    v1::Event e;
    e.set_id("FD-00000009-2");
    e.set_contact_id("FD-00000009");
    e.mutable_letter_issued();
    out.push_back(e);
  }
  return out;
}

// What the hand-written envelope produced for SampleEvents(), byte for byte.
const char* const kBytesBefore[] = {
    R"json({"specversion":"1.0","id":"FD-00000007-4","source":"/frontdoor/contacts/FD-00000007","type":"org.frontdoor.letter.issued","subject":"FD-00000007","time":"2026-11-24T09:30:00Z","datacontenttype":"application/json","contactid":"FD-00000007","letterkind":"OUTCOME","data":{"id":"FD-00000007-4","contact_id":"FD-00000007","kind":"OUTCOME","issued_at":"2026-11-24T09:30:00Z","template":"outcome","recipient_name":"Ada Teacher","recipient_organisation":"Example Primary","email":"dsl@school.example.org","subject":"Your contact FD-00000007","body":"Dear Ada,\n\"quoted\" \\ and \u0001 control."}})json",
    R"json({"specversion":"1.0","id":"FD-00000002-5","source":"/frontdoor/contacts/FD-00000002","type":"org.frontdoor.timescale.breached","subject":"FD-00000002","time":"2026-11-25T09:46:40Z","datacontenttype":"application/json","contactid":"FD-00000002","data":{"contact_id":"FD-00000002","timescale":"decision","due_at":"2026-11-25T09:16:40Z","raised_at":"2026-11-25T09:46:40Z"}})json",
    R"json({"specversion":"1.0","id":"FD-00000003-3","source":"/frontdoor/contacts/FD-00000003","type":"org.frontdoor.edt.alert","subject":"FD-00000003","time":"2026-11-28T02:00:00Z","datacontenttype":"application/json","contactid":"FD-00000003","data":{"contact_id":"FD-00000003","reason":"Immediate risk out of hours","rule_id":"police-immediate","rag":"RED"}})json",
    R"json({"specversion":"1.0","id":"FD-00000003-4","source":"/frontdoor/contacts/FD-00000003","type":"org.frontdoor.edt.alert","subject":"FD-00000003","time":"1970-01-01T00:00:00Z","datacontenttype":"application/json","contactid":"FD-00000003","data":{"contact_id":"FD-00000003","reason":"","rule_id":"","rag":"RAG_UNSPECIFIED"}})json",
    R"json({"specversion":"1.0","id":"FD-00000007-9","source":"/frontdoor/contacts/FD-00000007","type":"org.frontdoor.contact.closed","subject":"FD-00000007","time":"1970-01-01T00:00:00Z","datacontenttype":"application/json","contactid":"FD-00000007","data":{"contact_id":"FD-00000007","outcome":"NFA"}})json",
    R"json({"specversion":"1.0","id":"FD-00000008-1","source":"/frontdoor/contacts/FD-00000008","type":"org.frontdoor.event","subject":"FD-00000008","time":"1970-01-01T00:00:00Z","datacontenttype":"application/json","contactid":"FD-00000008","data":{"contact_id":"FD-00000008"}})json",
    R"json({"specversion":"1.0","id":"FD-00000009-2","source":"/frontdoor/contacts/FD-00000009","type":"org.frontdoor.letter.issued","subject":"FD-00000009","time":"1970-01-01T00:00:00Z","datacontenttype":"application/json","contactid":"FD-00000009","letterkind":"LETTER_KIND_UNSPECIFIED","data":{}})json",
};

TEST(CloudEvents, AcknowledgementsDecisionsAndCheckRequestsCarryCodesOnly) {
  v1::Event received;
  received.set_id("FD-00000011-1");
  received.set_contact_id("FD-00000011");
  v1::ContactSubmission* submission = received.mutable_contact_received()->mutable_submission();
  submission->set_source(v1::Source::SCHOOLS);
  submission->set_immediate_risk(true);
  submission->set_narrative("Jane Example said that...");
  submission->add_children()->set_given_name("Jane");
  *received.mutable_contact_received()->mutable_received_at() =
      ToProto(TimePoint(Millis(1795512600000)));
  std::string text = ToCloudEventJson(received);
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("Jane")));
  auto ce = boost::json::parse(text).as_object();
  EXPECT_EQ(ce.at("type"), "org.frontdoor.contact.acknowledged");
  EXPECT_EQ(ce.at("data").at("source"), "SCHOOLS");
  EXPECT_EQ(ce.at("data").at("immediate_risk"), true);
  EXPECT_EQ(ce.at("data").at("received_at"), "2026-11-24T09:30:00Z");

  v1::Event decided;
  decided.set_id("FD-00000011-4");
  decided.set_contact_id("FD-00000011");
  v1::FrontDoorDecision* decision = decided.mutable_decision_recorded()->mutable_decision();
  decision->set_route(v1::Route::MASH);
  decision->set_rag(v1::Rag::AMBER);
  decision->set_reason("Jane's school says...");
  text = ToCloudEventJson(decided);
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("Jane")));
  ce = boost::json::parse(text).as_object();
  EXPECT_EQ(ce.at("type"), "org.frontdoor.contact.decided");
  EXPECT_EQ(ce.at("data").at("route"), "MASH");
  EXPECT_EQ(ce.at("data").at("rag"), "AMBER");

  v1::Event check;
  check.set_id("FD-00000011-6");
  check.set_contact_id("FD-00000011");
  check.mutable_check_requested()->set_agency(v1::Source::POLICE);
  *check.mutable_check_requested()->mutable_due_at() = ToProto(TimePoint(Millis(1795512600000)));
  ce = boost::json::parse(ToCloudEventJson(check)).as_object();
  EXPECT_EQ(ce.at("type"), "org.frontdoor.check.requested");
  EXPECT_EQ(ce.at("data").at("agency"), "POLICE");
  EXPECT_EQ(ce.at("data").at("due_at"), "2026-11-24T09:30:00Z");
}

TEST(CloudEvents, ReceiversSeeTheSameBytesAsBefore) {
  const std::vector<v1::Event> events = SampleEvents();
  ASSERT_EQ(events.size(), std::size(kBytesBefore));
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(ToCloudEventJson(events[i]), kBytesBefore[i]) << "event " << events[i].id();
    // And it is JSON.
    EXPECT_TRUE(boost::json::parse(ToCloudEventJson(events[i])).is_object());
  }
}

}  // namespace
}  // namespace frontdoor
