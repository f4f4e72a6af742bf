// Inputs nobody thought of, against the real server (issue 11, "Found", the
// low items): a key given twice, names of invisible characters or
// punctuation and NUL inside them, a body with thousands of bad fields,
// page tokens that wrap past int64, EXISTING_CASE without an open case, an
// open case called ".." or with 30,000 children, Expect: 100-continue from
// a caller who may not send the body, and the manual clock past 9000-01-01.
// Each is refused with a 400 (or 401/403) naming what is wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "tests/integration/raw_connection.h"
#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The fields an error answer names, in order.
std::vector<std::string> FieldsOf(const Reply& r) {
  std::vector<std::string> out;
  if (!r.json.is_object() || !r.json.as_object().contains("errors")) return out;
  for (const auto& e : r.at("errors").as_array()) {
    out.emplace_back(e.at("field").as_string());
  }
  return out;
}

class HardeningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start({WriteConfig(dir_.path()), dir_.path() / "data"});
    ASSERT_TRUE(server_);
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  Reply PutCase(const std::string& case_id, const std::string& body) {
    return client_->Request("PUT", "/v1/open-cases/" + case_id, kCaseSystemToken, body,
                            {{"Content-Type", "application/json"}});
  }

  // ContactJson(variant) with its child's given name replaced by `json`, a
  // JSON string literal's inside.
  static std::string WithGivenName(int variant, const std::string& json) {
    std::string body = ContactJson(variant);
    const std::string given = "\"given_name\": \"";
    size_t at = body.find(given) + given.size();
    body.replace(at, body.find('"', at) - at, json);
    return body;
  }

  TempDir dir_{"hardening"};
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(HardeningTest, AKeyGivenTwiceIsRefusedNotTheLastOneWins) {
  Reply r = client_->Post("/v1/contacts", kPartnerToken,
                          ContactJson(1, ", \"immediate_risk\": true"));
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(FieldsOf(r), ::testing::ElementsAre("immediate_risk"));
  // Every JSON body, not only contacts.
  Reply decision = client_->Post("/v1/contacts/FD-00000001/decision", kTriageToken,
                                 R"({"route": "NFA", "reason": "a", "route": "SIGNPOST"})");
  EXPECT_EQ(decision.status, 400) << decision.body;
  EXPECT_THAT(FieldsOf(decision), ::testing::ElementsAre("route"));
  Reply batch = client_->Post(
      "/v1/contacts:batch", kPartnerToken,
      R"({"items": [{"idempotency_key": "k1", "idempotency_key": "k2", "contact": {}}]})");
  // A batch answers for each item: this one's problem names the field.
  ASSERT_EQ(batch.status, 200) << batch.body;
  const auto& item = batch.at("results").as_array()[0];
  EXPECT_EQ(item.at("status").as_int64(), 400) << batch.body;
  EXPECT_EQ(item.at("problem").at("errors").as_array()[0].at("field"), "idempotency_key")
      << batch.body;
  EXPECT_EQ(client_->Get("/v1/contacts/FD-00000001", kTriageToken).status, 404);
}

TEST_F(HardeningTest, NamesNeedALetterAndNoControlCharacters) {
  for (const char* not_a_name :
       {R"(\u00a0\u00a0)", R"(\u3000)", R"(\u200b\u200d)", R"(\u2060)", R"(\ufeff)", "...",
        "?!", R"(Sam\u0000)", R"(Sa\u0007m)"}) {
    Reply r = client_->Post("/v1/contacts", kPartnerToken, WithGivenName(1, not_a_name));
    EXPECT_EQ(r.status, 400) << not_a_name << ": " << r.body;
    EXPECT_THAT(FieldsOf(r), ::testing::ElementsAre("children[0].given_name")) << not_a_name;
  }
  std::string narrative = ContactJson(2);
  narrative.replace(narrative.find("Synthetic narrative"), 9, R"(Synth\u0000)");
  Reply nul_narrative = client_->Post("/v1/contacts", kPartnerToken, narrative);
  EXPECT_EQ(nul_narrative.status, 400) << nul_narrative.body;
  EXPECT_THAT(FieldsOf(nul_narrative), ::testing::ElementsAre("narrative"));
  // Real names in other scripts are names.
  Reply ok = client_->Post("/v1/contacts", kPartnerToken, WithGivenName(1, "Ōkawa 李"));
  EXPECT_EQ(ok.status, 201) << ok.body;
}

TEST_F(HardeningTest, ThousandsOfBadFieldsGetAShortAnswer) {
  std::string children;
  for (int i = 0; i < 12'000; ++i) {
    if (i > 0) children += ',';
    children += R"({"nhs_number": 5, "sex": "QQ", "given_name": "Child )" + std::to_string(i) +
                "\"}";
  }
  std::string body = ContactJson(1);
  const std::string list = "\"children\": [";
  size_t at = body.find(list) + list.size();
  body.replace(at, body.find(']', at) - at, children);
  ASSERT_GT(body.size(), 500'000u);
  Reply r = client_->Post("/v1/contacts", kPartnerToken, body);
  ASSERT_EQ(r.status, 400) << r.body.substr(0, 400);
  EXPECT_LT(r.body.size(), 32'000u);
  EXPECT_EQ(r.at("errors").as_array().size(), 100u);
  EXPECT_EQ(r.at("more_errors").as_int64(), 24'000 - 100);
  EXPECT_EQ(r.at("errors").as_array()[0].at("field"), "children[0].nhs_number");
}

TEST_F(HardeningTest, PageTokensThatWrapAreRefused) {
  const std::string huge = "18446744073709551615";
  const std::string past_9999 = "9223372036854775807";
  struct Case {
    std::string target;
    const char* token;
  };
  const Case cases[] = {
      {"/v1/checks?agency=POLICE&page_token=" + huge + ":x", kTriageToken},
      {"/v1/checks?agency=POLICE&page_token=" + past_9999 + ":x", kTriageToken},
      {"/v1/worklist?page_token=0:" + huge + ":FD-00000001", kTriageToken},
      {"/v1/worklist?page_token=0:" + past_9999 + ":FD-00000001", kTriageToken},
      {"/v1/breaches?status=all&page_token=" + past_9999 + ":FD-00000001:decision",
       kManagerToken},
      {"/v1/letters?page_token=" + past_9999 + ":FD-00000001-2", kTriageToken},
      {"/v1/audit?actor=ifd-triage&page_token=" + past_9999 + ":1", kAdminToken},
  };
  for (const Case& c : cases) {
    Reply r = client_->Get(c.target, c.token);
    EXPECT_EQ(r.status, 400) << c.target << ": " << r.body;
    EXPECT_THAT(FieldsOf(r), ::testing::Contains("page_token")) << c.target << ": " << r.body;
  }
  EXPECT_EQ(client_->Get("/healthz", "").status, 200);
}

TEST_F(HardeningTest, ExistingCaseNeedsAnOpenCase) {
  // Alex Sample (ContactJson(7)) arrives with no open case: triage waits.
  Reply created = client_->Post("/v1/contacts", kTriageToken, ContactJson(7));
  ASSERT_EQ(created.status, 201) << created.body;
  ASSERT_EQ(created.str("state"), "AWAITING_DECISION");
  const std::string decide = "/v1/contacts/" + created.str("id") + "/decision";
  const std::string existing = R"({"route": "EXISTING_CASE", "reason": "Known to a team."})";
  Reply refused = client_->Post(decide, kTriageToken, existing);
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_THAT(FieldsOf(refused), ::testing::ElementsAre("route"));
  EXPECT_EQ(client_->Get("/v1/contacts/" + created.str("id"), kTriageToken).str("state"),
            "AWAITING_DECISION");

  // A case opened since the contact arrived counts.
  ASSERT_EQ(PutCase("CASE-9", R"({"team": "CIN Team 3", "children": [{"given_name": "Alex",
              "family_name": "Sample", "date_of_birth": "2017-08-17"}]})")
                .status,
            200);
  Reply decided = client_->Post(decide, kTriageToken, existing);
  ASSERT_EQ(decided.status, 200) << decided.body;
  if (decided.str("state") == "CLOSED") {
    EXPECT_EQ(decided.str("outcome"), "EXISTING_CASE");
    EXPECT_EQ(decided.at("decision").at("team"), "CIN Team 3");
  } else {
    EXPECT_EQ(decided.str("state"), "AWAITING_AUTHORISATION") << decided.body;
  }
}

TEST_F(HardeningTest, OpenCaseIdsOfDotsAndHugeCasesAreRefused) {
  const std::string child = R"({"nhs_number": "9434765919"})";
  const std::string one = R"({"team": "CP Team", "children": [)" + child + "]}";
  for (const char* id : {"..", "%2e%2e", ".", "-1"}) {
    Reply r = PutCase(id, one);
    EXPECT_EQ(r.status, 400) << id << ": " << r.body;
    EXPECT_THAT(FieldsOf(r), ::testing::ElementsAre("case_id")) << id;
  }
  std::string many = R"({"team": "CP Team", "children": [)";
  for (int i = 0; i < 30'000; ++i) many += (i > 0 ? "," : "") + child;
  many += "]}";
  Reply huge = PutCase("CASE-1", many);
  EXPECT_EQ(huge.status, 400) << huge.body.substr(0, 400);
  EXPECT_THAT(FieldsOf(huge), ::testing::ElementsAre("children"));
  EXPECT_EQ(PutCase("CASE-1", one).status, 200);
}

TEST_F(HardeningTest, ExpectContinueIsAnsweredOnlyAfterAuthentication) {
  const std::string body = ContactJson(3);
  auto head = [&](const std::string& authorization) {
    return "POST /v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
           authorization + "Content-Length: " + std::to_string(body.size()) +
           "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n";
  };
  {
    RawConnection raw(server_->port());
    raw.Send(head(""));
    std::string got = raw.Read();
    EXPECT_THAT(got, StartsWith("HTTP/1.1 401"));
    EXPECT_THAT(got, Not(HasSubstr("100 Continue")));
  }
  {
    RawConnection raw(server_->port());
    raw.Send(head("Authorization: Bearer " + std::string(kAdminToken) + "\r\n"));
    std::string got = raw.Read();
    EXPECT_THAT(got, StartsWith("HTTP/1.1 403"));
    EXPECT_THAT(got, Not(HasSubstr("100 Continue")));
  }
  {
    RawConnection raw(server_->port());
    raw.Send(head("Authorization: Bearer " + std::string(kPartnerToken) + "\r\n"));
    EXPECT_THAT(raw.Read("\r\n\r\n"), StartsWith("HTTP/1.1 100 Continue"));
    raw.Send(body);
    EXPECT_THAT(raw.Read(), HasSubstr("HTTP/1.1 201"));
  }
  // Nothing was stored for the refused two.
  EXPECT_EQ(client_->Get("/v1/contacts/FD-00000001", kTriageToken).status, 200);
  EXPECT_EQ(client_->Get("/v1/contacts/FD-00000002", kTriageToken).status, 404);
}

TEST_F(HardeningTest, TheClockStopsShortOfTheYear9000) {
  auto clock = [&](const std::string& body) {
    return client_->Post("/v1/admin/clock", kAdminToken, body);
  };
  Reply set_late = clock(R"({"set": "9000-01-01T00:00:01Z"})");
  EXPECT_EQ(set_late.status, 400) << set_late.body;
  EXPECT_THAT(FieldsOf(set_late), ::testing::ElementsAre("set"));
  Reply set_9999 = clock(R"({"set": "9999-12-31T23:59:59Z"})");
  EXPECT_EQ(set_9999.status, 400) << set_9999.body;
  EXPECT_THAT(FieldsOf(set_9999), ::testing::ElementsAre("set"));
  for (const char* by : {"P11574074D", "P2700000D"}) {
    Reply advance = clock(std::string(R"({"advance": ")") + by + "\"}");
    EXPECT_EQ(advance.status, 400) << by << ": " << advance.body;
    EXPECT_THAT(FieldsOf(advance), ::testing::ElementsAre("advance")) << by;
  }
  // The clock did not move, and can still go to the last moment allowed.
  Reply now = clock(R"({"advance": "PT0S"})");
  ASSERT_EQ(now.status, 200) << now.body;
  EXPECT_EQ(now.str("now"), "2026-11-24T10:00:00Z");
  Reply last = clock(R"({"set": "9000-01-01T00:00:00Z"})");
  EXPECT_EQ(last.status, 200) << last.body;
  EXPECT_EQ(client_->Get("/healthz", "").status, 200);
}

}  // namespace
}  // namespace frontdoor::testing
