// Policies the partnership changes while the front door runs: reload by the
// admin endpoint and by SIGHUP, a bad file refused with the old policy kept,
// past recommendations still explained by the exact rules that made them;
// and the out-of-hours alert for urgent contacts.
#include <signal.h>

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"
#include "tests/support/source_tree.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;

// A copy of the default policy and its letters in `dir`, with its label set.
void WritePolicy(const std::filesystem::path& dir, const std::string& label) {
  const std::filesystem::path source = DefaultPolicyPath().parent_path();
  std::string text = ReadFile(source / "default.yaml");
  const std::string from = "label: Northfield continuum of need 2026";
  size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, from.size(), "label: " + label);
  std::filesystem::create_directories(dir / "letters");
  std::filesystem::copy(
      source / "letters", dir / "letters",
      std::filesystem::copy_options::overwrite_existing | std::filesystem::copy_options::recursive);
  std::ofstream(dir / "policy.yaml") << text;
}

TEST(Policy, ReloadSwapsRulesAndKeepsPastVersionsExplained) {
  TempDir dir("policy");
  WritePolicy(dir.path() / "rules", "Version one");
  auto config = WriteConfig(dir.path());
  {
    // Point the config at the copy instead of the shipped policy.
    std::string text = ReadFile(config);
    size_t at = text.find("policy: ");
    size_t end = text.find('\n', at);
    text.replace(at, end - at, "policy: rules/policy.yaml");
    std::ofstream(config) << text;
  }
  auto server = ServerProcess::Start({config, dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());

  Reply first = client.Post("/v1/contacts", kTriageToken, ContactJson(1));
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string v1 = std::string(first.at("recommendation").at("rules_version").as_string());

  WritePolicy(dir.path() / "rules", "Version two");
  Reply reloaded = client.Post("/v1/admin/policy/reload", kAdminToken, "");
  ASSERT_EQ(reloaded.status, 200) << reloaded.body;
  EXPECT_EQ(reloaded.str("policy_label"), "Version two");
  const std::string v2 = reloaded.str("rules_version");
  EXPECT_NE(v2, v1);
  Reply second = client.Post("/v1/contacts", kTriageToken, ContactJson(2));
  EXPECT_EQ(second.at("recommendation").at("rules_version"), v2.c_str());
  EXPECT_EQ(second.at("recommendation").at("policy_label"), "Version two");

  // The first contact is still explained by the rules that decided it.
  Reply old = client.Get("/v1/contacts/" + first.str("id"), kManagerToken);
  ASSERT_EQ(old.status, 200) << old.body;
  EXPECT_EQ(old.at("recommendation").at("rules_version"), v1.c_str());
  EXPECT_FALSE(old.at("explanation").at("rules").as_array().empty());

  // A broken file is refused with its errors; version two stays.
  std::ofstream(dir.path() / "rules/policy.yaml")
      << "label: Broken\ntables: [{name: t, hit_policy: NEVER}]\n";
  Reply refused = client.Post("/v1/admin/policy/reload", kAdminToken, "");
  EXPECT_EQ(refused.status, 422);
  EXPECT_THAT(refused.str("detail"), HasSubstr("NEVER"));
  Reply third = client.Post("/v1/contacts", kTriageToken, ContactJson(3));
  EXPECT_EQ(third.at("recommendation").at("rules_version"), v2.c_str());
  EXPECT_EQ(client.Post("/v1/admin/policy/reload", kTriageToken, "").status, 403);

  // SIGHUP reloads too. The signal is handled while requests go on, so ask
  // (a bounded number of times) until the new label shows.
  WritePolicy(dir.path() / "rules", "Version three");
  server->Signal(SIGHUP);
  std::string label;
  for (int attempt = 0; attempt < 500 && label != "Version three"; ++attempt) {
    Reply dry = client.Post("/v1/rules/evaluate", kTriageToken, ContactJson(4));
    label = std::string(dry.at("recommendation").at("policy_label").as_string());
  }
  EXPECT_EQ(label, "Version three");
}

TEST(Policy, UrgentContactsOutOfHoursAlertTheDutyTeam) {
  TempDir dir("edt");
  // Saturday 28 November 2026, 02:00 in London.
  auto server = ServerProcess::Start(
      {WriteConfig(dir.path()), dir.path() / "data", "manual=2026-11-28T02:00:00Z"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  std::string urgent = ContactJson(5);
  urgent.replace(urgent.find("\"immediate_risk\": false"), 23, "\"immediate_risk\": true");
  Reply created = client.Post("/v1/contacts", kPartnerToken, urgent);
  ASSERT_EQ(created.status, 201) << created.body;
  Reply events = client.Get("/v1/contacts/" + created.str("id") + "/events", kTriageToken);
  int alerts = 0;
  for (const auto& e : events.at("events").as_array()) {
    if (e.as_object().at("type") == "EDT_ALERT") ++alerts;
  }
  EXPECT_EQ(alerts, 1);
  client.Advance("PT0S");
  int emitted = 0;
  for (const auto& f : ReadJsonFiles(dir.path() / "data/spool/events")) {
    if (f.as_object().at("type") == "org.frontdoor.edt.alert" &&
        f.as_object().at("subject").as_string() == created.str("id")) {
      ++emitted;
    }
  }
  EXPECT_EQ(emitted, 1);
  // The same contact in office hours raises no alert.
  client.Post("/v1/admin/clock", kAdminToken, R"({"set":"2026-11-30T10:00:00Z"})");
  Reply weekday = client.Post("/v1/contacts", kPartnerToken, urgent);
  Reply weekday_events = client.Get("/v1/contacts/" + weekday.str("id") + "/events", kTriageToken);
  for (const auto& e : weekday_events.at("events").as_array()) {
    EXPECT_NE(e.as_object().at("type"), "EDT_ALERT");
  }
}

}  // namespace
}  // namespace frontdoor::testing
