// Who caused each event, against the real binary: a decision by a key
// stores the key's name, role and organisation in the history and on the
// contact; timers name nobody; a partner sees none of it; and the
// indicators count decisions per worker, in JSON and CSV, for managers only.
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTriageA[] = "triage-a-token-for-tests";
constexpr char kTriageB[] = "triage-b-token-for-tests";

// The test config with two triage keys of the council's front door.
std::filesystem::path WriteConfigWithTriageKeys(const std::filesystem::path& dir) {
  auto path = WriteConfig(dir);
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  std::string config = text.str();
  const std::string head = "api_keys:\n";
  auto at = config.find(head);
  EXPECT_NE(at, std::string::npos);
  config.insert(at + head.size(), std::string("  - {name: triage-a, role: triage, token: \"") +
                                      kTriageA + "\", organisation: county-front-door}\n" +
                                      "  - {name: triage-b, role: triage, token: \"" + kTriageB +
                                      "\", organisation: county-front-door}\n");
  std::ofstream(path, std::ios::trunc) << config;
  return path;
}

class ActorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start({WriteConfigWithTriageKeys(dir_.path()), dir_.path() / "data"});
    ASSERT_TRUE(server_);
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  std::string Submit(int variant) {
    Reply created = client_->Post("/v1/contacts", kPartnerToken, ContactJson(variant));
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? created.str("id") : "";
  }

  void Decide(const std::string& id, const std::string& token) {
    Reply decided = client_->Post("/v1/contacts/" + id + "/decision", token,
                                  R"({"route":"NFA","reason":"No role for children's services."})");
    ASSERT_EQ(decided.status, 200) << decided.body;
  }

  // The events of `type` in the contact's history.
  std::vector<boost::json::object> EventsOf(const std::string& id, const std::string& type) {
    Reply events = client_->Get("/v1/contacts/" + id + "/events", kManagerToken);
    EXPECT_EQ(events.status, 200) << events.body;
    std::vector<boost::json::object> out;
    if (events.status != 200) return out;
    for (const auto& e : events.at("events").as_array()) {
      if (e.as_object().at("type") == type.c_str()) out.push_back(e.as_object());
    }
    return out;
  }

  TempDir dir_{"actor"};
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ActorTest, ADecisionByAKeyNamesTheKeyAndItsOrganisation) {
  const std::string id = Submit(1);
  Decide(id, kTriageA);

  auto received = EventsOf(id, "CONTACT_RECEIVED");
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].at("actor"), "merseyside-police");
  EXPECT_EQ(received[0].at("caused_by").at("kind"), "KEY");
  EXPECT_EQ(received[0].at("caused_by").at("role"), "partner");

  auto decided = EventsOf(id, "DECISION_RECORDED");
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0].at("actor"), "triage-a");
  const auto& who = decided[0].at("caused_by").as_object();
  EXPECT_EQ(who.at("kind"), "KEY");
  EXPECT_EQ(who.at("id"), "triage-a");
  EXPECT_EQ(who.at("name"), "triage-a");
  EXPECT_EQ(who.at("role"), "triage");
  EXPECT_EQ(who.at("organisation"), "county-front-door");
  // Every event of the decision (the clock stopping, the closure, the
  // letter) was caused by it.
  for (const char* type : {"TIMESCALE_STOPPED", "CONTACT_CLOSED"}) {
    auto events = EventsOf(id, type);
    ASSERT_EQ(events.size(), 1u) << type;
    EXPECT_EQ(events[0].at("caused_by").at("id"), "triage-a") << type;
  }

  // The contact resource says who decided, for staff.
  Reply staff = client_->Get("/v1/contacts/" + id, kManagerToken);
  ASSERT_EQ(staff.status, 200);
  const auto& decision = staff.at("decision").as_object();
  EXPECT_EQ(decision.at("decided_by"), "triage-a");
  EXPECT_EQ(decision.at("decided_by_actor").at("organisation"), "county-front-door");

  // The partner sees its contact's progress, never who worked on it.
  Reply partner = client_->Get("/v1/contacts/" + id, kPartnerToken);
  ASSERT_EQ(partner.status, 200);
  EXPECT_THAT(partner.body, Not(HasSubstr("triage-a")));
  EXPECT_THAT(partner.body, Not(HasSubstr("decided_by")));
  EXPECT_THAT(partner.body, Not(HasSubstr("caused_by")));
  EXPECT_EQ(client_->Get("/v1/contacts/" + id + "/events", kPartnerToken).status, 403);
}

TEST_F(ActorTest, TimersNameNobody) {
  const std::string id = Submit(2);
  ASSERT_EQ(client_->Advance("P3D").status, 200);
  auto breached = EventsOf(id, "TIMESCALE_BREACHED");
  ASSERT_EQ(breached.size(), 1u);
  EXPECT_FALSE(breached[0].contains("caused_by"));
  EXPECT_FALSE(breached[0].contains("actor"));
  auto due_soon = EventsOf(id, "TIMESCALE_DUE_SOON");
  ASSERT_EQ(due_soon.size(), 1u);
  EXPECT_FALSE(due_soon[0].contains("caused_by"));
}

TEST_F(ActorTest, IndicatorsCountDecisionsPerWorker) {
  const std::string first = Submit(3), second = Submit(4), late = Submit(5);
  Decide(first, kTriageA);
  Decide(second, kTriageA);
  ASSERT_EQ(client_->Advance("P3D").status, 200);
  Decide(late, kTriageB);

  const std::string range = "/v1/indicators?from=2026-11-23&to=2026-11-29";
  Reply json = client_->Get(range, kManagerToken);
  ASSERT_EQ(json.status, 200) << json.body;
  const auto& workers = json.at("decisions_by_worker").as_array();
  ASSERT_EQ(workers.size(), 2u) << json.body;
  const auto& a = workers[0].as_object();
  EXPECT_EQ(a.at("actor").at("id"), "triage-a");
  EXPECT_EQ(a.at("actor").at("role"), "triage");
  EXPECT_EQ(a.at("actor").at("organisation"), "county-front-door");
  EXPECT_EQ(a.at("decisions"), 2);
  EXPECT_EQ(a.at("in_time"), 2);
  const auto& b = workers[1].as_object();
  EXPECT_EQ(b.at("actor").at("id"), "triage-b");
  EXPECT_EQ(b.at("decisions"), 1);
  // Zero is the default, which the JSON leaves out.
  EXPECT_FALSE(b.contains("in_time"));

  Reply csv = client_->Get(range + "&format=csv", kManagerToken);
  ASSERT_EQ(csv.status, 200);
  EXPECT_THAT(csv.body, HasSubstr("worker_decisions,2026-11-23..2026-11-29,triage-a,2\n"));
  EXPECT_THAT(csv.body, HasSubstr("worker_decisions_in_time,2026-11-23..2026-11-29,triage-a,2\n"));
  EXPECT_THAT(csv.body, HasSubstr("worker_decisions,2026-11-23..2026-11-29,triage-b,1\n"));
  EXPECT_THAT(csv.body, HasSubstr("worker_decisions_in_time,2026-11-23..2026-11-29,triage-b,0\n"));
  EXPECT_THAT(csv.body, HasSubstr("worker_role,2026-11-23..2026-11-29,triage-b,triage\n"));

  // Managers only, as the indicators are.
  EXPECT_EQ(client_->Get(range, kTriageA).status, 403);
  EXPECT_EQ(client_->Get(range, kPartnerToken).status, 403);
}

}  // namespace
}  // namespace frontdoor::testing
