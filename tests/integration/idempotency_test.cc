// Idempotency-Key: a retried submission gets the first answer again, never
// a second contact; the same key with a different body is a conflict.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

TEST(Idempotency, ReplayAndConflict) {
  TempDir dir("idempotency");
  const auto data = dir.path() / "data";
  auto config = WriteConfig(dir.path());
  auto server = ServerProcess::Start({config, data});
  ASSERT_TRUE(server);
  HttpClient client(server->port());

  const std::map<std::string, std::string> key = {{"Idempotency-Key", "police-batch-7-item-1"}};
  Reply first = client.Post("/v1/contacts", kPartnerToken, ContactJson(1), key);
  ASSERT_EQ(first.status, 201) << first.body;
  Reply again = client.Post("/v1/contacts", kPartnerToken, ContactJson(1), key);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.str("id"), first.str("id"));
  EXPECT_EQ(again.headers["location"], first.headers["location"]);
  EXPECT_EQ(again.headers["idempotent-replayed"], "true");

  Reply conflict = client.Post("/v1/contacts", kPartnerToken, ContactJson(2), key);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.headers["content-type"], "application/problem+json");

  // Keys belong to the API key that sent them.
  Reply other = client.Post("/v1/contacts", kOtherPartnerToken, ContactJson(1), key);
  EXPECT_EQ(other.status, 201);
  EXPECT_NE(other.str("id"), first.str("id"));

  // A different key is a different contact.
  Reply second = client.Post("/v1/contacts", kPartnerToken, ContactJson(1),
                             {{"Idempotency-Key", "police-batch-7-item-2"}});
  EXPECT_NE(second.str("id"), first.str("id"));

  // Keys survive a restart.
  EXPECT_EQ(server->Terminate(), 0);
  server = ServerProcess::Start({config, data});
  ASSERT_TRUE(server);
  HttpClient after(server->port());
  Reply replay = after.Post("/v1/contacts", kPartnerToken, ContactJson(1), key);
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.str("id"), first.str("id"));
  Reply metrics = after.Get("/metrics", "");
  EXPECT_THAT(metrics.body, ::testing::HasSubstr("frontdoor_contacts_created_total 0\n"));
}

}  // namespace
}  // namespace frontdoor::testing
