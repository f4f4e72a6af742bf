// Bugs found in review of the first version, each with the request that
// showed it. See the commit that added this file for the fixes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class Regress : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start({WriteConfig(dir_.path()), dir_.path() / "data"});
    ASSERT_TRUE(server_);
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  TempDir dir_{"regress"};
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

// A oneof member that failed to parse, followed by its sibling, crashed the
// server (null descriptor in the "cannot be given together" message).
TEST_F(Regress, BadOneofMemberThenItsSiblingIsAnErrorNotACrash) {
  std::string body = ContactJson(1);
  body.replace(body.find("\"date_of_birth\": \"2011-02-11\""), 29,
               "\"date_of_birth\": 5, \"expected_date_of_birth\": \"2027-01-01\"");
  Reply r = client_->Post("/v1/rules/evaluate", kTriageToken, body);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(r.body, HasSubstr("\"field\":\"children[0].date_of_birth\""));
  EXPECT_THAT(r.body, HasSubstr("\"field\":\"children[0].expected_date_of_birth\""));
  EXPECT_EQ(client_->Get("/healthz", "").status, 200);
}

// An initial of a name starting with a non-ASCII letter was half a UTF-8
// character: the letter could not be read back and the spool stalled.
TEST_F(Regress, NonAsciiInitialsKeepLettersReadable) {
  std::string body = ContactJson(1);
  body.replace(body.find("\"given_name\": \"Alex\""), 20, "\"given_name\": \"Élodie\"");
  Reply created = client_->Post("/v1/contacts", kPartnerToken, body);
  ASSERT_EQ(created.status, 201) << created.body;
  Reply letters = client_->Get("/v1/contacts/" + created.str("id") + "/letters", kTriageToken);
  ASSERT_EQ(letters.status, 200) << letters.body;
  EXPECT_THAT(std::string(letters.at("letters").as_array()[0].at("letter").at("body").as_string()),
              HasSubstr("É.E."));
  Reply moved = client_->Advance("PT0S");
  EXPECT_EQ(moved.headers.count("delivery-pending"), 0u);
}

// A received_at before 1970 made a timer key that switched breaches off.
TEST_F(Regress, AncientReceivedAtIsRefused) {
  Reply r = client_->Post("/v1/contacts", kPartnerToken,
                          ContactJson(1, ", \"received_at\": \"1960-01-01T00:00:00Z\""));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("\"field\":\"received_at\""));
}

// A partner's dry run told it about other agencies' contacts and open
// cases for any child it named.
TEST_F(Regress, PartnersDryRunsShowNoHistory) {
  ASSERT_EQ(
      client_
          ->Request(
              "PUT", "/v1/open-cases/CASE-1", kCaseSystemToken,
              R"({"team":"CP Team","children":[{"given_name":"Alex","family_name":"Sample","date_of_birth":"2017-08-17"}]})",
              {{"Content-Type", "application/json"}})
          .status,
      200);
  Reply partner = client_->Post("/v1/rules/evaluate", kPartnerToken, ContactJson(7));
  ASSERT_EQ(partner.status, 200) << partner.body;
  EXPECT_FALSE(partner.json.as_object().contains("prior")) << partner.body;
  EXPECT_THAT(partner.body, Not(HasSubstr("CASE-1")));
  EXPECT_THAT(partner.body, Not(HasSubstr("CP Team")));
  Reply staff = client_->Post("/v1/rules/evaluate", kTriageToken, ContactJson(7));
  EXPECT_THAT(staff.body, HasSubstr("CASE-1"));
}

// Empty lists were left out ({}), so a client reading "breaches" failed.
TEST_F(Regress, EmptyListsAreWrittenAsEmptyArrays) {
  EXPECT_EQ(client_->Get("/v1/breaches", kManagerToken).body, "{\"breaches\":[]}");
  Reply worklist = client_->Get("/v1/worklist?queue=mash", kTriageToken);
  EXPECT_TRUE(worklist.json.as_object().at("contacts").as_array().empty());
}

}  // namespace
}  // namespace frontdoor::testing
