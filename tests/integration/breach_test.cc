// Timescale breaches through the real server and a manual clock: a step
// still open at its due time raises one breach, exactly once; a step
// finished in time raises none; finishing a late step resolves its breach;
// the list pages by token.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> BreachedContacts(HttpClient& client, const std::string& status) {
  Reply r = client.Get("/v1/breaches?status=" + status, kManagerToken);
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<std::string> ids;
  if (const auto* list = r.json.as_object().if_contains("breaches")) {
    for (const auto& b : list->as_array())
      ids.emplace_back(b.as_object().at("contact_id").as_string());
  }
  return ids;
}

int CountEvents(HttpClient& client, const std::string& id, const std::string& type) {
  Reply r = client.Get("/v1/contacts/" + id + "/events", kTriageToken);
  int n = 0;
  for (const auto& e : r.at("events").as_array()) n += e.as_object().at("type") == type.c_str();
  return n;
}

TEST(Breach, RaisedOnceForAnOpenStepAndNeverForOneFinishedInTime) {
  TempDir dir("breach");
  auto server = ServerProcess::Start({WriteConfig(dir.path()), dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());

  Reply late = client.Post("/v1/contacts", kPartnerToken, ContactJson(10));
  Reply prompt = client.Post("/v1/contacts", kPartnerToken, ContactJson(11));
  ASSERT_EQ(late.status, 201);
  ASSERT_EQ(prompt.status, 201);
  const std::string late_id = late.str("id"), prompt_id = prompt.str("id");
  client.Advance("PT23H");
  ASSERT_EQ(client
                .Post("/v1/contacts/" + prompt_id + "/decision", kTriageToken,
                      R"({"route":"EARLY_HELP","reason":"Early help offered."})")
                .status,
            200);
  EXPECT_THAT(BreachedContacts(client, "all"), IsEmpty());

  Reply now = client.Advance("PT2H");
  EXPECT_EQ(now.str("now"), "2026-11-25T11:00:00Z");
  EXPECT_THAT(BreachedContacts(client, "open"), ElementsAre(late_id));
  Reply contact = client.Get("/v1/contacts/" + late_id, kPartnerToken);
  const auto& deadline = contact.at("deadlines").as_array().at(0).as_object();
  EXPECT_EQ(deadline.at("name"), "decision");
  EXPECT_EQ(deadline.at("breached"), true);
  EXPECT_EQ(CountEvents(client, late_id, "TIMESCALE_BREACHED"), 1);
  EXPECT_EQ(CountEvents(client, prompt_id, "TIMESCALE_BREACHED"), 0);

  // More time passing raises nothing more.
  client.Advance("P3D");
  EXPECT_EQ(CountEvents(client, late_id, "TIMESCALE_BREACHED"), 1);
  EXPECT_THAT(BreachedContacts(client, "all"), ElementsAre(late_id));

  // The breach was emitted, with its original due time.
  auto events = ReadJsonFiles(dir.path() / "data/spool/events");
  int emitted = 0;
  for (const auto& e : events) {
    if (e.as_object().at("type") != "org.frontdoor.timescale.breached") continue;
    ++emitted;
    EXPECT_EQ(e.as_object().at("subject"), late_id.c_str());
    EXPECT_EQ(e.as_object().at("data").at("due_at"), "2026-11-25T10:00:00Z");
  }
  EXPECT_EQ(emitted, 1);

  // Deciding the late contact resolves the breach.
  ASSERT_EQ(client
                .Post("/v1/contacts/" + late_id + "/decision", kTriageToken,
                      R"({"route":"NFA","reason":"No role for children's services."})")
                .status,
            200);
  EXPECT_THAT(BreachedContacts(client, "open"), IsEmpty());
  Reply all = client.Get("/v1/breaches?status=all", kManagerToken);
  ASSERT_EQ(all.at("breaches").as_array().size(), 1u);
  EXPECT_TRUE(all.at("breaches").as_array()[0].as_object().contains("resolved_at"));
}

TEST(Breach, MashTimescaleBreachesWhenTheHandOnIsLate) {
  TempDir dir("mash-breach");
  auto server = ServerProcess::Start({WriteConfig(dir.path()), dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  Reply created = client.Post("/v1/contacts", kTriageToken, ContactJson(12));
  const std::string id = created.str("id");
  ASSERT_EQ(client
                .Post("/v1/contacts/" + id + "/decision", kTriageToken,
                      R"({"route":"MASH","rag":"GREEN","reason":"Checks needed."})")
                .status,
            200);
  client.Advance("PT71H");
  EXPECT_THAT(BreachedContacts(client, "open"), IsEmpty());
  client.Advance("PT2H");
  EXPECT_THAT(BreachedContacts(client, "open"), ElementsAre(id));
  Reply r = client.Get("/v1/breaches?status=open", kManagerToken);
  EXPECT_EQ(r.at("breaches").as_array()[0].as_object().at("timescale"), "mash");
}

// GET /v1/breaches pages like the worklists: a token only when another page
// follows, pages that join up without gaps or repeats, a foreign token a 400.
TEST(Breach, BreachesPageWithPageToken) {
  TempDir dir("breach-pages");
  auto server = ServerProcess::Start({WriteConfig(dir.path()), dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  std::vector<std::string> submitted;
  for (int i = 0; i < 5; ++i) {
    Reply r = client.Post("/v1/contacts", kPartnerToken, ContactJson(20 + i));
    ASSERT_EQ(r.status, 201) << r.body;
    submitted.push_back(r.str("id"));
    client.Advance("PT1M");
  }
  client.Advance("PT25H");
  for (const std::string status : {"open", "all"}) {
    std::vector<std::string> seen;
    std::vector<size_t> sizes;
    std::string token;
    for (int page = 0; page < 10; ++page) {
      Reply r = client.Get("/v1/breaches?status=" + status + "&limit=2" +
                               (token.empty() ? "" : "&page_token=" + token),
                           kManagerToken);
      ASSERT_EQ(r.status, 200) << r.body;
      const auto& list = r.at("breaches").as_array();
      sizes.push_back(list.size());
      for (const auto& b : list) seen.emplace_back(b.as_object().at("contact_id").as_string());
      const auto* next = r.json.as_object().if_contains("next_page_token");
      if (next == nullptr) break;
      token = std::string(next->as_string());
    }
    EXPECT_THAT(sizes, ElementsAre(2, 2, 1)) << status;
    EXPECT_EQ(seen, submitted) << status;
  }
  Reply bad = client.Get("/v1/breaches?page_token=not-ours", kManagerToken);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.at("errors").as_array().at(0).as_object().at("field"), "page_token");
}

TEST(Breach, ClockEndpointIsOnlyForManualClocks) {
  TempDir dir("system-clock");
  ServerProcess::Options options{WriteConfig(dir.path()), dir.path() / "data", ""};
  auto server = ServerProcess::Start(options);
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  EXPECT_EQ(client.Post("/v1/admin/clock", kAdminToken, R"({"advance":"PT1H"})").status, 404);
}

TEST(Breach, ClockRequestsAreChecked) {
  TempDir dir("clock-checks");
  auto server = ServerProcess::Start({WriteConfig(dir.path()), dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  EXPECT_EQ(client.Post("/v1/admin/clock", kTriageToken, R"({"advance":"PT1H"})").status, 403);
  EXPECT_EQ(client.Post("/v1/admin/clock", kAdminToken, R"({"advance":"1 hour"})").status, 400);
  EXPECT_EQ(client.Post("/v1/admin/clock", kAdminToken, R"({})").status, 400);
  EXPECT_EQ(client.Post("/v1/admin/clock", kAdminToken, R"({"set":"2026-01-01T00:00:00Z"})").status,
            400);
  Reply set = client.Post("/v1/admin/clock", kAdminToken, R"({"set":"2026-12-01T09:00:00Z"})");
  EXPECT_EQ(set.status, 200);
  EXPECT_EQ(set.str("now"), "2026-12-01T09:00:00Z");
}

}  // namespace
}  // namespace frontdoor::testing
