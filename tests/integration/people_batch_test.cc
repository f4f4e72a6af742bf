// Who the child is, linked contacts and batches through the real server:
// placeholder NHS numbers are refused in words (contacts and open cases);
// an NHS number alone does not pass a contact about another child to the
// first child's team (issue 9's scenario); a second contact about a child
// with an open contact is linked to it and both show it on the worklist;
// POST /v1/contacts:batch answers every item in order, a bad one storing
// nothing, with per-item idempotency, 500 items at most.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;

std::string WithNhs(std::string contact, const std::string& nhs) {
  const std::string sex = R"("sex": "U")";
  contact.replace(contact.find(sex), sex.size(), sex + R"(, "nhs_number": ")" + nhs + "\"");
  return contact;
}

std::vector<std::string> Strings(const boost::json::value& list) {
  std::vector<std::string> out;
  for (const auto& v : list.as_array()) out.emplace_back(v.as_string());
  return out;
}

std::vector<std::string> LinkedOf(const boost::json::value& contact) {
  const auto& o = contact.as_object();
  return o.contains("linked_contacts") ? Strings(o.at("linked_contacts"))
                                       : std::vector<std::string>{};
}

std::string Item(const std::string& key, const std::string& contact) {
  return R"({"idempotency_key":")" + key + R"(","contact":)" + contact + "}";
}

std::string Batch(const std::vector<std::string>& items) {
  std::string out = R"({"items":[)";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out + "]}";
}

class PeopleBatchTest : public ::testing::Test {
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

  const boost::json::value* Row(const std::string& id) {
    rows_ = client_->Get("/v1/worklist?queue=triage", kTriageToken);
    EXPECT_EQ(rows_.status, 200) << rows_.body;
    for (const auto& row : rows_.at("contacts").as_array()) {
      if (row.at("id").as_string() == id) return &row;
    }
    return nullptr;
  }

  TempDir dir_{"people-batch"};
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
  Reply rows_;
};

TEST_F(PeopleBatchTest, PlaceholderNhsNumbersAreRefusedInPlainWords) {
  for (const char* placeholder : {"0000000000", "1111111111", "9999999999", "9990000018"}) {
    Reply r = client_->Post("/v1/contacts", kPartnerToken, WithNhs(ContactJson(1), placeholder));
    ASSERT_EQ(r.status, 400) << placeholder << r.body;
    const auto& error = r.at("errors").as_array().at(0);
    EXPECT_EQ(error.at("field"), "children[0].nhs_number");
    EXPECT_THAT(std::string(error.at("message").as_string()),
                HasSubstr("is not a real NHS number"));
    Reply put = PutCase("CASE-P", R"({"team":"Team 1","children":[{"nhs_number":")" +
                                      std::string(placeholder) + R"("}]})");
    ASSERT_EQ(put.status, 400) << put.body;
    EXPECT_EQ(put.at("errors").as_array().at(0).at("field"), "children[0].nhs_number");
  }
  Reply all_same =
      client_->Post("/v1/contacts", kPartnerToken, WithNhs(ContactJson(1), "0000000000"));
  EXPECT_THAT(all_same.body, HasSubstr("every digit is the same"));
  // Nothing was stored, and a real-looking number is still accepted.
  EXPECT_EQ(
      client_->Post("/v1/contacts", kPartnerToken, WithNhs(ContactJson(1), "4010232137")).status,
      201);
}

// Issue 9: after the case system records an open case for one child, a
// contact about a different child (other name, other date of birth) with
// the same NHS number was closed at once as EXISTING_CASE for the first
// child's team.
TEST_F(PeopleBatchTest, AnNhsNumberAloneDoesNotPassAnotherChildToAnOpenCasesTeam) {
  ASSERT_EQ(
      PutCase(
          "CASE-17",
          R"({"team":"Children in Need Team 2","children":[{"given_name":"Alex","family_name":"Sample","date_of_birth":"2017-08-17","nhs_number":"4010232137"}]})")
          .status,
      200);
  // ContactJson(0): Sam Example, born 2010-01-10.
  Reply other = client_->Post("/v1/contacts", kTriageToken, WithNhs(ContactJson(0), "4010232137"));
  ASSERT_EQ(other.status, 201) << other.body;
  EXPECT_EQ(other.str("state"), "AWAITING_DECISION");
  EXPECT_FALSE(other.json.as_object().contains("decision"));
  EXPECT_FALSE(other.at("prior").as_object().contains("open_case"));
  ASSERT_EQ(other.at("identity_reviews").as_array().size(), 1u);
  const auto& review = other.at("identity_reviews").as_array().at(0);
  EXPECT_FALSE(review.as_object().contains("child"));  // child 0: the default
  EXPECT_THAT(std::string(review.at("reason").as_string()), HasSubstr("different date of birth"));
  EXPECT_NE(Strings(other.at("person_ids")).at(0),
            std::string(review.at("matched_person_id").as_string()));
  // The worklist row shows it.
  const boost::json::value* row = Row(other.str("id"));
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->at("identity_reviews").as_array().size(), 1u);

  // The child the case is for still goes to its team.
  Reply theirs = client_->Post("/v1/contacts", kTriageToken, WithNhs(ContactJson(7), "4010232137"));
  ASSERT_EQ(theirs.status, 201) << theirs.body;
  EXPECT_EQ(theirs.str("outcome"), "EXISTING_CASE");
  EXPECT_FALSE(theirs.json.as_object().contains("identity_reviews"));
}

TEST_F(PeopleBatchTest, ASecondContactAboutAChildIsLinkedAndShownTogether) {
  Reply first = client_->Post("/v1/contacts", kPartnerToken, ContactJson(3));
  ASSERT_EQ(first.status, 201);
  Reply second = client_->Post("/v1/contacts", kTriageToken, ContactJson(3));
  ASSERT_EQ(second.status, 201);
  const std::string a = first.str("id"), b = second.str("id");
  EXPECT_EQ(LinkedOf(second.json), std::vector<std::string>{a});
  Reply older = client_->Get("/v1/contacts/" + a, kTriageToken);
  EXPECT_EQ(LinkedOf(older.json), std::vector<std::string>{b});
  // Partners do not see the link.
  EXPECT_FALSE(first.json.as_object().contains("linked_contacts"));
  Reply events = client_->Get("/v1/contacts/" + a + "/events", kTriageToken);
  const auto& last = events.at("events").as_array().back();
  EXPECT_EQ(last.at("type"), "CONTACT_LINKED");
  EXPECT_EQ(std::string(last.at("contact_linked").at("linked_contact_id").as_string()), b);
  // Each row carries the other's id.
  ASSERT_NE(Row(a), nullptr);
  EXPECT_EQ(LinkedOf(*Row(a)), std::vector<std::string>{b});
  EXPECT_EQ(LinkedOf(*Row(b)), std::vector<std::string>{a});

  // Deciding one leaves the other open, and its history says what happened.
  ASSERT_EQ(client_
                ->Post("/v1/contacts/" + b + "/decision", kTriageToken,
                       R"({"route":"NFA","reason":"The earlier contact covers this."})")
                .status,
            200);
  // No further action below the recommendation waits for a manager; the
  // linked contact hears once it takes effect.
  ASSERT_EQ(client_
                ->Post("/v1/contacts/" + b + "/authorisation", kManagerToken,
                       R"({"outcome":"AUTHORISED","note":"Agreed: one contact is enough."})")
                .status,
            200);
  EXPECT_EQ(client_->Get("/v1/contacts/" + a, kTriageToken).str("state"), "AWAITING_DECISION");
  Reply after = client_->Get("/v1/contacts/" + a + "/events", kTriageToken);
  const auto& note = after.at("events").as_array().back();
  EXPECT_EQ(note.at("type"), "CONTACT_LINKED");
  EXPECT_EQ(std::string(note.at("contact_linked").at("linked_contact_id").as_string()), b);
  EXPECT_EQ(note.at("contact_linked").at("linked_route"), "NFA");
}

TEST_F(PeopleBatchTest, ABatchAnswersEveryItemInOrderAndABadOneStoresNothing) {
  std::string no_channel = ContactJson(2);
  const std::string channel = R"("channel": "PARTNER_API",)";
  no_channel.replace(no_channel.find(channel), channel.size(), "");
  std::string bad_type = ContactJson(4);
  const std::string risk = R"("immediate_risk": false)";
  bad_type.replace(bad_type.find(risk), risk.size(), R"("immediate_risk": "no")");
  const std::string body = Batch({Item("k-1", ContactJson(1)), Item("k-2", no_channel),
                                  Item("k-3", ContactJson(3)), Item("k-4", bad_type)});
  Reply r = client_->Post("/v1/contacts:batch", kPartnerToken, body);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto& results = r.at("results").as_array();
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].at("status").as_int64(), 201);
  EXPECT_EQ(results[0].at("contact").at("external_ref"), "REF-1");
  EXPECT_EQ(results[1].at("status").as_int64(), 400);
  EXPECT_EQ(results[1].at("problem").at("errors").as_array().at(0).at("field"), "channel");
  EXPECT_EQ(results[2].at("status").as_int64(), 201);
  EXPECT_EQ(results[2].at("contact").at("external_ref"), "REF-3");
  EXPECT_EQ(results[3].at("status").as_int64(), 400);
  EXPECT_EQ(results[3].at("problem").at("errors").as_array().at(0).at("field"), "immediate_risk");
  // The partner view: no narrative, no recommendation.
  EXPECT_FALSE(results[0].at("contact").as_object().contains("narrative"));
  EXPECT_FALSE(results[0].at("contact").as_object().contains("recommendation"));
  const std::string id1 = std::string(results[0].at("contact").at("id").as_string());
  const std::string id3 = std::string(results[2].at("contact").at("id").as_string());
  EXPECT_EQ(client_->Get("/v1/contacts/" + id1, kPartnerToken).status, 200);
  Reply rows = client_->Get("/v1/worklist?queue=triage", kTriageToken);
  EXPECT_EQ(rows.at("contacts").as_array().size(), 2u);

  // The same items again: the first answers replayed, the bad still 400.
  Reply again = client_->Post("/v1/contacts:batch", kPartnerToken, body);
  ASSERT_EQ(again.status, 200);
  const auto& replayed = again.at("results").as_array();
  EXPECT_EQ(replayed[0].at("status").as_int64(), 200);
  EXPECT_EQ(std::string(replayed[0].at("contact").at("id").as_string()), id1);
  EXPECT_EQ(replayed[1].at("status").as_int64(), 400);
  EXPECT_EQ(std::string(replayed[2].at("contact").at("id").as_string()), id3);
  // A key reused with another contact: 409 in that item only.
  Reply reuse = client_->Post("/v1/contacts:batch", kPartnerToken,
                              Batch({Item("k-1", ContactJson(5)), Item("k-5", ContactJson(5))}));
  ASSERT_EQ(reuse.status, 200);
  EXPECT_EQ(reuse.at("results").as_array()[0].at("status").as_int64(), 409);
  EXPECT_EQ(reuse.at("results").as_array()[1].at("status").as_int64(), 201);
  EXPECT_EQ(
      client_->Get("/v1/worklist?queue=triage", kTriageToken).at("contacts").as_array().size(), 3u);
}

TEST_F(PeopleBatchTest, FiveHundredItemsAtMostAndAtLeastOne) {
  Reply empty = client_->Post("/v1/contacts:batch", kPartnerToken, R"({"items":[]})");
  ASSERT_EQ(empty.status, 400);
  EXPECT_EQ(empty.at("errors").as_array().at(0).at("field"), "items");
  std::vector<std::string> items;
  for (int i = 0; i < 501; ++i) items.push_back(Item("n-" + std::to_string(i), ContactJson(i)));
  Reply too_many = client_->Post("/v1/contacts:batch", kPartnerToken, Batch(items));
  ASSERT_EQ(too_many.status, 400) << too_many.body.substr(0, 300);
  EXPECT_EQ(too_many.at("errors").as_array().at(0).at("field"), "items");
  EXPECT_THAT(too_many.body, HasSubstr("at most 500"));
  EXPECT_EQ(
      client_->Get("/v1/worklist?queue=triage", kTriageToken).at("contacts").as_array().size(), 0u);

  // 500 items commit and are all answered; their size is what a partner
  // needs (reported, so docs/api.md can say it).
  items.pop_back();
  const std::string body = Batch(items);
  Reply full = client_->Post("/v1/contacts:batch", kTriageToken, body);
  ASSERT_EQ(full.status, 200) << full.body.substr(0, 300);
  const auto& results = full.at("results").as_array();
  ASSERT_EQ(results.size(), 500u);
  for (const auto& result : results) EXPECT_EQ(result.at("status").as_int64(), 201);
  EXPECT_EQ(results[499].at("contact").at("external_ref"), "REF-499");
  std::printf("500 items: request %zu bytes, answer %zu bytes\n", body.size(), full.body.size());
}

TEST_F(PeopleBatchTest, ABatchMayBeLargerThanOneContactsBodyLimit) {
  // 500 contacts with 2,500-character narratives: about 1.6 MB, over the
  // 1 MiB a single request may carry, under the batch path's 8 MiB.
  std::vector<std::string> items;
  const std::string padding(2500, 'x');
  for (int i = 0; i < 500; ++i) {
    std::string contact = ContactJson(i);
    const std::string at = "Synthetic narrative number ";
    contact.insert(contact.find(at) + at.size(), padding);
    items.push_back(Item("big-" + std::to_string(i), contact));
  }
  const std::string body = Batch(items);
  ASSERT_GT(body.size(), 1u << 20);
  Reply r = client_->Post("/v1/contacts:batch", kPartnerToken, body);
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(r.at("results").as_array().size(), 500u);
  // A single contact that large is still refused.
  std::string one = ContactJson(1);
  one.insert(one.find("Synthetic narrative number ") + 27, std::string(1100000, 'x'));
  EXPECT_EQ(client_->Post("/v1/contacts", kPartnerToken, one).status, 413);
}

TEST_F(PeopleBatchTest, TheBatchPathSitsBesideContactIds) {
  EXPECT_EQ(client_->Get("/v1/contacts:batch", kTriageToken).status, 405);
  Reply created = client_->Post("/v1/contacts", kTriageToken, ContactJson(1));
  ASSERT_EQ(created.status, 201);
  EXPECT_EQ(client_->Get("/v1/contacts/" + created.str("id"), kTriageToken).status, 200);
  EXPECT_EQ(client_->Post("/v1/contacts:batch", kManagerToken, R"({"items":[]})").status, 403);
}

}  // namespace
}  // namespace frontdoor::testing
