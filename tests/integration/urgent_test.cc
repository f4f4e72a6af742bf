// Urgent means urgent, over HTTP with a manual clock: a contact about a
// child at immediate risk is decided within 2 clock hours (breached at 2,
// not 24), goes to the top of the triage worklist with the reason in words,
// and its referrer is told what happens now and to call 999; a contact that
// leaves the question unanswered is refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::string AtImmediateRisk(int variant) {
  std::string body = ContactJson(variant);
  body.replace(body.find("\"immediate_risk\": false"), 23, "\"immediate_risk\": true");
  return body;
}

const boost::json::object& DecisionDeadline(const Reply& contact) {
  for (const auto& d : contact.at("deadlines").as_array()) {
    if (d.as_object().at("name") == "decision") return d.as_object();
  }
  static const boost::json::object none;
  ADD_FAILURE() << "no decision deadline in " << contact.body;
  return none;
}

std::vector<std::string> Breached(HttpClient& client) {
  Reply r = client.Get("/v1/breaches?status=open", kManagerToken);
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<std::string> ids;
  if (const auto* list = r.json.as_object().if_contains("breaches")) {
    for (const auto& b : list->as_array()) {
      ids.emplace_back(b.as_object().at("contact_id").as_string());
    }
  }
  return ids;
}

std::string AcknowledgementOf(HttpClient& client, const std::string& id) {
  Reply letters = client.Get("/v1/contacts/" + id + "/letters", kTriageToken);
  EXPECT_EQ(letters.status, 200) << letters.body;
  for (const auto& l : letters.at("letters").as_array()) {
    if (l.as_object().at("kind") == "ACKNOWLEDGEMENT") {
      return std::string(l.at("letter").at("body").as_string());
    }
  }
  ADD_FAILURE() << "no acknowledgement for " << id;
  return "";
}

class UrgentTest : public ::testing::Test {
 protected:
  void Start(const std::string& clock = "") {
    ServerProcess::Options options{WriteConfig(dir_.path()), dir_.path() / "data"};
    if (!clock.empty()) options.clock = clock;
    server_ = ServerProcess::Start(options);
    ASSERT_NE(server_, nullptr);
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  TempDir dir_{"urgent"};
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

// Tuesday 24 November 2026, 10:00: in office hours.
TEST_F(UrgentTest, ImmediateRiskIsDecidedWithinTwoHoursAndOthersKeepTwentyFour) {
  Start();
  Reply usual = client_->Post("/v1/contacts", kPartnerToken, ContactJson(1));
  Reply urgent = client_->Post("/v1/contacts", kPartnerToken, AtImmediateRisk(2));
  ASSERT_EQ(usual.status, 201) << usual.body;
  ASSERT_EQ(urgent.status, 201) << urgent.body;
  const std::string usual_id = usual.str("id"), urgent_id = urgent.str("id");
  EXPECT_EQ(DecisionDeadline(urgent).at("due_at"), "2026-11-24T12:00:00Z");
  EXPECT_EQ(DecisionDeadline(usual).at("due_at"), "2026-11-25T10:00:00Z");

  // The urgent contact is first on the triage list, saying why.
  Reply list = client_->Get("/v1/worklist?queue=triage", kTriageToken);
  ASSERT_EQ(list.status, 200) << list.body;
  const auto& rows = list.at("contacts").as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("id"), urgent_id.c_str());
  EXPECT_EQ(rows[0].at("urgency").at("why"), "Immediate risk of significant harm");
  EXPECT_EQ(rows[1].at("id"), usual_id.c_str());
  // And on the contact itself, for staff.
  Reply staff = client_->Get("/v1/contacts/" + urgent_id, kTriageToken);
  EXPECT_EQ(staff.at("urgency").at("why"), "Immediate risk of significant harm");
  Reply partner = client_->Get("/v1/contacts/" + urgent_id, kPartnerToken);
  EXPECT_FALSE(partner.json.as_object().contains("urgency")) << partner.body;

  // The referrer hears what happens now, not "by 10:00 tomorrow".
  std::string ack = AcknowledgementOf(*client_, urgent_id);
  EXPECT_THAT(ack, HasSubstr("treating your contact as urgent"));
  EXPECT_THAT(ack, HasSubstr("within 2 hours, by 12:00 on 24 November 2026"));
  EXPECT_THAT(ack, HasSubstr("If a child is in immediate danger, call 999 now."));
  EXPECT_THAT(ack, Not(HasSubstr("25 November")));
  EXPECT_THAT(ack, Not(HasSubstr("emergency duty team has been alerted")));
  EXPECT_THAT(AcknowledgementOf(*client_, usual_id),
              HasSubstr("decide what happens next by 10:00 on 25 November 2026"));

  // One minute short of 2 hours nothing has breached; at 2 hours the urgent one has.
  client_->Advance("PT1H59M");
  EXPECT_TRUE(Breached(*client_).empty());
  client_->Advance("PT1M");
  EXPECT_THAT(Breached(*client_), ElementsAre(urgent_id));
  Reply late = client_->Get("/v1/contacts/" + urgent_id, kTriageToken);
  EXPECT_EQ(DecisionDeadline(late).at("breached"), true);
  // The other keeps its 24 hours.
  client_->Advance("PT21H59M");
  EXPECT_THAT(Breached(*client_), ElementsAre(urgent_id));
  client_->Advance("PT1M");
  EXPECT_THAT(Breached(*client_), ::testing::UnorderedElementsAre(urgent_id, usual_id));
}

// Saturday 28 November 2026, 02:00: still 2 clock hours, and the duty team
// has been alerted, which the letter says.
TEST_F(UrgentTest, OutOfHoursTheDecisionIsStillDueInTwoHoursAndTheLetterSaysTheDutyTeamKnows) {
  Start("manual=2026-11-28T02:00:00Z");
  Reply urgent = client_->Post("/v1/contacts", kPartnerToken, AtImmediateRisk(3));
  ASSERT_EQ(urgent.status, 201) << urgent.body;
  EXPECT_EQ(DecisionDeadline(urgent).at("due_at"), "2026-11-28T04:00:00Z");
  std::string ack = AcknowledgementOf(*client_, urgent.str("id"));
  EXPECT_THAT(ack, HasSubstr("the emergency duty team has been alerted and is acting on it now"));
  EXPECT_THAT(ack, HasSubstr("within 2 hours, by 04:00 on 28 November 2026"));
  EXPECT_THAT(ack, HasSubstr("call 999"));
}

TEST_F(UrgentTest, AContactThatDoesNotAnswerTheQuestionIsRefusedAndNotStored) {
  Start();
  std::string body = ContactJson(4);
  body.erase(body.find("\"immediate_risk\": false,"), 24);
  Reply refused = client_->Post("/v1/contacts", kPartnerToken, body);
  EXPECT_EQ(refused.status, 400) << refused.body;
  ASSERT_TRUE(refused.json.is_object()) << refused.body;
  const auto& errors = refused.at("errors").as_array();
  ASSERT_EQ(errors.size(), 1u) << refused.body;
  EXPECT_EQ(errors[0].at("field"), "immediate_risk");
  Reply list = client_->Get("/v1/worklist?queue=triage", kTriageToken);
  EXPECT_TRUE(list.at("contacts").as_array().empty()) << list.body;
}

}  // namespace
}  // namespace frontdoor::testing
