// Partner organisations and their keys against the real binary: any key of
// an organisation sees the contacts the organisation sent, no other does;
// an expired key is refused (on real time, under a manual clock); SIGHUP
// puts an edited key list in force and keeps the old one when the file is
// bad; and a burst of failed sign-ins from one address is answered 429.
#include <signal.h>

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCheshireA[] = "cheshire-police-key-a";
constexpr char kCheshireB[] = "cheshire-police-key-b";

// The test config (WriteConfig) with `keys` (YAML list items) added to its
// api_keys and `extra` settings appended.
std::filesystem::path WriteConfigWithKeys(const std::filesystem::path& dir, const std::string& keys,
                                          const std::string& extra = "") {
  auto path = WriteConfig(dir, extra);
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  std::string config = text.str();
  const std::string head = "api_keys:\n";
  auto at = config.find(head);
  EXPECT_NE(at, std::string::npos);
  config.insert(at + head.size(), keys);
  std::ofstream(path, std::ios::trunc) << config;
  return path;
}

const std::string kCheshireKeys = std::string("  - {name: cheshire-a, role: partner, token: \"") +
                                  kCheshireA +
                                  "\", organisation: cheshire-police, agency: POLICE}\n" +
                                  "  - {name: cheshire-b, role: partner, token: \"" + kCheshireB +
                                  "\", organisation: cheshire-police}\n";

TEST(PartnerKeys, AnyKeyOfTheOrganisationSeesItsContacts) {
  TempDir dir("orgs");
  auto server =
      ServerProcess::Start({WriteConfigWithKeys(dir.path(), kCheshireKeys), dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  Reply created = client.Post("/v1/contacts", kCheshireA, ContactJson(1));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string path = "/v1/contacts/" + created.str("id");

  EXPECT_EQ(client.Get(path, kCheshireA).status, 200);
  Reply other_key = client.Get(path, kCheshireB);
  EXPECT_EQ(other_key.status, 200);
  EXPECT_EQ(other_key.str("external_ref"), "REF-1");
  EXPECT_FALSE(other_key.json.as_object().contains("narrative"));
  // Another organisation's keys hear "not found", as before.
  Reply police = client.Get(path, kPartnerToken);
  EXPECT_EQ(police.status, 404);
  EXPECT_THAT(police.body, Not(HasSubstr("REF-1")));
  EXPECT_EQ(client.Get(path, kOtherPartnerToken).status, 404);

  // The second key's contacts are the first key's too.
  Reply second = client.Post("/v1/contacts", kCheshireB, ContactJson(2));
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(client.Get("/v1/contacts/" + second.str("id"), kCheshireA).status, 200);

  Reply staff = client.Get(path, kTriageToken);
  ASSERT_EQ(staff.status, 200);
  EXPECT_EQ(staff.str("submitted_by"), "cheshire-a");
  EXPECT_EQ(staff.str("submitted_by_organisation"), "cheshire-police");
}

TEST(PartnerKeys, AnExpiredKeyIsRefusedOnRealTime) {
  TempDir dir("expired");
  // The business clock is set years back, before the key's expiry: the
  // key is still refused, because expiry is read from the real clock.
  auto config = WriteConfigWithKeys(
      dir.path(),
      "  - {name: old-key, role: partner, token: \"old-token-for-tests\", organisation: "
      "cheshire-police, expires_at: \"2025-01-01T00:00:00Z\"}\n"
      "  - {name: new-key, role: partner, token: \"new-token-for-tests\", organisation: "
      "cheshire-police, expires_at: \"2999-01-01T00:00:00Z\"}\n");
  auto server = ServerProcess::Start({config, dir.path() / "data", "manual=2020-01-01T00:00:00Z"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  Reply old_key = client.Get("/v1/whoami", "old-token-for-tests");
  EXPECT_EQ(old_key.status, 401);
  EXPECT_THAT(old_key.headers["content-type"], HasSubstr("application/problem+json"));
  EXPECT_THAT(old_key.str("detail"), HasSubstr("expired"));
  EXPECT_THAT(old_key.body, Not(HasSubstr("old-token-for-tests")));
  Reply new_key = client.Get("/v1/whoami", "new-token-for-tests");
  EXPECT_EQ(new_key.status, 200);
  EXPECT_EQ(new_key.str("name"), "new-key");
  EXPECT_THAT(server->Logs(), Not(HasSubstr("token-for-tests")));
}

TEST(PartnerKeys, SighupPutsTheEditedKeysInForce) {
  TempDir dir("sighup-keys");
  // A generous burst: the polling below fails on purpose until the reload.
  const std::string extra = "auth_failures: {burst: 10000, per_seconds: 60}\n";
  auto config = WriteConfigWithKeys(dir.path(), kCheshireKeys, extra);
  auto server = ServerProcess::Start({config, dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  ASSERT_EQ(client.Get("/v1/whoami", kCheshireB).status, 200);

  // Key b is removed and a replacement added.
  WriteConfigWithKeys(dir.path(),
                      "  - {name: cheshire-c, role: partner, token: \"cheshire-key-c\", "
                      "organisation: cheshire-police}\n",
                      extra);
  server->Signal(SIGHUP);
  int status = 0;
  for (int attempt = 0; attempt < 2000 && status != 200; ++attempt) {
    status = client.Get("/v1/whoami", "cheshire-key-c").status;
  }
  ASSERT_EQ(status, 200);
  EXPECT_EQ(client.Get("/v1/whoami", kCheshireB).status, 401);
  EXPECT_EQ(client.Get("/v1/whoami", kPartnerToken).status, 200);

  // A bad file keeps the keys in force and says why in the log.
  std::ofstream(config, std::ios::trunc) << "api_keys:\n  - {name: x, role: overlord, token: y}\n";
  server->Signal(SIGHUP);
  bool logged = false;
  for (int attempt = 0; attempt < 2000 && !logged; ++attempt) {
    EXPECT_EQ(client.Get("/healthz", "").status, 200);
    logged = server->Logs().find("api keys refused") != std::string::npos;
  }
  EXPECT_TRUE(logged);
  EXPECT_EQ(client.Get("/v1/whoami", "cheshire-key-c").status, 200);
  EXPECT_THAT(server->Logs(), Not(HasSubstr("cheshire-key-c")));
  EXPECT_THAT(server->Logs(), Not(HasSubstr("token-for-tests")));
}

TEST(PartnerKeys, ABurstOfFailuresFromOneAddressIsSlowedDown) {
  TempDir dir("throttle");
  auto server = ServerProcess::Start({WriteConfig(dir.path()), dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(client.Get("/v1/whoami", "wrong-token-" + std::to_string(i)).status, 401) << i;
  }
  Reply eleventh = client.Get("/v1/whoami", "wrong-token-10");
  EXPECT_EQ(eleventh.status, 429);
  ASSERT_TRUE(eleventh.headers.count("retry-after"));
  int retry_after = std::stoi(eleventh.headers["retry-after"]);
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 60);
  EXPECT_THAT(eleventh.headers["content-type"], HasSubstr("application/problem+json"));
  EXPECT_THAT(eleventh.str("type"), HasSubstr("too-many-failures"));
  // A good token from the same address waits out the window too.
  Reply good = client.Get("/v1/whoami", kTriageToken);
  EXPECT_EQ(good.status, 429);
  EXPECT_EQ(client.Post("/v1/contacts", kPartnerToken, ContactJson(1)).status, 429);
  // Routes that need no token still answer.
  EXPECT_EQ(client.Get("/healthz", "").status, 200);
  EXPECT_THAT(server->Logs(), Not(HasSubstr("wrong-token")));
}

}  // namespace
}  // namespace frontdoor::testing
