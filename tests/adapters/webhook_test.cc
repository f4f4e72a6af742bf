// Webhook signing against the Standard Webhooks specification's published
// example, and what a WebhookChannel takes and sends: event types, the
// organisation's own contacts and its agency's checks, letters stripped for
// any subscription but the referrer's own, and never a narrative.
#include "adapters/sinks/webhook.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/sinks/webhook_signature.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/v1/codes.pb.h"
#include "tests/support/temp_dir.h"

namespace frontdoor {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
// and its libraries' shared test vector.
constexpr char kSpecSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kSpecId[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kSpecTimestamp = 1614265330;
constexpr char kSpecBody[] = R"({"test": 2432232314})";
constexpr char kSpecSignature[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(WebhookSignatureTest, MatchesTheSpecificationsExample) {
  auto key = DecodeWebhookSecret(kSpecSecret);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->size(), 24u);
  EXPECT_EQ(SignWebhook(*key, kSpecId, kSpecTimestamp, kSpecBody), kSpecSignature);
  // A changed byte anywhere changes the signature.
  EXPECT_NE(SignWebhook(*key, kSpecId, kSpecTimestamp + 1, kSpecBody), kSpecSignature);
  EXPECT_NE(SignWebhook(*key, kSpecId, kSpecTimestamp, R"({"test": 2432232315})"),
            kSpecSignature);
}

TEST(WebhookSignatureTest, OneSignaturePerSecretDuringARotation) {
  auto first = DecodeWebhookSecret(kSpecSecret);
  auto second = DecodeWebhookSecret("whsec_c2Vjb25kIGtleQ==");  // "second key"
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*second, "second key");
  const std::string header =
      WebhookSignatureHeader({*first, *second}, kSpecId, kSpecTimestamp, kSpecBody);
  EXPECT_EQ(header, std::string(kSpecSignature) + " " +
                        SignWebhook(*second, kSpecId, kSpecTimestamp, kSpecBody));
}

TEST(WebhookSignatureTest, BadSecretsAreRefused) {
  EXPECT_FALSE(DecodeWebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").ok());
  EXPECT_FALSE(DecodeWebhookSecret("whsec_").ok());
  EXPECT_FALSE(DecodeWebhookSecret("whsec_abc").ok());
  EXPECT_FALSE(DecodeWebhookSecret("whsec_ab*d").ok());
  EXPECT_TRUE(DecodeWebhookSecret("whsec_YQ==").ok());
}

class WebhookChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(scratch_.path() / "store");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    // c-police was sent by police-a; c-school by a school.
    Store::Batch batch = store_->NewBatch();
    v1::ContactRecord police;
    police.mutable_contact()->set_id("c-police");
    police.mutable_contact()->set_submitted_by("police-cms");
    police.mutable_contact()->set_submitted_by_organisation("police-a");
    batch.PutContact(police);
    v1::ContactRecord school;
    school.mutable_contact()->set_id("c-school");
    school.mutable_contact()->set_submitted_by("school-portal");
    school.mutable_contact()->set_submitted_by_organisation("school-b");
    batch.PutContact(school);
    ASSERT_TRUE(store_->Commit(batch).ok());
  }

  WebhookChannel Channel(std::vector<std::string> events, std::string organisation,
                         std::vector<int> agencies = {}) {
    return WebhookChannel(SubscriptionConfig{.name = "sub",
                                             .url = "http://127.0.0.1:1/hook",
                                             .secrets = {kSpecSecret},
                                             .events = std::move(events),
                                             .organisation = std::move(organisation),
                                             .ca_file = {},
                                             .timeout = std::chrono::milliseconds(1000)},
                          std::move(agencies), *store_, clock_);
  }

  static v1::Event Decided(const std::string& contact) {
    v1::Event e;
    e.set_id(contact + "-3");
    e.set_contact_id(contact);
    e.mutable_decision_recorded()->mutable_decision()->set_route(v1::Route::EARLY_HELP);
    e.mutable_decision_recorded()->mutable_decision()->set_reason("staff's own words");
    return e;
  }
  static v1::Event CheckRequested(const std::string& contact, v1::Source::Code agency) {
    v1::Event e;
    e.set_id(contact + "-4");
    e.set_contact_id(contact);
    e.mutable_check_requested()->set_agency(agency);
    return e;
  }
  static v1::Event Letter(const std::string& contact) {
    v1::Event e;
    e.set_id(contact + "-5");
    e.set_contact_id(contact);
    v1::Letter& letter = *e.mutable_letter_issued()->mutable_letter();
    letter.set_id(contact + "-ack");
    letter.set_contact_id(contact);
    letter.set_kind(v1::LetterKind::ACKNOWLEDGEMENT);
    letter.set_recipient_name("Sergeant Example");
    letter.set_recipient_organisation("Example Police");
    letter.set_email("sergeant@police.example");
    letter.set_phone("01000 000000");
    letter.set_subject("Your contact to the Front Door");
    letter.set_body("Dear Sergeant Example, thank you.");
    return e;
  }
  static v1::Event Received(const std::string& contact, const std::string& organisation) {
    v1::Event e;
    e.set_id(contact + "-1");
    e.set_contact_id(contact);
    e.mutable_contact_received()->set_submitted_by_organisation(organisation);
    e.mutable_contact_received()->mutable_submission()->set_narrative("the narrative itself");
    return e;
  }

  testing::TempDir scratch_;
  std::unique_ptr<Store> store_;
  ManualClock clock_{TimePoint(Millis(1'614'265'330'000))};
};

TEST_F(WebhookChannelTest, TakesItsEventTypesOnly) {
  WebhookChannel all = Channel({}, "");
  EXPECT_TRUE(all.Wants(Decided("c-police")));
  EXPECT_TRUE(all.Wants(Letter("c-school")));
  v1::Event nothing;  // not one that leaves the building
  nothing.set_contact_id("c-police");
  nothing.mutable_timescale_started();
  EXPECT_FALSE(all.Wants(nothing));
  WebhookChannel decided = Channel({"org.frontdoor.contact.decided"}, "");
  EXPECT_TRUE(decided.Wants(Decided("c-police")));
  EXPECT_FALSE(decided.Wants(Letter("c-police")));
  EXPECT_FALSE(decided.Wants(CheckRequested("c-police", v1::Source::POLICE)));
}

TEST_F(WebhookChannelTest, AnOrganisationHearsOfItsOwnContactsAndItsAgencysChecks) {
  WebhookChannel police = Channel({}, "police-a", {v1::Source::POLICE});
  EXPECT_TRUE(police.Wants(Decided("c-police")));
  EXPECT_FALSE(police.Wants(Decided("c-school")));
  EXPECT_FALSE(police.Wants(Decided("c-unknown")));
  EXPECT_TRUE(police.Wants(Letter("c-police")));
  EXPECT_FALSE(police.Wants(Letter("c-school")));
  EXPECT_TRUE(police.Wants(Received("c-new", "police-a")));
  EXPECT_FALSE(police.Wants(Received("c-new", "school-b")));
  // Checks go by the agency asked, whoever sent the contact.
  EXPECT_TRUE(police.Wants(CheckRequested("c-school", v1::Source::POLICE)));
  EXPECT_FALSE(police.Wants(CheckRequested("c-police", v1::Source::HEALTH_GP)));
}

TEST_F(WebhookChannelTest, LettersGoWholeOnlyToTheReferrersOrganisation) {
  const std::string own = Channel({}, "police-a").BodyFor(Letter("c-police"));
  EXPECT_THAT(own, HasSubstr("Sergeant Example"));
  EXPECT_THAT(own, HasSubstr("sergeant@police.example"));
  EXPECT_THAT(own, HasSubstr("thank you"));
  const std::string other = Channel({}, "").BodyFor(Letter("c-police"));
  EXPECT_THAT(other, HasSubstr("\"c-police-ack\""));
  EXPECT_THAT(other, HasSubstr("ACKNOWLEDGEMENT"));
  for (const char* personal :
       {"Sergeant Example", "sergeant@police.example", "01000 000000", "thank you"}) {
    EXPECT_THAT(other, Not(HasSubstr(personal))) << personal;
  }
}

TEST_F(WebhookChannelTest, NoNarrativeAndNoStaffWords) {
  WebhookChannel all = Channel({}, "");
  EXPECT_THAT(all.BodyFor(Received("c-police", "police-a")), Not(HasSubstr("narrative itself")));
  const std::string decided = all.BodyFor(Decided("c-police"));
  EXPECT_THAT(decided, Not(HasSubstr("staff's own words")));
  EXPECT_THAT(decided, HasSubstr("EARLY_HELP"));
}

TEST(SubscriptionViewTest, ShowsTheSettingsButNeverTheSecrets) {
  v1::Subscription view = SubscriptionView(
      SubscriptionConfig{.name = "police-cms",
                         .url = "https://cms.police.example/events",
                         .secrets = {kSpecSecret, "whsec_YQ=="},
                         .events = {"org.frontdoor.contact.decided"},
                         .organisation = "police-a",
                         .ca_file = {},
                         .timeout = std::chrono::milliseconds(1000)});
  EXPECT_EQ(view.name(), "police-cms");
  EXPECT_EQ(view.url(), "https://cms.police.example/events");
  EXPECT_EQ(view.secrets(), 2u);
  EXPECT_EQ(view.organisation(), "police-a");
  ASSERT_EQ(view.events_size(), 1);
  EXPECT_THAT(view.DebugString(), Not(HasSubstr("MfKQ9r8G")));
  EXPECT_FALSE(SubscriptionView(SubscriptionConfig{.name = "all",
                                                   .url = "https://x.example",
                                                   .secrets = {kSpecSecret},
                                                   .events = {},
                                                   .organisation = "",
                                                   .ca_file = {},
                                                   .timeout = std::chrono::milliseconds(1000)})
                   .has_organisation());
}

TEST_F(WebhookChannelTest, AConnectionRefusedIsRetried) {
  // Port 1 on loopback: nobody listens.
  WebhookChannel channel = Channel({}, "");
  ASSERT_TRUE(channel.Open().ok());
  v1::Delivery delivery;
  *delivery.mutable_event() = Decided("c-police");
  SendResult result = channel.Send(delivery);
  EXPECT_EQ(result.kind, SendResult::Kind::kRetry);
  EXPECT_FALSE(result.error.empty());
}

}  // namespace
}  // namespace frontdoor
