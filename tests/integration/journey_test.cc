// A contact's whole journey through the real server: submitted by a
// partner, decided to MASH by triage, handed on by MASH, both letters
// written to the spool, and the history in order.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> Strings(const boost::json::value& array, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& item : array.as_array()) {
    out.emplace_back(item.as_object().at(key).as_string());
  }
  return out;
}

std::vector<std::string> WorklistIds(HttpClient& client, const std::string& queue) {
  Reply r = client.Get("/v1/worklist?queue=" + queue, kTriageToken);
  EXPECT_EQ(r.status, 200) << r.body;
  const auto* contacts = r.json.as_object().if_contains("contacts");
  return contacts ? Strings(*contacts, "id") : std::vector<std::string>{};
}

class JourneyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = WriteConfig(dir_.path());
    server_ = ServerProcess::Start({config_, dir_.path() / "data"});
    ASSERT_TRUE(server_);
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  TempDir dir_{"journey"};
  std::filesystem::path config_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(JourneyTest, FromPartnerThroughMashToClosureWithBothLetters) {
  Reply created = client_->Post("/v1/contacts", kPartnerToken, ContactJson(1));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.str("id");
  EXPECT_EQ(created.headers["location"], "/v1/contacts/" + id);
  EXPECT_EQ(created.str("state"), "AWAITING_DECISION");
  // The partner sees progress and deadlines, not the front door's working.
  EXPECT_EQ(created.json.as_object().if_contains("narrative"), nullptr);
  EXPECT_EQ(created.json.as_object().if_contains("recommendation"), nullptr);
  const auto& deadline = created.at("deadlines").as_array().at(0).as_object();
  EXPECT_EQ(deadline.at("name"), "decision");
  EXPECT_EQ(deadline.at("due_at"), "2026-11-25T10:00:00Z");
  EXPECT_EQ(deadline.at("breached"), false);

  Reply staff = client_->Get("/v1/contacts/" + id, kTriageToken);
  ASSERT_EQ(staff.status, 200);
  EXPECT_THAT(staff.str("narrative"), HasSubstr("Synthetic narrative number 1"));
  const auto& recommendation = staff.at("recommendation").as_object();
  EXPECT_THAT(std::string(recommendation.at("rules_version").as_string()), HasSubstr("sha256:"));
  EXPECT_FALSE(recommendation.at("rule_id").as_string().empty());
  EXPECT_FALSE(recommendation.at("reasons").as_array().empty());
  EXPECT_THAT(WorklistIds(*client_, "triage"), ElementsAre(id));

  Reply decided =
      client_->Post("/v1/contacts/" + id + "/decision", kTriageToken,
                    R"({"route":"MASH","rag":"AMBER","reason":"Needs multi-agency checks."})");
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_EQ(decided.str("state"), "IN_MASH");
  EXPECT_THAT(Strings(decided.at("deadlines"), "name"), ElementsAre("mash"));
  EXPECT_THAT(WorklistIds(*client_, "triage"), ElementsAre());
  EXPECT_THAT(WorklistIds(*client_, "mash"), ElementsAre(id));

  Reply handed_on = client_->Post(
      "/v1/contacts/" + id + "/mash-outcome", kTriageToken,
      R"({"outcome":"EARLY_HELP","reason":"Family agreed to early help.","team":"Early Help North",)"
      R"("unanswered_checks_reason":"Enough is known to offer early help."})");
  ASSERT_EQ(handed_on.status, 200) << handed_on.body;
  EXPECT_EQ(handed_on.str("state"), "CLOSED");
  EXPECT_EQ(handed_on.str("outcome"), "EARLY_HELP");
  EXPECT_EQ(handed_on.json.as_object().if_contains("deadlines"), nullptr);
  EXPECT_THAT(WorklistIds(*client_, "mash"), ElementsAre());

  // Closed: neither step can be taken again.
  EXPECT_EQ(client_
                ->Post("/v1/contacts/" + id + "/decision", kTriageToken,
                       R"({"route":"NFA","reason":"x"})")
                .status,
            409);
  EXPECT_EQ(client_
                ->Post("/v1/contacts/" + id + "/mash-outcome", kTriageToken,
                       R"({"outcome":"NFA","reason":"x"})")
                .status,
            409);

  Reply letters = client_->Get("/v1/contacts/" + id + "/letters", kTriageToken);
  ASSERT_EQ(letters.status, 200);
  const auto& list = letters.at("letters");
  EXPECT_THAT(Strings(list, "kind"), ElementsAre("ACKNOWLEDGEMENT", "OUTCOME"));
  for (const auto& letter : list.as_array()) {
    std::string body(letter.at("letter").at("body").as_string());
    EXPECT_THAT(body, Not(HasSubstr("Synthetic narrative")));
    EXPECT_THAT(body, Not(HasSubstr("Alex")));  // the child's given name
    EXPECT_THAT(body, HasSubstr(id));
  }
  EXPECT_THAT(std::string(list.as_array()[1].at("letter").at("body").as_string()),
              HasSubstr("Family agreed to early help."));

  // A clock step of zero is a barrier: it answers once the outbox is out.
  client_->Advance("PT0S");
  auto files = ReadJsonFiles(dir_.path() / "data/spool/letters");
  std::vector<std::string> kinds;
  for (const auto& f : files) {
    if (f.as_object().at("subject").as_string() == id)
      kinds.emplace_back(f.as_object().at("letterkind").as_string());
    EXPECT_EQ(f.as_object().at("specversion"), "1.0");
    EXPECT_EQ(f.as_object().at("type"), "org.frontdoor.letter.issued");
  }
  std::sort(kinds.begin(), kinds.end());
  EXPECT_THAT(kinds, ElementsAre("ACKNOWLEDGEMENT", "OUTCOME"));

  Reply events = client_->Get("/v1/contacts/" + id + "/events", kManagerToken);
  ASSERT_EQ(events.status, 200);
  EXPECT_THAT(
      Strings(events.at("events"), "type"),
      ElementsAre("CONTACT_RECEIVED", "TIMESCALE_STARTED", "LETTER_ISSUED", "TIMESCALE_STOPPED",
                  "DECISION_RECORDED", "TIMESCALE_STARTED", "CHECK_REQUESTED", "CHECK_REQUESTED",
                  "CHECK_REQUESTED", "CHECK_ANSWERED", "CHECK_ANSWERED", "CHECK_ANSWERED",
                  "TIMESCALE_STOPPED", "MASH_OUTCOME_RECORDED", "CONTACT_CLOSED",
                  "LETTER_ISSUED"));
}

TEST_F(JourneyTest, ADecisionThatClosesSendsTheOutcomeLetterAtOnce) {
  // A housing worry, which the policy recommends signposting for.
  Reply created = client_->Post("/v1/contacts", kTriageToken, ContactJson(4));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.str("id");
  Reply decided = client_->Post("/v1/contacts/" + id + "/decision", kTriageToken,
                                R"({"route":"SIGNPOST","reason":"Universal services can help."})");
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_EQ(decided.str("outcome"), "SIGNPOSTED");
  Reply letters = client_->Get("/v1/contacts/" + id + "/letters", kManagerToken);
  EXPECT_THAT(Strings(letters.at("letters"), "kind"), ElementsAre("ACKNOWLEDGEMENT", "OUTCOME"));
}

TEST_F(JourneyTest, StopsCleanlyOnSigtermAndKeepsWhatItAcknowledged) {
  Reply created = client_->Post("/v1/contacts", kPartnerToken, ContactJson(3));
  ASSERT_EQ(created.status, 201);
  // An idle keep-alive connection must not hold the server up.
  EXPECT_EQ(server_->Terminate(), 0) << server_->Logs();
  server_ = ServerProcess::Start({config_, dir_.path() / "data"});
  ASSERT_TRUE(server_);
  HttpClient client(server_->port());
  EXPECT_EQ(client.Get("/v1/contacts/" + created.str("id"), kTriageToken).status, 200);
}

TEST_F(JourneyTest, HealthReadinessAndMetrics) {
  EXPECT_EQ(client_->Get("/healthz", "").status, 200);
  // Ready once the start-up timer sweep is done; a zero clock step waits
  // for it.
  client_->Advance("PT0S");
  EXPECT_EQ(client_->Get("/readyz", "").status, 200);
  ASSERT_EQ(client_->Post("/v1/contacts", kPartnerToken, ContactJson(4)).status, 201);
  Reply metrics = client_->Get("/metrics", "");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("frontdoor_contacts_created_total 1"));
  EXPECT_THAT(metrics.body, HasSubstr("frontdoor_http_requests_total{route=\"/v1/"
                                      "contacts\",method=\"POST\",status=\"201\"} 1"));
  EXPECT_THAT(metrics.body, HasSubstr("frontdoor_commit_seconds_bucket"));
}

}  // namespace
}  // namespace frontdoor::testing
