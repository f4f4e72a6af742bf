// Management oversight against the real binary, with two named people: Sam
// Patel (triage) and Morgan Lee (manager), each with a key of the council's
// front door. A decision below the recommendation, or on a route the policy
// lists, waits on the managers' worklist; Morgan authorises (the contact
// closes and the referrer gets the outcome letter) or returns it (back on
// the triage list with the note in the history); nobody authorises their
// own decision; the authorisation timescale breaches at 4 working hours.
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"
#include "tests/support/source_tree.h"

namespace frontdoor::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kSam[] = "sam-patel-token-for-tests";
constexpr char kMorgan[] = "morgan-lee-token-for-tests";
// ContactJson(0) is about neglect: the default policy recommends MASH.
constexpr int kNeglect = 0;

std::string ReadText(const std::filesystem::path& path) {
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

// The test config with Sam (as `sam_role`) and Morgan; with `listed_routes`,
// a copy of the default policy whose authorisation lists those routes.
std::filesystem::path WriteConfigWithPeople(const std::filesystem::path& dir,
                                            const std::string& sam_role = "triage",
                                            const std::string& listed_routes = "") {
  std::string config = ReadText(WriteConfig(dir));
  const std::string head = "api_keys:\n";
  config.insert(config.find(head) + head.size(),
                "  - {name: sam-patel, role: " + sam_role + ", token: \"" + kSam +
                    "\", organisation: county-front-door}\n"
                    "  - {name: morgan-lee, role: manager, token: \"" +
                    kMorgan + "\", organisation: county-front-door}\n");
  if (!listed_routes.empty()) {
    const std::filesystem::path source = DefaultPolicyPath().parent_path();
    std::string policy = ReadText(source / "default.yaml");
    const std::string from = "routes: []";
    EXPECT_NE(policy.find(from), std::string::npos);
    policy.replace(policy.find(from), from.size(), "routes: [" + listed_routes + "]");
    std::filesystem::create_directories(dir / "rules");
    std::filesystem::copy(source / "letters", dir / "rules" / "letters",
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
    std::ofstream(dir / "rules" / "policy.yaml") << policy;
    size_t at = config.find("policy: ");
    config.replace(at, config.find('\n', at) - at, "policy: rules/policy.yaml");
  }
  auto path = dir / "config.yaml";
  std::ofstream(path, std::ios::trunc) << config;
  return path;
}

class AuthorisationTest : public ::testing::Test {
 protected:
  void Start(const std::string& sam_role = "triage", const std::string& listed_routes = "") {
    server_ = ServerProcess::Start(
        {WriteConfigWithPeople(dir_.path(), sam_role, listed_routes), dir_.path() / "data"});
    ASSERT_TRUE(server_);
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  std::string Submit(int variant = kNeglect) {
    Reply created = client_->Post("/v1/contacts", kPartnerToken, ContactJson(variant));
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? created.str("id") : "";
  }

  Reply Decide(const std::string& id, const std::string& body) {
    return client_->Post("/v1/contacts/" + id + "/decision", kSam, body);
  }
  Reply Authorise(const std::string& id, const std::string& token, const std::string& body) {
    return client_->Post("/v1/contacts/" + id + "/authorisation", token, body);
  }

  std::vector<std::string> Worklist(const std::string& queue) {
    Reply r = client_->Get("/v1/worklist?queue=" + queue, kMorgan);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> ids;
    if (r.status != 200) return ids;
    if (const auto* rows = r.json.as_object().if_contains("contacts")) {
      for (const auto& c : rows->as_array()) ids.emplace_back(c.at("id").as_string());
    }
    return ids;
  }

  std::vector<boost::json::object> EventsOf(const std::string& id, const std::string& type) {
    Reply events = client_->Get("/v1/contacts/" + id + "/events", kMorgan);
    EXPECT_EQ(events.status, 200) << events.body;
    std::vector<boost::json::object> out;
    if (events.status != 200) return out;
    for (const auto& e : events.at("events").as_array()) {
      if (e.as_object().at("type") == type.c_str()) out.push_back(e.as_object());
    }
    return out;
  }

  std::vector<std::string> LetterKinds(const std::string& id) {
    Reply r = client_->Get("/v1/contacts/" + id + "/letters", kMorgan);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> kinds;
    for (const auto& l : r.at("letters").as_array()) kinds.emplace_back(l.at("kind").as_string());
    return kinds;
  }

  TempDir dir_{"authorisation"};
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(AuthorisationTest, NfaBelowTheRecommendationWaitsForAManager) {
  Start();
  const std::string id = Submit();
  Reply decided = Decide(id, R"({"route":"NFA","reason":"The family has moved away."})");
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_EQ(decided.at("recommendation").at("route"), "MASH");
  EXPECT_EQ(decided.str("state"), "AWAITING_AUTHORISATION");
  EXPECT_EQ(decided.json.as_object().if_contains("outcome"), nullptr);
  const auto& authorisation = decided.at("authorisation").as_object();
  EXPECT_EQ(authorisation.at("decision").at("route"), "NFA");
  EXPECT_EQ(authorisation.at("decision").at("decided_by"), "sam-patel");
  EXPECT_THAT(std::string(authorisation.at("why").as_string()),
              HasSubstr("lower level of need than the rules recommended"));
  const auto& deadlines = decided.at("deadlines").as_array();
  ASSERT_EQ(deadlines.size(), 1u);
  EXPECT_EQ(deadlines[0].at("name"), "authorisation");
  // Tuesday 10:00 plus 4 working hours.
  EXPECT_EQ(deadlines[0].at("due_at"), "2026-11-24T14:00:00Z");

  // On the managers' list, off the triage list; no outcome letter yet.
  EXPECT_THAT(Worklist("authorisation"), ElementsAre(id));
  EXPECT_THAT(Worklist("triage"), IsEmpty());
  EXPECT_THAT(LetterKinds(id), ElementsAre("ACKNOWLEDGEMENT"));
  auto requested = EventsOf(id, "AUTHORISATION_REQUESTED");
  ASSERT_EQ(requested.size(), 1u);
  EXPECT_EQ(requested[0].at("actor"), "sam-patel");
  // The worker decided in time.
  auto stopped = EventsOf(id, "TIMESCALE_STOPPED");
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].at("timescale_stopped").at("name"), "decision");

  // The managers' list is the managers'.
  EXPECT_EQ(client_->Get("/v1/worklist?queue=authorisation", kSam).status, 403);
  // A decision as recommended takes effect at once.
  const std::string other = Submit();
  Reply mash = Decide(other, R"({"route":"MASH","rag":"AMBER","reason":"Checks needed."})");
  ASSERT_EQ(mash.status, 200) << mash.body;
  EXPECT_EQ(mash.str("state"), "IN_MASH");
}

TEST_F(AuthorisationTest, AListedRouteWaitsEvenAsRecommended) {
  Start("triage", "MASH");
  const std::string id = Submit();
  Reply decided = Decide(id, R"({"route":"MASH","rag":"RED","reason":"Checks needed."})");
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_EQ(decided.str("state"), "AWAITING_AUTHORISATION");
  EXPECT_THAT(std::string(decided.at("authorisation").at("why").as_string()),
              HasSubstr("every decision for the Multi-Agency Safeguarding Hub"));
  Reply authorised = Authorise(id, kMorgan, R"({"outcome":"AUTHORISED"})");
  ASSERT_EQ(authorised.status, 200) << authorised.body;
  EXPECT_EQ(authorised.str("state"), "IN_MASH");
  EXPECT_THAT(Worklist("mash"), ElementsAre(id));
  EXPECT_THAT(Worklist("authorisation"), IsEmpty());
}

TEST_F(AuthorisationTest, AuthorisedTheContactClosesWithItsOutcomeLetter) {
  Start();
  const std::string id = Submit();
  ASSERT_EQ(Decide(id, R"({"route":"NFA","reason":"The family has moved away."})").status, 200);
  client_->Advance("PT1H");
  Reply authorised =
      Authorise(id, kMorgan, R"({"outcome":"AUTHORISED","note":"Agreed: no role for us."})");
  ASSERT_EQ(authorised.status, 200) << authorised.body;
  EXPECT_EQ(authorised.str("state"), "CLOSED");
  EXPECT_EQ(authorised.str("outcome"), "NFA");
  EXPECT_EQ(authorised.at("decision").at("decided_by"), "sam-patel");
  EXPECT_EQ(authorised.at("authorisation").at("outcome"), "AUTHORISED");
  EXPECT_EQ(authorised.at("authorisation").at("answered_by"), "morgan-lee");
  EXPECT_EQ(authorised.at("authorisation").at("answered_by_actor").at("role"), "manager");
  EXPECT_THAT(LetterKinds(id), ElementsAre("ACKNOWLEDGEMENT", "OUTCOME"));
  Reply letters = client_->Get("/v1/contacts/" + id + "/letters", kMorgan);
  EXPECT_THAT(
      std::string(letters.at("letters").as_array().at(1).at("letter").at("body").as_string()),
      HasSubstr("The family has moved away."));
  auto recorded = EventsOf(id, "AUTHORISATION_RECORDED");
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].at("actor"), "morgan-lee");
  EXPECT_THAT(Worklist("authorisation"), IsEmpty());

  // Nothing waits now: 409, saying so.
  Reply again = Authorise(id, kMorgan, R"({"outcome":"AUTHORISED"})");
  EXPECT_EQ(again.status, 409);
  EXPECT_THAT(again.str("detail"), HasSubstr("not AWAITING_AUTHORISATION"));
  // Only managers answer.
  EXPECT_EQ(Authorise(id, kSam, R"({"outcome":"AUTHORISED"})").status, 403);
}

TEST_F(AuthorisationTest, ReturnedTheContactGoesBackToTriageWithTheNote) {
  Start();
  const std::string id = Submit();
  ASSERT_EQ(Decide(id, R"({"route":"NFA","reason":"The family has moved away."})").status, 200);
  client_->Advance("PT1H");
  Reply bare = Authorise(id, kMorgan, R"({"outcome":"RETURNED"})");
  EXPECT_EQ(bare.status, 400);
  EXPECT_EQ(bare.at("errors").as_array().at(0).at("field"), "note");
  Reply returned = Authorise(
      id, kMorgan, R"({"outcome":"RETURNED","note":"Check with the school before closing."})");
  ASSERT_EQ(returned.status, 200) << returned.body;
  EXPECT_EQ(returned.str("state"), "AWAITING_DECISION");
  EXPECT_EQ(returned.at("authorisation").at("note"), "Check with the school before closing.");
  // A fresh decision timescale: the policy's 24 hours from the return.
  const auto& deadlines = returned.at("deadlines").as_array();
  ASSERT_EQ(deadlines.size(), 1u);
  EXPECT_EQ(deadlines[0].at("name"), "decision");
  EXPECT_EQ(deadlines[0].at("due_at"), "2026-11-25T11:00:00Z");
  EXPECT_THAT(Worklist("triage"), ElementsAre(id));
  EXPECT_THAT(Worklist("authorisation"), IsEmpty());
  auto recorded = EventsOf(id, "AUTHORISATION_RECORDED");
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].at("authorisation_recorded").at("outcome"), "RETURNED");
  EXPECT_EQ(recorded[0].at("authorisation_recorded").at("note"),
            "Check with the school before closing.");
  EXPECT_THAT(LetterKinds(id), ElementsAre("ACKNOWLEDGEMENT"));

  // Sam decides again, as recommended.
  Reply decided = Decide(id, R"({"route":"MASH","rag":"AMBER","reason":"Checks needed."})");
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_EQ(decided.str("state"), "IN_MASH");
}

TEST_F(AuthorisationTest, NobodyAuthorisesTheirOwnDecision) {
  Start();
  const std::string id = Submit();
  ASSERT_EQ(Decide(id, R"({"route":"NFA","reason":"The family has moved away."})").status, 200);
  // Sam is made a manager: the same key name, now with the manager role.
  ASSERT_EQ(server_->Terminate(), 0);
  client_.reset();
  Start("manager");
  Reply own = Authorise(id, kSam, R"({"outcome":"AUTHORISED"})");
  EXPECT_EQ(own.status, 403) << own.body;
  EXPECT_EQ(own.str("type"), "/problems/own-decision");
  EXPECT_THAT(own.str("detail"), HasSubstr("nobody authorises their own decision"));
  EXPECT_EQ(client_->Get("/v1/contacts/" + id, kMorgan).str("state"), "AWAITING_AUTHORISATION");
  // Another manager may.
  EXPECT_EQ(Authorise(id, kMorgan, R"({"outcome":"AUTHORISED"})").status, 200);
}

TEST_F(AuthorisationTest, TheAuthorisationTimescaleBreachesAtFourWorkingHours) {
  Start();
  const std::string id = Submit();
  ASSERT_EQ(Decide(id, R"({"route":"NFA","reason":"The family has moved away."})").status, 200);
  client_->Advance("PT3H59M");
  auto open_breaches = [&] {
    Reply r = client_->Get("/v1/breaches?status=open", kMorgan);
    EXPECT_EQ(r.status, 200) << r.body;
    const auto* list = r.json.as_object().if_contains("breaches");
    return list ? list->as_array().size() : 0u;
  };
  EXPECT_EQ(open_breaches(), 0u);
  Reply breaches;

  EXPECT_EQ(client_->Advance("PT2M").str("now"), "2026-11-24T14:01:00Z");
  breaches = client_->Get("/v1/breaches?status=open", kMorgan);
  ASSERT_EQ(breaches.status, 200);
  const auto& list = breaches.at("breaches").as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("contact_id"), id.c_str());
  EXPECT_EQ(list[0].at("timescale"), "authorisation");
  EXPECT_EQ(list[0].at("due_at"), "2026-11-24T14:00:00Z");
  Reply contact = client_->Get("/v1/contacts/" + id, kMorgan);
  EXPECT_EQ(contact.at("deadlines").as_array().at(0).at("breached"), true);
  EXPECT_EQ(EventsOf(id, "TIMESCALE_BREACHED").size(), 1u);
  Reply metrics = client_->Get("/metrics", "");
  EXPECT_THAT(metrics.body, HasSubstr("frontdoor_open_timescales{timescale=\"authorisation\"} 1"));
  EXPECT_THAT(metrics.body, HasSubstr("frontdoor_contacts{state=\"AWAITING_AUTHORISATION\"} 1"));

  // Authorised late: the breach is resolved.
  ASSERT_EQ(Authorise(id, kMorgan, R"({"outcome":"AUTHORISED"})").status, 200);
  EXPECT_EQ(open_breaches(), 0u);
}

// The letter preview is the letter recording would send, as the server
// writes it, also for a decision that would first wait for a manager; it
// records nothing.
TEST_F(AuthorisationTest, TheLetterPreviewShowsTheOutcomeLetterAndRecordsNothing) {
  Start();
  const std::string id = Submit();
  const size_t events =
      client_->Get("/v1/contacts/" + id + "/events", kMorgan).at("events").as_array().size();
  Reply preview =
      client_->Post("/v1/contacts/" + id + "/letter-preview", kSam,
                    R"({"decision":{"route":"NFA","reason":"The family has moved away."}})");
  ASSERT_EQ(preview.status, 200) << preview.body;
  const auto& letters = preview.at("letters").as_array();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].at("kind"), "OUTCOME");
  EXPECT_THAT(std::string(letters[0].at("body").as_string()),
              HasSubstr("The family has moved away."));
  // MASH sends no letter now.
  Reply mash = client_->Post("/v1/contacts/" + id + "/letter-preview", kSam,
                             R"({"decision":{"route":"MASH","reason":"Checks needed."}})");
  ASSERT_EQ(mash.status, 200) << mash.body;
  EXPECT_THAT(mash.at("letters").as_array(), IsEmpty());
  // Neither or both: 400 naming the decision.
  Reply neither = client_->Post("/v1/contacts/" + id + "/letter-preview", kSam, "{}");
  EXPECT_EQ(neither.status, 400);
  EXPECT_THAT(neither.body, HasSubstr("decision"));
  // Nothing was recorded.
  EXPECT_EQ(client_->Get("/v1/contacts/" + id + "/events", kMorgan).at("events").as_array().size(),
            events);
  EXPECT_EQ(client_->Get("/v1/contacts/" + id, kSam).str("state"), "AWAITING_DECISION");
}

}  // namespace
}  // namespace frontdoor::testing
