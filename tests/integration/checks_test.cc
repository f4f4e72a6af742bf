// MASH checks and RAG re-rating through the real server: checks asked on
// entering MASH with due times by RAG, an agency's key lists and answers its
// own checks only, MASH staff record a phone answer or "not needed", an
// overdue check raises CHECK_OVERDUE once and an emitted chaser, a MASH
// outcome with checks unanswered needs a reason, and a new RAG moves the
// MASH deadline and is in the history.
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kPoliceChecks[] = "police-checks-token-for-tests";
constexpr char kGpChecks[] = "gp-checks-token-for-tests";

// The test config with two agency keys added.
std::filesystem::path ConfigWithAgencies(const std::filesystem::path& dir) {
  auto path = WriteConfig(dir);
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  std::string config = text.str();
  const std::string head = "api_keys:\n";
  config.insert(config.find(head) + head.size(),
                std::string("  - {name: police-mash-desk, role: partner, token: \"") +
                    kPoliceChecks + "\", organisation: example-police, agency: POLICE}\n" +
                    "  - {name: gp-practice, role: partner, token: \"" + kGpChecks +
                    "\", organisation: example-surgery, agency: HEALTH_GP}\n");
  std::ofstream(path, std::ios::trunc) << config;
  return path;
}

std::vector<std::string> EventTypes(HttpClient& client, const std::string& id) {
  Reply r = client.Get("/v1/contacts/" + id + "/events", kTriageToken);
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<std::string> out;
  for (const auto& e : r.at("events").as_array()) {
    out.emplace_back(e.as_object().at("type").as_string());
  }
  return out;
}

int Count(const std::vector<std::string>& types, const std::string& type) {
  return static_cast<int>(std::count(types.begin(), types.end(), type));
}

class ChecksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start({ConfigWithAgencies(dir_.path()), dir_.path() / "data"});
    ASSERT_TRUE(server_);
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  // A school's contact (the school's key has no agency), decided to MASH at
  // `rag` on Tuesday 24 November 2026 at 10:00.
  std::string IntoMash(const std::string& rag) {
    Reply created = client_->Post("/v1/contacts", kOtherPartnerToken, ContactJson(0));
    EXPECT_EQ(created.status, 201) << created.body;
    const std::string id = created.str("id");
    Reply decided = client_->Post(
        "/v1/contacts/" + id + "/decision", kTriageToken,
        R"({"route":"MASH","rag":")" + rag + R"(","reason":"Needs multi-agency checks."})");
    EXPECT_EQ(decided.status, 200) << decided.body;
    return id;
  }

  Reply Checks(const std::string& token, const std::string& query) {
    return client_->Get("/v1/checks" + query, token);
  }

  TempDir dir_{"checks"};
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ChecksTest, EnteringMashAsksEachAgencyByTheRag) {
  const std::string id = IntoMash("AMBER");
  Reply staff = client_->Get("/v1/contacts/" + id, kTriageToken);
  ASSERT_EQ(staff.status, 200);
  const auto& checks = staff.at("checks").as_array();
  ASSERT_EQ(checks.size(), 3u);
  std::vector<std::string> agencies;
  for (const auto& c : checks) {
    agencies.emplace_back(c.as_object().at("agency").as_string());
    EXPECT_EQ(c.as_object().at("state"), "REQUESTED");
    // Amber: 12 working hours from Tuesday 10:00.
    EXPECT_EQ(c.as_object().at("due_at"), "2026-11-25T14:00:00Z");
  }
  EXPECT_THAT(agencies, ElementsAre("POLICE", "HEALTH_GP", "SCHOOLS"));
  EXPECT_EQ(Count(EventTypes(*client_, id), "CHECK_REQUESTED"), 3);

  // Red work: checks within 2 working hours.
  const std::string red = IntoMash("RED");
  Reply r = client_->Get("/v1/contacts/" + red, kTriageToken);
  EXPECT_EQ(r.at("checks").as_array().at(0).at("due_at"), "2026-11-24T12:00:00Z");

  // The referrer's own view shows no checks.
  Reply partner = client_->Get("/v1/contacts/" + id, kOtherPartnerToken);
  ASSERT_EQ(partner.status, 200);
  EXPECT_EQ(partner.json.as_object().if_contains("checks"), nullptr);
}

TEST_F(ChecksTest, AnAgencyListsAndAnswersOnlyItsOwnChecks) {
  const std::string id = IntoMash("AMBER");
  Reply list = Checks(kPoliceChecks, "?state=REQUESTED");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto& rows = list.at("checks").as_array();
  ASSERT_EQ(rows.size(), 1u);
  const auto& row = rows[0].as_object();
  EXPECT_EQ(row.at("contact_id"), id.c_str());
  EXPECT_EQ(row.at("rag"), "AMBER");
  EXPECT_EQ(row.at("check").at("agency"), "POLICE");
  // Only what the agency needs to find the family.
  const auto& child = row.at("children").as_array().at(0).as_object();
  EXPECT_EQ(child.at("given_name"), "Sam");
  EXPECT_EQ(child.at("postcode"), "CH41 5LH");
  EXPECT_FALSE(child.contains("sex"));
  EXPECT_EQ(list.body.find("narrative"), std::string::npos);
  EXPECT_EQ(list.body.find("Synthetic"), std::string::npos);
  EXPECT_EQ(list.body.find("NEGLECT"), std::string::npos);

  // A partner without an agency sees no checks; staff name the agency.
  EXPECT_EQ(Checks(kOtherPartnerToken, "").status, 403);
  EXPECT_EQ(Checks(kPoliceChecks, "?agency=HEALTH_GP").status, 403);
  Reply no_agency = Checks(kTriageToken, "");
  ASSERT_EQ(no_agency.status, 400);
  EXPECT_EQ(no_agency.at("errors").as_array().at(0).at("field"), "agency");
  EXPECT_EQ(Checks(kPoliceChecks, "?state=LATE").status, 400);
  Reply gp = Checks(kTriageToken, "?agency=HEALTH_GP");
  ASSERT_EQ(gp.status, 200);
  EXPECT_EQ(gp.at("checks").as_array().size(), 1u);

  const std::string answer = R"({"summary":"One call-out to the address in 2025.",)"
                             R"("risk_indicated":true})";
  const std::string path = "/v1/contacts/" + id + "/checks/";
  EXPECT_EQ(client_->Post(path + "POLICE", kGpChecks, answer).status, 403);
  EXPECT_EQ(client_->Post(path + "POLICE", kOtherPartnerToken, answer).status, 403);
  EXPECT_EQ(client_->Post("/v1/contacts/FD-09999999/checks/POLICE", kPoliceChecks, answer).status,
            404);
  Reply missing = client_->Post(path + "POLICE", kPoliceChecks, R"({"summary":"x"})");
  ASSERT_EQ(missing.status, 400);
  EXPECT_EQ(missing.at("errors").as_array().at(0).at("field"), "risk_indicated");

  Reply answered = client_->Post(path + "POLICE", kPoliceChecks, answer);
  ASSERT_EQ(answered.status, 200) << answered.body;
  EXPECT_EQ(answered.str("state"), "ANSWERED");
  EXPECT_EQ(client_->Post(path + "POLICE", kPoliceChecks, answer).status, 409);

  EXPECT_THAT(Checks(kPoliceChecks, "?state=REQUESTED").json.as_object().at("checks").as_array(),
              IsEmpty());
  Reply done = Checks(kPoliceChecks, "?state=ANSWERED");
  ASSERT_EQ(done.at("checks").as_array().size(), 1u);
  // Staff see the answer; the history has it.
  Reply staff = Checks(kTriageToken, "?agency=POLICE&state=ANSWERED");
  EXPECT_EQ(staff.at("checks").as_array().at(0).at("check").at("summary"),
            "One call-out to the address in 2025.");
  EXPECT_EQ(Count(EventTypes(*client_, id), "CHECK_ANSWERED"), 1);
  Reply contact = client_->Get("/v1/contacts/" + id, kTriageToken);
  const auto& police = contact.at("checks").as_array().at(0).as_object();
  EXPECT_EQ(police.at("risk_indicated"), true);
  EXPECT_EQ(police.at("answered_by"), "police-mash-desk");

  // The agency's list is a read of the children's details: audited.
  Reply audit = client_->Get("/v1/contacts/" + id + "/audit", kManagerToken);
  ASSERT_EQ(audit.status, 200);
  bool read_by_police = false;
  for (const auto& e : audit.at("entries").as_array()) {
    const auto& entry = e.as_object();
    if (entry.at("kind") == "READ" && entry.at("actor").at("id") == "police-mash-desk") {
      read_by_police = true;
    }
  }
  EXPECT_TRUE(read_by_police);
}

TEST_F(ChecksTest, StaffRecordAPhoneAnswerOrMarkACheckNotNeeded) {
  const std::string id = IntoMash("GREEN");
  const std::string path = "/v1/contacts/" + id + "/checks/";
  Reply no_from = client_->Post(path + "HEALTH_GP", kTriageToken,
                                R"({"summary":"Registered, no concerns.","risk_indicated":false})");
  ASSERT_EQ(no_from.status, 400);
  EXPECT_EQ(no_from.at("errors").as_array().at(0).at("field"), "reason");
  Reply phoned = client_->Post(path + "HEALTH_GP", kTriageToken,
                               R"({"summary":"Registered, no concerns.","risk_indicated":false,)"
                               R"("reason":"By phone from the practice manager"})");
  ASSERT_EQ(phoned.status, 200) << phoned.body;
  EXPECT_EQ(phoned.at("checks").as_array().at(1).at("state"), "ANSWERED");
  EXPECT_EQ(phoned.at("checks").as_array().at(1).at("answered_by"), "ifd-triage");

  Reply no_reason = client_->Post(path + "SCHOOLS", kTriageToken, R"({"state":"NOT_NEEDED"})");
  ASSERT_EQ(no_reason.status, 400);
  EXPECT_EQ(no_reason.at("errors").as_array().at(0).at("field"), "reason");
  Reply not_needed =
      client_->Post(path + "SCHOOLS", kTriageToken,
                    R"({"state":"NOT_NEEDED","reason":"The school made the contact."})");
  ASSERT_EQ(not_needed.status, 200) << not_needed.body;
  EXPECT_EQ(not_needed.at("checks").as_array().at(2).at("state"), "NOT_NEEDED");
  EXPECT_EQ(client_->Post(path + "HOUSING", kTriageToken, R"({"state":"NOT_NEEDED","reason":"x"})")
                .status,
            404);
  EXPECT_EQ(Count(EventTypes(*client_, id), "CHECK_ANSWERED"), 2);
}

TEST_F(ChecksTest, AnOverdueCheckIsChasedOnceAndTheOutcomeNeedsAReason) {
  const std::string id = IntoMash("AMBER");
  client_->Advance("PT28H");  // Wednesday 14:00: the checks' due time
  EXPECT_EQ(Count(EventTypes(*client_, id), "CHECK_OVERDUE"), 3);
  client_->Advance("P1D");
  EXPECT_EQ(Count(EventTypes(*client_, id), "CHECK_OVERDUE"), 3);
  Reply contact = client_->Get("/v1/contacts/" + id, kTriageToken);
  EXPECT_EQ(contact.at("checks").as_array().at(0).at("overdue"), true);

  // The chaser leaves the building: the agency, the contact and the due
  // time, nothing of the children.
  int chasers = 0;
  for (const auto& e : ReadJsonFiles(dir_.path() / "data/spool/events")) {
    if (e.as_object().at("type") != "org.frontdoor.check.overdue") continue;
    ++chasers;
    EXPECT_EQ(e.as_object().at("subject"), id.c_str());
    EXPECT_EQ(e.as_object().at("data").at("due_at"), "2026-11-25T14:00:00Z");
    EXPECT_EQ(e.as_object().at("data").as_object().size(), 3u);  // contact_id, agency, due_at
    if (e.as_object().at("data").at("agency") == "POLICE") {
      EXPECT_EQ(e.as_object().at("data").at("contact_id"), id.c_str());
    }
  }
  EXPECT_EQ(chasers, 3);

  ASSERT_EQ(client_
                ->Post("/v1/contacts/" + id + "/checks/POLICE", kPoliceChecks,
                       R"({"summary":"Nothing known.","risk_indicated":false})")
                .status,
            200);
  const std::string outcome = R"({"outcome":"EARLY_HELP","reason":"Family agreed to early help.")";
  Reply refused =
      client_->Post("/v1/contacts/" + id + "/mash-outcome", kTriageToken, outcome + "}");
  ASSERT_EQ(refused.status, 400) << refused.body;
  const auto& error = refused.at("errors").as_array().at(0).as_object();
  EXPECT_EQ(error.at("field"), "unanswered_checks_reason");
  EXPECT_THAT(std::string(error.at("message").as_string()),
              HasSubstr("HEALTH_GP and SCHOOLS have not answered"));
  Reply closed = client_->Post(
      "/v1/contacts/" + id + "/mash-outcome", kTriageToken,
      outcome + R"(,"unanswered_checks_reason":"Enough is known to offer early help."})");
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(closed.str("state"), "CLOSED");
  EXPECT_EQ(closed.at("checks").as_array().at(1).at("state"), "NOT_NEEDED");
  // Nothing waits on the GP any more; a late answer is refused.
  EXPECT_THAT(Checks(kGpChecks, "?state=REQUESTED").at("checks").as_array(), IsEmpty());
  EXPECT_EQ(Checks(kGpChecks, "?state=NOT_NEEDED").at("checks").as_array().size(), 1u);
  EXPECT_EQ(client_
                ->Post("/v1/contacts/" + id + "/checks/HEALTH_GP", kGpChecks,
                       R"({"summary":"Late.","risk_indicated":false})")
                .status,
            409);
}

TEST_F(ChecksTest, ARagChangeMovesTheMashDeadlineAndIsInTheHistory) {
  const std::string id = IntoMash("AMBER");
  const std::string path = "/v1/contacts/" + id + "/rag";
  client_->Advance("PT1H");
  EXPECT_EQ(client_->Post(path, kPoliceChecks, R"({"rag":"RED","reason":"x"})").status, 403);
  Reply same = client_->Post(path, kTriageToken, R"({"rag":"AMBER"})");
  ASSERT_EQ(same.status, 400);
  std::vector<std::string> fields;
  for (const auto& e : same.at("errors").as_array()) {
    fields.emplace_back(e.as_object().at("field").as_string());
  }
  EXPECT_THAT(fields, ElementsAre("rag", "reason"));

  Reply changed = client_->Post(path, kTriageToken,
                                R"({"rag":"RED","reason":"Police report the father is back."})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.at("mash").at("rag"), "RED");
  // Red: 4 working hours from entering MASH at 10:00; checks within 2.
  EXPECT_EQ(changed.at("deadlines").as_array().at(0).at("due_at"), "2026-11-24T14:00:00Z");
  EXPECT_EQ(changed.at("checks").as_array().at(0).at("due_at"), "2026-11-24T12:00:00Z");
  Reply worklist = client_->Get("/v1/worklist?queue=mash", kTriageToken);
  ASSERT_EQ(worklist.at("contacts").as_array().size(), 1u);

  Reply events = client_->Get("/v1/contacts/" + id + "/events", kTriageToken);
  const boost::json::object* rag_changed = nullptr;
  for (const auto& e : events.at("events").as_array()) {
    if (e.as_object().at("type") == "RAG_CHANGED") rag_changed = &e.as_object();
  }
  ASSERT_NE(rag_changed, nullptr);
  EXPECT_EQ(rag_changed->at("rag_changed").at("from"), "AMBER");
  EXPECT_EQ(rag_changed->at("rag_changed").at("to"), "RED");
  EXPECT_EQ(rag_changed->at("rag_changed").at("reason"), "Police report the father is back.");
  EXPECT_EQ(rag_changed->at("actor"), "ifd-triage");

  // The moved deadline breaches when it comes, once.
  client_->Advance("PT3H");
  std::vector<std::string> types = EventTypes(*client_, id);
  EXPECT_EQ(Count(types, "TIMESCALE_BREACHED"), 1);
  EXPECT_EQ(Count(types, "CHECK_OVERDUE"), 3);
  client_->Advance("P4D");
  EXPECT_EQ(Count(EventTypes(*client_, id), "TIMESCALE_BREACHED"), 1);

  // Closed work is not re-rated.
  ASSERT_EQ(client_
                ->Post("/v1/contacts/" + id + "/mash-outcome", kTriageToken,
                       R"({"outcome":"NFA","reason":"x","unanswered_checks_reason":"y"})")
                .status,
            200);
  EXPECT_EQ(client_->Post(path, kTriageToken, R"({"rag":"GREEN","reason":"x"})").status, 409);
}

}  // namespace
}  // namespace frontdoor::testing
