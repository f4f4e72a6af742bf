// The wire's JSON: every field at fault is reported with its path, and the
// mapping is protobuf's own (proto field names), shown by comparing with
// protobuf's JsonStringToMessage and MessageToJsonString.
#include "adapters/json/json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "boost/json/parse.hpp"
#include "frontdoor/v1/api.pb.h"
#include "frontdoor/v1/contact.pb.h"
#include "frontdoor/v1/events.pb.h"
#include "frontdoor/v1/policy.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"

namespace frontdoor {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kContact[] = R"({
  "external_ref": "SCH-2026-0042",
  "received_at": "2026-11-24T09:30:00Z",
  "channel": "PORTAL",
  "source": "SCHOOLS",
  "referrer": {"name": "Ada Teacher", "organisation": "Example Primary", "email": "dsl@example.org"},
  "consent": {"status": "REFUSED", "reason": "Parent said no"},
  "children": [
    {"given_name": "Sam", "family_name": "Example", "date_of_birth": "2018-03-02",
     "nhs_number": "9434765919", "postcode": "CH41 5LH", "sex": "M"},
    {"expected_date_of_birth": "2027-03-01"}
  ],
  "concerns": ["NEGLECT", "HOUSING"],
  "immediate_risk": false,
  "narrative": "Synthetic narrative.",
  "what_would_help": "Support with routines."
})";

std::vector<std::string> Fields(const json::ParseResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.field);
  return out;
}

TEST(JsonParse, ReadsAContact) {
  v1::ContactSubmission s;
  auto r = json::Parse(kContact, &s);
  ASSERT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(s.source(), v1::Source::SCHOOLS);
  EXPECT_EQ(s.consent().status(), v1::ConsentStatus::REFUSED);
  ASSERT_EQ(s.children_size(), 2);
  EXPECT_EQ(s.children(1).birth_case(), v1::Child::kExpectedDateOfBirth);
  EXPECT_EQ(s.concerns(1), v1::Concern::HOUSING);
  EXPECT_TRUE(s.has_immediate_risk());
  EXPECT_FALSE(s.immediate_risk());
  EXPECT_EQ(s.received_at().seconds(), 1795512600);
}

TEST(JsonParse, MatchesProtobufsOwnParser) {
  v1::ContactSubmission ours, theirs;
  ASSERT_TRUE(json::Parse(kContact, &ours).ok());
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(kContact, &theirs).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(ours, theirs));
}

TEST(JsonParse, NamesEveryUnknownFieldWithItsPath) {
  v1::ContactSubmission s;
  auto r = json::Parse(
      R"({"channel":"PORTAL","colour":"red","children":[{"given_name":"A","shoe_size":3}]})", &s);
  EXPECT_FALSE(r.malformed);
  EXPECT_THAT(Fields(r), ElementsAre("colour", "children[0].shoe_size"));
}

TEST(JsonParse, UnknownEnumValueNamesTheElement) {
  v1::ContactSubmission s;
  auto r = json::Parse(R"({"concerns":["NEGLECT","BAD_VIBES"],"channel":"FAX"})", &s);
  ASSERT_THAT(Fields(r), ElementsAre("concerns[1]", "channel"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("BAD_VIBES"));
  EXPECT_THAT(r.errors[1].message, HasSubstr("PORTAL"));
}

TEST(JsonParse, WrongTypes) {
  v1::ContactSubmission s;
  auto r = json::Parse(
      R"({"immediate_risk":"yes","children":{"given_name":"A"},"narrative":12,"referrer":"x"})",
      &s);
  EXPECT_THAT(Fields(r), ElementsAre("immediate_risk", "children", "narrative", "referrer"));
}

TEST(JsonParse, BadTimestampNamesTheField) {
  v1::ContactSubmission s;
  auto r = json::Parse(R"({"received_at":"yesterday"})", &s);
  EXPECT_THAT(Fields(r), ElementsAre("received_at"));
}

TEST(JsonParse, OneofMembersCannotBothBeGiven) {
  v1::ContactSubmission s;
  auto r = json::Parse(
      R"({"children":[{"date_of_birth":"2020-01-01","expected_date_of_birth":"2027-01-01"}]})", &s);
  EXPECT_THAT(Fields(r), ElementsAre("children[0].expected_date_of_birth"));
}

TEST(JsonParse, NullMeansNotGiven) {
  v1::ContactSubmission s;
  auto r = json::Parse(R"({"consent":null,"children":null,"narrative":null})", &s);
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(s.has_consent());
}

TEST(JsonParse, MalformedBodiesSayWhere) {
  v1::ContactSubmission s;
  for (const char* body : {"", "{", "{\"channel\": PORTAL}", "[1,2", "{} {}", "\"\xff\""}) {
    auto r = json::Parse(body, &s);
    EXPECT_TRUE(r.malformed) << body;
    EXPECT_THAT(r.detail, HasSubstr("line 1")) << body;
  }
}

TEST(JsonParse, TopLevelMustBeAnObject) {
  v1::ContactSubmission s;
  auto r = json::Parse("[]", &s);
  EXPECT_FALSE(r.malformed);
  EXPECT_THAT(Fields(r), ElementsAre(""));
}

// Writes `m` with both writers and compares the JSON values.
void ExpectSameJson(const google::protobuf::Message& m) {
  std::string theirs;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(m, &theirs, options).ok());
  std::string ours = json::Write(m);
  EXPECT_EQ(boost::json::parse(ours), boost::json::parse(theirs)) << ours << "\n" << theirs;
}

TEST(JsonWrite, MatchesProtobufsOwnPrinter) {
  v1::ContactSubmission s;
  ASSERT_TRUE(json::Parse(kContact, &s).ok());
  ExpectSameJson(s);

  v1::Contact c;
  c.set_id("FD-00000001");
  c.set_state(v1::ContactState::IN_MASH);
  *c.mutable_received_at() = ToProto(TimePoint(Millis(1795512600123)));
  auto* d = c.add_deadlines();
  d->set_name("mash");
  d->set_breached(false);
  *d->mutable_due_at() = ToProto(TimePoint(Millis(1795512600000)));
  c.mutable_recommendation()->set_level(3);
  c.mutable_recommendation()->add_reasons("Line one\n\"quoted\" \x01 tab\t");
  c.mutable_prior()->set_contacts_12m(0);
  ExpectSameJson(c);

  v1::Event e;
  e.set_id("FD-00000001-3");
  e.set_seq(3);
  e.set_type(v1::EventType::LETTER_ISSUED);
  e.mutable_letter_issued()->mutable_letter()->set_body("Dear Ada,\n\nThank you.");
  ExpectSameJson(e);

  v1::Policy p;
  (*p.mutable_letters())["outcome"] = "letters/outcome.txt";
  (*p.mutable_signposts())["hub"].set_service("Family Hub");
  p.add_tables()->set_hit_policy(v1::HitPolicy::UNIQUE);
  ExpectSameJson(p);

  v1::ClockState clock;
  *clock.mutable_now() = ToProto(TimePoint(Millis(0)));
  ExpectSameJson(clock);
}

TEST(JsonWrite, AnEventNamesWhoCausedItAndAnOldOneStillWrites) {
  v1::Event e;
  e.set_id("FD-00000001-5");
  e.set_actor("sub-5a7");
  e.set_type(v1::EventType::DECISION_RECORDED);
  v1::Actor& who = *e.mutable_caused_by();
  who.set_kind(v1::Actor::PERSON);
  who.set_id("sub-5a7");
  who.set_name("Sam Patel");
  who.set_role("triage");
  ExpectSameJson(e);
  boost::json::value written = boost::json::parse(json::Write(e));
  const auto& caused_by = written.at("caused_by").as_object();
  EXPECT_EQ(caused_by.at("kind"), "PERSON");
  EXPECT_EQ(caused_by.at("name"), "Sam Patel");
  EXPECT_EQ(caused_by.at("role"), "triage");

  // Stored before people had names: the actor's id only, and no caused_by.
  e.clear_caused_by();
  e.set_actor("triage-key");
  written = boost::json::parse(json::Write(e));
  EXPECT_EQ(written.at("actor"), "triage-key");
  EXPECT_FALSE(written.as_object().contains("caused_by"));
}

TEST(JsonWrite, RoundTripsThroughParse) {
  v1::ContactSubmission s, back;
  ASSERT_TRUE(json::Parse(kContact, &s).ok());
  ASSERT_TRUE(json::Parse(json::Write(s), &back).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(s, back));
}

TEST(JsonWrite, QuotesControlCharacters) {
  std::string out;
  json::AppendQuoted("a\"b\\c\n\x1f", out);
  EXPECT_EQ(out, R"("a\"b\\c\n\u001f")");
}

// Bytes that are not UTF-8 (an id decoded from %ff%fe) never reach the
// document: each becomes U+FFFD; well-formed sequences pass unchanged.
TEST(JsonWrite, ReplacesBytesThatAreNotUtf8) {
  std::string out;
  json::AppendQuoted("FD-\xff\xfe \xc3\xa9 \xe3\x80\x80 \xed\xa0\x80 \xc0\xaf \xf0\x9f\x98\x80 \xe2\x82", out);
  EXPECT_EQ(out,
            "\"FD-\\ufffd\\ufffd \xc3\xa9 \xe3\x80\x80 \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd "
            "\xf0\x9f\x98\x80 \\ufffd\\ufffd\"");
}

// Issue 11: a key given twice was read as its last value ("immediate_risk":
// false ... true stored true). It is refused, named by its path.
TEST(JsonParse, AKeyGivenTwiceIsRefusedNamingIt) {
  v1::ContactSubmission s;
  auto r = json::Parse(R"({"immediate_risk": false, "channel": "PORTAL", "immediate_risk": true})",
                       &s);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(Fields(r), ElementsAre("immediate_risk"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("more than once"));
  r = json::Parse(
      R"({"children": [{"given_name": "Sam"}, {"given_name": "Al", "given_name": "Bo"}],
          "referrer": {"name": "A", "email": "a@example.org", "email": "b@example.org"}})",
      &s);
  EXPECT_THAT(Fields(r), ElementsAre("children[1].given_name", "referrer.email"));
  // The same key in two objects is no repeat.
  EXPECT_TRUE(json::Parse(kContact, &s).ok());
}

// Issue 11: NUL (and any control character but tab and line breaks) was
// accepted inside names and text.
TEST(JsonParse, ControlCharactersInStringsAreRefused) {
  v1::ContactSubmission s;
  auto r = json::Parse(
      R"({"children": [{"given_name": "Sam\u0000"}, {"family_name": "Ex\u001bample"}],
          "narrative": "line one\nline two\ttabbed\r\n", "what_would_help": "a\u0085b",
          "external_ref": "x\u007f"})",
      &s);
  EXPECT_THAT(Fields(r), ElementsAre("children[0].given_name", "children[1].family_name",
                                     "what_would_help", "external_ref"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("control characters"));
  // Non-ASCII letters right after the C1 range are not control characters.
  EXPECT_TRUE(json::Parse(R"({"narrative": "Ä é \u00a0 ok"})", &s).ok());
}

}  // namespace
}  // namespace frontdoor
