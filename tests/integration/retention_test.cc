// Retention, from outside: an Idempotency-Key is held for 30 days on the
// admin clock and then counts as new; delivered email deliveries and spool
// files age out after 30 days while the letters API still shows every
// letter; /metrics reports the store's size and its size per contact.
#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;

// The value of one series in a /metrics answer; -1 when it is absent.
double Series(const std::string& metrics, const std::string& series) {
  const std::string start = series + " ";
  const size_t at = metrics.find("\n" + start);
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + 1 + start.size()));
}

// The names of the files in the spool's letters/ and events/.
std::set<std::string> SpoolFiles(const std::filesystem::path& spool) {
  std::set<std::string> names;
  for (const char* sub : {"letters", "events"}) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(spool / sub, ec)) {
      if (entry.is_regular_file())
        names.insert(std::string(sub) + "/" + entry.path().filename().string());
    }
  }
  return names;
}

// The email channel's DELIVERED deliveries once there are `n` of them (its
// queue runs on its own thread: waits at most 30 s).
size_t DeliveredToEmail(HttpClient& client, size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  size_t seen = 0;
  do {
    Reply r = client.Get("/v1/admin/deliveries?channel=email&state=DELIVERED", kAdminToken);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return 0;
    seen = r.at("deliveries").as_array().size();
    if (seen == n) return seen;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  ADD_FAILURE() << "waited 30 s for " << n << " delivered email deliveries; saw " << seen;
  return seen;
}

TEST(Retention, AnIdempotencyKeyIsHeld30DaysOnTheAdminClockThenIsNew) {
  TempDir dir("retention-keys");
  auto server = ServerProcess::Start({WriteConfig(dir.path()), dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  const std::map<std::string, std::string> key = {{"Idempotency-Key", "police-2026-0042"}};

  Reply first = client.Post("/v1/contacts", kPartnerToken, ContactJson(1), key);
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_EQ(client.Advance("P29D").status, 200);
  Reply held = client.Post("/v1/contacts", kPartnerToken, ContactJson(2), key);
  EXPECT_EQ(held.status, 409) << held.body;
  Reply replayed = client.Post("/v1/contacts", kPartnerToken, ContactJson(1), key);
  EXPECT_EQ(replayed.str("id"), first.str("id"));

  ASSERT_EQ(client.Advance("P2D").status, 200);
  // 31 days on: the key was swept out, and its next use is a new contact.
  EXPECT_EQ(Series(client.Get("/metrics", "").body,
                   "frontdoor_retention_removed_total{what=\"idempotency_keys\"}"),
            1);
  Reply fresh = client.Post("/v1/contacts", kPartnerToken, ContactJson(2), key);
  ASSERT_EQ(fresh.status, 201) << fresh.body;
  EXPECT_NE(fresh.str("id"), first.str("id"));
  EXPECT_EQ(fresh.headers.count("idempotent-replayed"), 0u);
  // From now on the key stands for the new contact.
  Reply again = client.Post("/v1/contacts", kPartnerToken, ContactJson(2), key);
  EXPECT_EQ(again.str("id"), fresh.str("id"));
  EXPECT_EQ(again.headers["idempotent-replayed"], "true");
  // The first contact itself is kept.
  EXPECT_EQ(client.Get("/v1/contacts/" + first.str("id"), kTriageToken).status, 200);
}

TEST(Retention, ZeroDaysKeepsIdempotencyKeysForEver) {
  TempDir dir("retention-keys-kept");
  auto config = WriteConfig(dir.path(), "idempotency_retention_days: 0\n");
  auto server = ServerProcess::Start({config, dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  const std::map<std::string, std::string> key = {{"Idempotency-Key", "police-2026-0043"}};
  ASSERT_EQ(client.Post("/v1/contacts", kPartnerToken, ContactJson(1), key).status, 201);
  ASSERT_EQ(client.Advance("P400D").status, 200);
  EXPECT_EQ(client.Post("/v1/contacts", kPartnerToken, ContactJson(2), key).status, 409);
}

// The manual clock starts at the real time here, so that the spool files'
// modification times (real) and the business clock agree.
TEST(Retention, DeliveredDeliveriesAndSpoolFilesAgeOutAndLettersStay) {
  TempDir dir("retention-deliveries");
  const auto data = dir.path() / "data";
  auto server = ServerProcess::Start(
      {.config = WriteConfig(dir.path()), .data_dir = data, .clock = "manual"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  Reply created = client.Post("/v1/contacts", kPartnerToken, ContactJson(1));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.str("id");
  // The acknowledgement is in the spool and delivered to the email channel
  // (no email configured: the spool sends it).
  ASSERT_EQ(client.Advance("PT1M").status, 200);
  const std::set<std::string> before = SpoolFiles(data / "spool");
  ASSERT_FALSE(before.empty());
  ASSERT_EQ(DeliveredToEmail(client, 1), 1u);

  // 31 days on: the decision breach (day 1) is written to the spool after
  // the old acknowledgement was deleted from it.
  ASSERT_EQ(client.Advance("P31D").status, 200);
  const std::set<std::string> after = SpoolFiles(data / "spool");
  for (const std::string& name : before) EXPECT_EQ(after.count(name), 0u) << name;
  EXPECT_EQ(after.size(), 1u);  // the breach
  for (const std::string& name : after) EXPECT_TRUE(name.starts_with("events/")) << name;
  // The email queue, woken by the clock step, deletes the delivered one.
  EXPECT_EQ(DeliveredToEmail(client, 0), 0u);
  const std::string metrics = client.Get("/metrics", "").body;
  EXPECT_EQ(Series(metrics, "frontdoor_retention_removed_total{what=\"deliveries\"}"), 1);
  EXPECT_EQ(Series(metrics, "frontdoor_retention_removed_total{what=\"spool_files\"}"),
            static_cast<double>(before.size()));
  // What the letter said and how it went out are the contact's: kept.
  Reply letters = client.Get("/v1/contacts/" + id + "/letters", kTriageToken);
  ASSERT_EQ(letters.status, 200);
  EXPECT_THAT(letters.body, HasSubstr("ACKNOWLEDGEMENT"));
}

TEST(Retention, MetricsReportTheStoreSizeAndItsSizePerContact) {
  TempDir dir("retention-metrics");
  auto server = ServerProcess::Start({WriteConfig(dir.path()), dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  std::string metrics = client.Get("/metrics", "").body;
  EXPECT_THAT(metrics, HasSubstr("# TYPE frontdoor_store_bytes gauge\n"));
  EXPECT_GE(Series(metrics, "frontdoor_store_bytes"), 0);
  EXPECT_EQ(Series(metrics, "frontdoor_store_bytes_per_contact"), 0);  // no contact yet
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(client.Post("/v1/contacts", kPartnerToken, ContactJson(i)).status, 201);
  }
  metrics = client.Get("/metrics", "").body;
  const double bytes = Series(metrics, "frontdoor_store_bytes");
  const double per_contact = Series(metrics, "frontdoor_store_bytes_per_contact");
  // 20 contacts with their events, letters and indexes: several KB each
  // in the write-ahead log, and far from a megabyte.
  EXPECT_GT(bytes, 20 * 1000) << metrics;
  EXPECT_GT(per_contact, 1000);
  EXPECT_LT(per_contact, 1 << 20);
  EXPECT_NEAR(per_contact, bytes / 20, bytes / 20 * 0.05);
}

}  // namespace
}  // namespace frontdoor::testing
