// Who may see what: a partner sees its own contacts' progress only; staff
// roles see the submitted facts; other partners hear "not found".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

TEST(Roles, PartnersSeeOnlyTheirOwnContactsProgress) {
  TempDir dir("roles");
  auto server = ServerProcess::Start({WriteConfig(dir.path()), dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  Reply created = client.Post("/v1/contacts", kPartnerToken, ContactJson(3));
  ASSERT_EQ(created.status, 201);
  const std::string path = "/v1/contacts/" + created.str("id");

  Reply own = client.Get(path, kPartnerToken);
  EXPECT_EQ(own.status, 200);
  for (const char* hidden : {"narrative", "children", "referrer", "recommendation", "prior",
                             "explanation", "what_would_help", "concerns"}) {
    EXPECT_FALSE(own.json.as_object().contains(hidden)) << hidden;
  }
  EXPECT_EQ(own.str("external_ref"), "REF-3");
  EXPECT_EQ(client.Get(path, kOtherPartnerToken).status, 404);
  EXPECT_EQ(client.Get(path + "/events", kPartnerToken).status, 403);
  EXPECT_EQ(client.Get(path + "/letters", kPartnerToken).status, 403);
  EXPECT_EQ(
      client.Post(path + "/decision", kPartnerToken, R"({"route":"NFA","reason":"x"})").status,
      403);

  Reply staff = client.Get(path, kManagerToken);
  EXPECT_EQ(staff.status, 200);
  EXPECT_TRUE(staff.json.as_object().contains("narrative"));
  EXPECT_TRUE(staff.json.as_object().contains("explanation"));
  EXPECT_EQ(staff.str("submitted_by"), "merseyside-police");
}

TEST(Roles, MetricsAreOpenOnLoopback) {
  // Scrapers on the same machine need no token. (A caller from elsewhere
  // needs a manager's; these tests cannot connect from elsewhere.)
  TempDir dir("metrics");
  auto server = ServerProcess::Start({WriteConfig(dir.path()), dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  EXPECT_EQ(client.Get("/metrics", "").status, 200);
}

}  // namespace
}  // namespace frontdoor::testing
