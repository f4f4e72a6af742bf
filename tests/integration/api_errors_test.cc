// Bad input gets a clear answer and nothing is stored: each case of the
// issue's list, checked for its status, its problem+json shape and the
// field it names; after each test the server must have stored no contact
// but those the test made on purpose.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

class ApiErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start({WriteConfig(dir_.path()), dir_.path() / "data"});
    ASSERT_NE(server_, nullptr);
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  void TearDown() override {
    if (!client_) return;
    Reply metrics = client_->Get("/metrics", "");
    EXPECT_THAT(metrics.body, HasSubstr("frontdoor_contacts_created_total " +
                                        std::to_string(created_on_purpose_) + "\n"));
    Reply worklist = client_->Get("/v1/worklist?queue=triage", kTriageToken);
    size_t listed = 0;
    if (const auto* contacts = worklist.json.as_object().if_contains("contacts")) {
      listed = contacts->as_array().size();
    }
    EXPECT_LE(listed, static_cast<size_t>(created_on_purpose_));
  }

  // Posts a contact and expects a problem naming `field`.
  void ExpectFieldError(const std::string& body, const std::string& field, int status = 400) {
    Reply r = client_->Post("/v1/contacts", kPartnerToken, body);
    EXPECT_EQ(r.status, status) << r.body;
    ExpectProblem(r);
    std::vector<std::string> fields;
    if (const auto* errors = r.json.as_object().if_contains("errors")) {
      for (const auto& e : errors->as_array())
        fields.emplace_back(e.as_object().at("field").as_string());
    }
    EXPECT_THAT(fields, Contains(field)) << r.body;
  }

  static void ExpectProblem(const Reply& r) {
    EXPECT_EQ(r.headers.at("content-type"), "application/problem+json") << r.body;
    ASSERT_TRUE(r.json.is_object()) << r.body;
    for (const char* key : {"type", "title", "status", "detail"}) {
      EXPECT_TRUE(r.json.as_object().contains(key)) << key << " in " << r.body;
    }
    EXPECT_EQ(r.json.as_object().at("status").as_int64(), r.status);
  }

  static std::string Without(const std::string& field) {
    // ContactJson puts each top-level field on its own "key": value pair.
    std::string body = ContactJson(5);
    size_t start = body.find("\"" + field + "\":");
    size_t end = body.find(",\"", start + 1);
    return body.erase(start, end - start + 1);
  }

  static std::string Replace(std::string body, const std::string& from, const std::string& to) {
    size_t at = body.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return body.replace(at, from.size(), to);
  }

  TempDir dir_{"api-errors"};
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
  int created_on_purpose_ = 0;
};

TEST_F(ApiErrorsTest, MissingConsent) { ExpectFieldError(Without("consent"), "consent"); }

// Unanswered is not "no": the question must be answered either way, and
// the message says so in words.
TEST_F(ApiErrorsTest, ImmediateRiskUnanswered) {
  ExpectFieldError(Without("immediate_risk"), "immediate_risk");
  ExpectFieldError(Replace(ContactJson(5), "\"immediate_risk\": false", "\"immediate_risk\": null"),
                   "immediate_risk");
  Reply r = client_->Post("/v1/contacts", kPartnerToken, Without("immediate_risk"));
  EXPECT_THAT(r.body, HasSubstr("say whether any child is at immediate risk of significant harm"));
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr("bool")));
  // The form's live helper still answers while the question is open.
  Reply dry = client_->Post("/v1/rules/evaluate", kTriageToken, Without("immediate_risk"));
  EXPECT_EQ(dry.status, 200) << dry.body;
}

TEST_F(ApiErrorsTest, ReasonMissingWhereConsentIsNotGiven) {
  ExpectFieldError(Replace(ContactJson(5), R"({"status": "GIVEN"})", R"({"status": "REFUSED"})"),
                   "consent.reason");
  ExpectFieldError(Replace(ContactJson(5), R"({"status": "GIVEN"})", R"({"status": "NOT_SOUGHT"})"),
                   "consent.reason");
}

TEST_F(ApiErrorsTest, NhsNumberFailingModulus11) {
  ExpectFieldError(Replace(ContactJson(5), "\"postcode\": \"CH41 5LH\"",
                           "\"postcode\": \"CH41 5LH\", \"nhs_number\": \"9434765918\""),
                   "children[0].nhs_number");
}

TEST_F(ApiErrorsTest, DateOfBirthInTheFuture) {
  std::string body = Without("children");
  body = Replace(body, "\"concerns\"",
                 R"("children": [{"given_name": "A", "date_of_birth": "2030-01-01"}], "concerns")");
  ExpectFieldError(body, "children[0].date_of_birth");
}

TEST_F(ApiErrorsTest, UnknownField) {
  ExpectFieldError(
      Replace(ContactJson(5), "\"channel\"", "\"favourite_colour\": \"red\", \"channel\""),
      "favourite_colour");
}

TEST_F(ApiErrorsTest, UnknownEnumValue) {
  ExpectFieldError(Replace(ContactJson(5), "\"POLICE\"", "\"CARRIER_PIGEON\""), "source");
}

TEST_F(ApiErrorsTest, NoConcerns) {
  std::string body = Without("concerns");
  ExpectFieldError(Replace(body, "\"immediate_risk\"", "\"concerns\": [], \"immediate_risk\""),
                   "concerns");
}

TEST_F(ApiErrorsTest, NoChildren) {
  ExpectFieldError(Replace(Without("children"), "\"concerns\"", "\"children\": [], \"concerns\""),
                   "children");
}

TEST_F(ApiErrorsTest, MalformedJson) {
  Reply r = client_->Post("/v1/contacts", kPartnerToken, "{\"channel\": ");
  EXPECT_EQ(r.status, 400);
  ExpectProblem(r);
  EXPECT_THAT(r.str("detail"), HasSubstr("not valid JSON"));
}

TEST_F(ApiErrorsTest, WrongContentType) {
  Reply r = client_->Request("POST", "/v1/contacts", kPartnerToken, ContactJson(5),
                             {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.status, 415);
  ExpectProblem(r);
}

TEST_F(ApiErrorsTest, BodyOverTheLimit) {
  std::string huge = ContactJson(5, ", \"what_would_help\": \"" + std::string(2 << 20, 'x') + "\"");
  Reply r = client_->Post("/v1/contacts", kPartnerToken, huge);
  EXPECT_EQ(r.status, 413);
  ExpectProblem(r);
}

// Regression: the server's own problems (a body it would not read) were
// built apart from the API's and lacked Cache-Control: no-store.
TEST_F(ApiErrorsTest, ProblemsFromTheServerAndTheApiAreNeverCached) {
  std::string huge = ContactJson(5, ", \"what_would_help\": \"" + std::string(2 << 20, 'x') + "\"");
  Reply too_large = client_->Post("/v1/contacts", kPartnerToken, huge);
  EXPECT_EQ(too_large.status, 413);
  EXPECT_EQ(too_large.headers["cache-control"], "no-store");
  Reply not_found = client_->Get("/v1/nothing-here", kTriageToken);
  EXPECT_EQ(not_found.status, 404);
  EXPECT_EQ(not_found.headers["cache-control"], "no-store");
}

TEST_F(ApiErrorsTest, UnknownPath) {
  Reply r = client_->Get("/v1/nothing-here", kTriageToken);
  EXPECT_EQ(r.status, 404);
  ExpectProblem(r);
}

TEST_F(ApiErrorsTest, UnknownContact) {
  Reply r = client_->Get("/v1/contacts/FD-99999999", kTriageToken);
  EXPECT_EQ(r.status, 404);
  ExpectProblem(r);
  EXPECT_EQ(client_
                ->Post("/v1/contacts/FD-99999999/decision", kTriageToken,
                       R"({"route":"NFA","reason":"x"})")
                .status,
            404);
}

TEST_F(ApiErrorsTest, WrongMethod) {
  Reply r = client_->Request("DELETE", "/v1/contacts", kTriageToken);
  EXPECT_EQ(r.status, 405);
  ExpectProblem(r);
  EXPECT_EQ(r.headers["allow"], "POST");
}

TEST_F(ApiErrorsTest, WrongRole) {
  Reply r = client_->Post("/v1/contacts", kManagerToken, ContactJson(5));
  EXPECT_EQ(r.status, 403);
  ExpectProblem(r);
  EXPECT_EQ(client_->Get("/v1/breaches", kTriageToken).status, 403);
  EXPECT_EQ(client_->Get("/v1/worklist", kPartnerToken).status, 403);
}

TEST_F(ApiErrorsTest, NoOrBadToken) {
  Reply none = client_->Post("/v1/contacts", "", ContactJson(5));
  EXPECT_EQ(none.status, 401);
  ExpectProblem(none);
  EXPECT_EQ(none.headers["www-authenticate"], "Bearer");
  EXPECT_EQ(client_->Post("/v1/contacts", "not-a-real-token", ContactJson(5)).status, 401);
}

TEST_F(ApiErrorsTest, EveryFieldAtFaultIsNamed) {
  std::string body = Replace(Without("consent"), "\"POLICE\"", "\"NOPE\"");
  body = Replace(body, "\"channel\"", "\"extra\": 1, \"channel\"");
  Reply r = client_->Post("/v1/contacts", kPartnerToken, body);
  ASSERT_EQ(r.status, 400);
  std::vector<std::string> fields;
  for (const auto& e : r.at("errors").as_array())
    fields.emplace_back(e.as_object().at("field").as_string());
  EXPECT_THAT(fields, Contains("source"));
  EXPECT_THAT(fields, Contains("extra"));
}

TEST_F(ApiErrorsTest, DecisionBodiesAreChecked) {
  Reply created = client_->Post("/v1/contacts", kTriageToken, ContactJson(6));
  ASSERT_EQ(created.status, 201);
  created_on_purpose_ = 1;
  const std::string path = "/v1/contacts/" + created.str("id") + "/decision";
  Reply no_reason = client_->Post(path, kTriageToken, R"({"route":"NFA"})");
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_THAT(no_reason.body, HasSubstr("\"field\":\"reason\""));
  Reply rag = client_->Post(path, kTriageToken, R"({"route":"NFA","reason":"x","rag":"RED"})");
  EXPECT_EQ(rag.status, 400);
  EXPECT_THAT(rag.body, HasSubstr("\"field\":\"rag\""));
  EXPECT_EQ(client_
                ->Post("/v1/contacts/" + created.str("id") + "/mash-outcome", kTriageToken,
                       R"({"outcome":"NFA","reason":"x"})")
                .status,
            409);
  EXPECT_EQ(client_->Post(path, kTriageToken, R"({"route":"NFA","reason":"x"})").status, 200);
}

}  // namespace
}  // namespace frontdoor::testing
