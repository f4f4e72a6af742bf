// The read audit against the real binary: a key's read of a contact is in
// the contact's audit (with the key's name and the peer address) and in
// the key's own audit, as JSON and CSV; only managers and admins may look;
// every route that shows a child's data records its read (a table over
// the routes) and the others do not; a read answered before kill -9 is
// still recorded after the restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A JSON string's text; empty for anything else.
std::string Text(const boost::json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : std::string();
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = WriteConfig(dir_.path());
    server_ = ServerProcess::Start({config_, dir_.path() / "data"});
    ASSERT_TRUE(server_);
    client_ = std::make_unique<HttpClient>(server_->port());
    Reply r = client_->Post("/v1/contacts", kPartnerToken, ContactJson(1));
    ASSERT_EQ(r.status, 201) << r.body;
    id_ = r.str("id");
  }

  // The key's rows, oldest first.
  boost::json::array RowsOf(const std::string& actor) {
    Reply r = client_->Get("/v1/audit?actor=" + actor + "&limit=1000", kAdminToken);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    return r.at("records").as_array();
  }

  TempDir dir_{"audit"};
  std::filesystem::path config_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
  std::string id_;
};

TEST_F(AuditTest, AKeysReadIsInTheContactsAuditAndInTheKeysOwn) {
  ASSERT_EQ(client_->Get("/v1/contacts/" + id_, kTriageToken).status, 200);

  Reply audit = client_->Get("/v1/contacts/" + id_ + "/audit", kManagerToken);
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_EQ(audit.str("contact_id"), id_);
  std::vector<std::string> lines;
  const boost::json::object* read = nullptr;
  for (const auto& v : audit.at("entries").as_array()) {
    const auto& e = v.as_object();
    std::string who = e.contains("actor") ? std::string(e.at("actor").at("id").as_string()) : "";
    lines.push_back(std::string(e.at("kind").as_string()) + " " + who);
    if (e.at("kind") == "READ") read = &e;
  }
  // Oldest first: the partner's submission (and the timescale it started),
  // then the triage key's read.
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "CHANGE merseyside-police");
  EXPECT_EQ(lines.back(), "READ ifd-triage");
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->at("actor").at("name"), "ifd-triage");
  EXPECT_EQ(read->at("actor").at("kind"), "KEY");
  EXPECT_EQ(read->at("actor").at("role"), "triage");
  EXPECT_EQ(read->at("peer"), "127.0.0.1");
  EXPECT_EQ(read->at("read"), "CONTACT");
  EXPECT_EQ(Text(read->at("path")), "/v1/contacts/" + id_);

  auto rows = RowsOf("ifd-triage");
  ASSERT_EQ(rows.size(), 1u);
  const auto& row = rows[0].as_object();
  EXPECT_EQ(row.at("what"), "CONTACT");
  EXPECT_EQ(row.at("method"), "GET");
  EXPECT_EQ(Text(row.at("contact_ids").as_array().at(0)), id_);
  EXPECT_TRUE(row.contains("at"));

  Reply csv = client_->Get("/v1/audit?actor=ifd-triage&format=csv", kAdminToken);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_THAT(csv.headers["content-type"], HasSubstr("text/csv"));
  EXPECT_THAT(csv.body, HasSubstr("seq,at,actor_kind,actor_id"));
  EXPECT_THAT(csv.body, HasSubstr(",KEY,ifd-triage,ifd-triage,triage,"));
  EXPECT_THAT(csv.body, HasSubstr(",127.0.0.1,CONTACT,GET,/v1/contacts/" + id_ + "," + id_));
}

TEST_F(AuditTest, ReadingTheAuditIsRecordedToo) {
  ASSERT_EQ(client_->Get("/v1/contacts/" + id_ + "/audit", kManagerToken).status, 200);
  Reply again = client_->Get("/v1/contacts/" + id_ + "/audit", kAdminToken);
  ASSERT_EQ(again.status, 200);
  const auto& last = again.at("entries").as_array().back().as_object();
  EXPECT_EQ(last.at("read"), "AUDIT");
  EXPECT_EQ(last.at("actor").at("id"), "ifd-manager");

  ASSERT_EQ(RowsOf("ifd-triage").size(), 0u);
  auto own = RowsOf("ops");
  // The contact's audit, then the first look at ifd-triage's.
  ASSERT_EQ(own.size(), 2u);
  EXPECT_EQ(own[1].at("what"), "AUDIT");
  EXPECT_EQ(own[1].at("about_actor"), "ifd-triage");
}

TEST_F(AuditTest, OnlyManagersAndAdminsMayReadTheAudit) {
  for (const char* token : {kPartnerToken, kTriageToken, kCaseSystemToken}) {
    EXPECT_EQ(client_->Get("/v1/contacts/" + id_ + "/audit", token).status, 403) << token;
    EXPECT_EQ(client_->Get("/v1/audit?actor=ifd-triage", token).status, 403) << token;
  }
  EXPECT_EQ(client_->Get("/v1/audit?actor=ifd-triage", kManagerToken).status, 403);
  EXPECT_EQ(client_->Get("/v1/contacts/" + id_ + "/audit", kAdminToken).status, 200);
  EXPECT_EQ(client_->Get("/v1/contacts/FD-NOPE/audit", kManagerToken).status, 404);
  // No way to change or remove a row.
  EXPECT_EQ(client_->Request("DELETE", "/v1/audit?actor=ifd-triage", kAdminToken).status, 405);
  EXPECT_EQ(client_->Post("/v1/contacts/" + id_ + "/audit", kAdminToken, "{}").status, 405);
}

TEST_F(AuditTest, BadQueriesNameTheField) {
  Reply none = client_->Get("/v1/audit", kAdminToken);
  EXPECT_EQ(none.status, 400);
  EXPECT_THAT(none.body, HasSubstr("\"actor\""));
  Reply bad = client_->Get("/v1/audit?actor=x&from=yesterday&to=2026-13-40", kAdminToken);
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("\"from\""));
  EXPECT_THAT(bad.body, HasSubstr("\"to\""));
  Reply backwards = client_->Get("/v1/audit?actor=x&from=2026-11-25&to=2026-11-24", kAdminToken);
  EXPECT_EQ(backwards.status, 400);
  EXPECT_THAT(backwards.body, HasSubstr("\"to\""));
  EXPECT_EQ(client_->Get("/v1/audit?actor=x&page_token=zz", kAdminToken).status, 400);
  EXPECT_EQ(client_->Get("/v1/audit?actor=x&format=xml", kAdminToken).status, 400);
}

TEST_F(AuditTest, RangesAreRealTimeAndPagesReadOn) {
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(client_->Get("/v1/contacts/" + id_, kTriageToken).status, 200);
  // `at` is the real time, not the manual clock's 2026-11-24.
  Reply old = client_->Get("/v1/audit?actor=ifd-triage&from=2000-01-01&to=2000-12-31", kAdminToken);
  ASSERT_EQ(old.status, 200);
  EXPECT_TRUE(old.at("records").as_array().empty());
  Reply all = client_->Get("/v1/audit?actor=ifd-triage&from=2000-01-01T00:00:00Z", kAdminToken);
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.at("records").as_array().size(), 3u);

  Reply first = client_->Get("/v1/audit?actor=ifd-triage&limit=2", kAdminToken);
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(first.at("records").as_array().size(), 2u);
  std::string token = first.str("next_page_token");
  ASSERT_FALSE(token.empty());
  Reply second =
      client_->Get("/v1/audit?actor=ifd-triage&limit=2&page_token=" + token, kAdminToken);
  ASSERT_EQ(second.status, 200);
  ASSERT_EQ(second.at("records").as_array().size(), 1u);
  EXPECT_TRUE(second.str("next_page_token").empty());
  std::vector<std::string> seqs;
  for (const auto* page : {&first, &second}) {
    for (const auto& r : page->at("records").as_array()) {
      seqs.push_back(std::string(r.at("seq").as_string()));
    }
  }
  EXPECT_LT(std::stoull(seqs[0]), std::stoull(seqs[1]));
  EXPECT_LT(std::stoull(seqs[1]), std::stoull(seqs[2]));
}

// Every route that shows a child's data records one row, with its kind;
// the others record nothing.
TEST_F(AuditTest, EveryReadOfAChildsDataAppendsARow) {
  struct Case {
    std::string method, target, token, actor, what;
    std::string body = "";
  };
  const std::vector<Case> reads = {
      {"GET", "/v1/contacts/" + id_, kPartnerToken, "merseyside-police", "CONTACT"},
      {"GET", "/v1/contacts/" + id_, kTriageToken, "ifd-triage", "CONTACT"},
      {"GET", "/v1/contacts/" + id_, kManagerToken, "ifd-manager", "CONTACT"},
      {"GET", "/v1/contacts/" + id_ + "/events", kTriageToken, "ifd-triage", "EVENTS"},
      {"GET", "/v1/contacts/" + id_ + "/letters", kManagerToken, "ifd-manager", "LETTERS"},
      {"GET", "/v1/worklist?queue=triage", kTriageToken, "ifd-triage", "WORKLIST"},
      {"GET", "/v1/exports/annex-a/contacts?from=2026-11-24&to=2026-11-24", kManagerToken,
       "ifd-manager", "EXPORT"},
      {"POST", "/v1/rules/evaluate", kTriageToken, "ifd-triage", "DRY_RUN", ContactJson(2)},
      {"GET", "/v1/contacts/" + id_ + "/audit", kManagerToken, "ifd-manager", "AUDIT"},
  };
  for (const Case& c : reads) {
    size_t before = RowsOf(c.actor).size();
    std::map<std::string, std::string> headers;
    if (!c.body.empty()) headers["Content-Type"] = "application/json";
    Reply r = client_->Request(c.method, c.target, c.token, c.body, headers);
    ASSERT_EQ(r.status, 200) << c.target << " " << r.body;
    auto rows = RowsOf(c.actor);
    ASSERT_EQ(rows.size(), before + 1) << c.method << " " << c.target;
    EXPECT_EQ(Text(rows.back().at("what")), c.what) << c.target;
    std::string path = c.target.substr(0, c.target.find('?'));
    EXPECT_EQ(Text(rows.back().at("path")), path) << c.target;
    if (c.what == "WORKLIST") {
      EXPECT_THAT(rows.back().at("contact_ids").as_array(), ElementsAre(boost::json::value(id_)));
    }
    if (c.what == "EXPORT") {
      EXPECT_EQ(rows.back().at("child_ids").as_array().size(), 1u);
    }
  }

  const std::vector<Case> others = {
      {"GET", "/healthz", "", "", ""},
      {"GET", "/v1/whoami", kTriageToken, "ifd-triage", ""},
      {"GET", "/v1/breaches", kManagerToken, "ifd-manager", ""},
      {"GET", "/v1/indicators?from=2026-11-24&to=2026-11-24", kManagerToken, "ifd-manager", ""},
      {"POST", "/v1/rules/evaluate", kPartnerToken, "merseyside-police", "", ContactJson(3)},
  };
  for (const Case& c : others) {
    size_t before = c.actor.empty() ? 0 : RowsOf(c.actor).size();
    std::map<std::string, std::string> headers;
    if (!c.body.empty()) headers["Content-Type"] = "application/json";
    Reply r = client_->Request(c.method, c.target, c.token, c.body, headers);
    ASSERT_EQ(r.status, 200) << c.target << " " << r.body;
    if (!c.actor.empty()) {
      EXPECT_EQ(RowsOf(c.actor).size(), before) << c.target;
    }
  }
}

TEST_F(AuditTest, AReadAnsweredBeforeKillIsRecordedAfterTheRestart) {
  ASSERT_EQ(client_->Get("/v1/contacts/" + id_ + "/events", kTriageToken).status, 200);
  client_.reset();
  server_->Kill();
  server_ = ServerProcess::Start({config_, dir_.path() / "data"});
  ASSERT_TRUE(server_);
  client_ = std::make_unique<HttpClient>(server_->port());
  auto rows = RowsOf("ifd-triage");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("what"), "EVENTS");
  EXPECT_EQ(rows[0].at("seq"), "1");
  // Numbering carries on after the restart.
  ASSERT_EQ(client_->Get("/v1/contacts/" + id_, kTriageToken).status, 200);
  rows = RowsOf("ifd-triage");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].at("seq"), "3");  // 2 is ops' first look at the audit
}

}  // namespace
}  // namespace frontdoor::testing
