// Nothing acknowledged is lost. A burst of contacts over several keep-alive
// connections, then kill -9 the moment the last one is acknowledged; the
// server restarts on the same data folder a day later: every acknowledged
// contact is there, and every decision timescale that fell due while it was
// down fires exactly once, with its original due time, also across a
// second crash and restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

constexpr int kThreads = 8;
constexpr int kPerThread = 40;

std::multiset<std::string> BreachedContacts(HttpClient& client) {
  Reply r = client.Get("/v1/breaches?status=all&limit=1000", kManagerToken);
  EXPECT_EQ(r.status, 200) << r.body;
  std::multiset<std::string> ids;
  for (const auto& b : r.at("breaches").as_array()) {
    ids.emplace(b.as_object().at("contact_id").as_string());
  }
  return ids;
}

TEST(CrashRecovery, AcknowledgedContactsSurviveKillAndOverdueTimersFireOnce) {
  TempDir dir("crash");
  auto config = WriteConfig(dir.path());
  const auto data = dir.path() / "data";
  auto server = ServerProcess::Start({config, data, "manual=2026-11-24T10:00:00Z"});
  ASSERT_TRUE(server);

  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(server->port());
      for (int i = 0; i < kPerThread; ++i) {
        Reply r = client.Post("/v1/contacts", kPartnerToken, ContactJson(t * kPerThread + i));
        if (r.status == 201) {
          std::lock_guard lock(mu);
          acknowledged.push_back(r.str("id"));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  server->Kill();
  ASSERT_EQ(acknowledged.size(), static_cast<size_t>(kThreads * kPerThread));

  // A day and an hour later: every decision timescale is overdue.
  server = ServerProcess::Start({config, data, "manual=2026-11-25T11:00:00Z"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  client.Advance("PT0S");  // answers after the start-up timer sweep
  EXPECT_EQ(client.Get("/readyz", "").status, 200);
  for (const std::string& id : acknowledged) {
    Reply r = client.Get("/v1/contacts/" + id, kPartnerToken);
    ASSERT_EQ(r.status, 200) << id;
    EXPECT_EQ(r.at("deadlines").as_array().at(0).as_object().at("breached"), true) << id;
  }
  auto breached = BreachedContacts(client);
  EXPECT_EQ(breached.size(), acknowledged.size());
  for (const std::string& id : acknowledged) EXPECT_EQ(breached.count(id), 1u) << id;

  Reply events = client.Get("/v1/contacts/" + acknowledged.front() + "/events", kTriageToken);
  int fired = 0;
  for (const auto& e : events.at("events").as_array()) {
    if (e.as_object().at("type") != "TIMESCALE_BREACHED") continue;
    ++fired;
    EXPECT_EQ(e.as_object().at("timescale_breached").at("due_at"), "2026-11-25T10:00:00Z");
    EXPECT_EQ(e.as_object().at("at"), "2026-11-25T11:00:00Z");
  }
  EXPECT_EQ(fired, 1);

  // Letters not delivered before the crash are delivered after it, at
  // least once: an acknowledgement for every contact.
  std::set<std::string> acknowledged_letters;
  for (const auto& f : ReadJsonFiles(data / "spool/letters")) {
    if (f.as_object().at("letterkind") == "ACKNOWLEDGEMENT") {
      acknowledged_letters.emplace(f.as_object().at("subject").as_string());
    }
  }
  EXPECT_EQ(acknowledged_letters.size(), acknowledged.size());

  // Crash again and come back later still: nothing fires twice.
  server->Kill();
  server = ServerProcess::Start({config, data, "manual=2026-11-26T12:00:00Z"});
  ASSERT_TRUE(server);
  HttpClient again(server->port());
  again.Advance("PT1H");
  EXPECT_EQ(BreachedContacts(again).size(), acknowledged.size());
  Reply created = again.Post("/v1/contacts", kPartnerToken, ContactJson(9999));
  ASSERT_EQ(created.status, 201);
  // Ids continue after the crash rather than reusing an acknowledged one.
  EXPECT_EQ(std::count(acknowledged.begin(), acknowledged.end(), created.str("id")), 0);
}

}  // namespace
}  // namespace frontdoor::testing
