// People and open cases through the real server: a contact about a child
// with an open case goes straight to that case's team; repeat contacts and
// referrals show in `prior`; the dry-run evaluation sees the same history.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;

// ContactJson(n) names the child by n; these are the same child.
constexpr int kChild = 7;

class OpenCasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start({WriteConfig(dir_.path()), dir_.path() / "data"});
    ASSERT_TRUE(server_);
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  // The child of ContactJson(kChild): Alex Sample, born 2017-08-17.
  static std::string CaseBody(const std::string& team) {
    return R"({"team":")" + team +
           R"(","worker":"W. Example","children":[{"given_name":"alex","family_name":"SAMPLE","date_of_birth":"2017-08-17"}]})";
  }

  Reply Put(const std::string& case_id, const std::string& body,
            const std::string& token = kCaseSystemToken) {
    return client_->Request("PUT", "/v1/open-cases/" + case_id, token, body,
                            {{"Content-Type", "application/json"}});
  }

  TempDir dir_{"open-cases"};
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(OpenCasesTest, AContactAboutAChildWithAnOpenCaseGoesToItsTeam) {
  Reply put = Put("CASE-17", CaseBody("Children in Need Team 2"));
  ASSERT_EQ(put.status, 200) << put.body;
  Reply created = client_->Post("/v1/contacts", kTriageToken, ContactJson(kChild));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.str("state"), "CLOSED");
  EXPECT_EQ(created.str("outcome"), "EXISTING_CASE");
  EXPECT_EQ(created.at("prior").at("open_case").at("case_id"), "CASE-17");
  EXPECT_EQ(created.at("decision").at("team"), "Children in Need Team 2");
  EXPECT_EQ(created.at("decision").at("automatic"), true);
  Reply letters = client_->Get("/v1/contacts/" + created.str("id") + "/letters", kTriageToken);
  ASSERT_EQ(letters.at("letters").as_array().size(), 2u);

  // Once the case closes, contacts are triaged again.
  EXPECT_EQ(client_->Request("DELETE", "/v1/open-cases/CASE-17", kCaseSystemToken).status, 204);
  EXPECT_EQ(client_->Request("DELETE", "/v1/open-cases/CASE-17", kCaseSystemToken).status, 404);
  Reply later = client_->Post("/v1/contacts", kTriageToken, ContactJson(kChild));
  EXPECT_EQ(later.str("state"), "AWAITING_DECISION");
  EXPECT_EQ(later.at("prior").at("contacts_12m").as_int64(), 1);
}

TEST_F(OpenCasesTest, EarlierContactsAndReferralsAreKnown) {
  Reply first = client_->Post("/v1/contacts", kTriageToken, ContactJson(kChild));
  ASSERT_EQ(first.status, 201);
  EXPECT_FALSE(first.json.as_object().contains("prior") &&
               first.at("prior").as_object().contains("contacts_12m"));
  ASSERT_EQ(client_
                ->Post("/v1/contacts/" + first.str("id") + "/decision", kTriageToken,
                       R"({"route":"SOCIAL_CARE_ASSESSMENT","reason":"Assessment needed."})")
                .status,
            200);
  client_->Advance("P30D");
  Reply second = client_->Post("/v1/contacts", kTriageToken, ContactJson(kChild));
  ASSERT_EQ(second.status, 201);
  EXPECT_EQ(second.at("prior").at("contacts_12m").as_int64(), 1);
  EXPECT_EQ(second.at("prior").at("referrals_12m").as_int64(), 1);
  // The dry run sees the same history, and stores nothing.
  Reply dry = client_->Post("/v1/rules/evaluate", kTriageToken, ContactJson(kChild));
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(dry.at("prior").at("contacts_12m").as_int64(), 2);
  EXPECT_EQ(dry.at("prior").at("referrals_12m").as_int64(), 1);
  EXPECT_THAT(client_->Get("/metrics", "").body, HasSubstr("frontdoor_contacts_created_total 2\n"));
  // A different child has no history.
  Reply other = client_->Post("/v1/contacts", kTriageToken, ContactJson(kChild + 1));
  EXPECT_FALSE(other.json.as_object().contains("prior") &&
               other.at("prior").as_object().contains("contacts_12m"));
}

TEST_F(OpenCasesTest, BadCasesAndRolesAreRefused) {
  EXPECT_EQ(Put("CASE-1", CaseBody("Team"), kTriageToken).status, 403);
  EXPECT_EQ(Put("CASE-1", CaseBody("Team"), kAdminToken).status, 200);
  Reply no_team = Put("CASE-2", R"({"children":[{"nhs_number":"9434765919"}]})");
  EXPECT_EQ(no_team.status, 400);
  EXPECT_THAT(no_team.body, HasSubstr("\"field\":\"team\""));
  Reply no_children = Put("CASE-3", R"({"team":"T","children":[]})");
  EXPECT_THAT(no_children.body, HasSubstr("\"field\":\"children\""));
  Reply unfindable = Put("CASE-4", R"({"team":"T","children":[{"given_name":"A"}]})");
  EXPECT_THAT(unfindable.body, HasSubstr("\"field\":\"children[0]\""));
  EXPECT_EQ(Put("bad%20id", CaseBody("T")).status, 400);
}

}  // namespace
}  // namespace frontdoor::testing
