// The email channel's parts without a server: the HTML made from a letter
// (escaped), the SMTP message (headers, both parts, Message-ID from the
// letter id), the Notify key, token and body as Notify's documentation
// says, and how the channel turns each delivery state into a letter state
// (with a fake transport and a real store).
#include "adapters/sinks/email.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <jwt.h>
#include <openssl/evp.h>

#include "adapters/sinks/notify.h"
#include "adapters/sinks/smtp.h"
#include "boost/json.hpp"
#include "frontdoor/proto_time.h"
#include "tests/support/temp_dir.h"

namespace frontdoor {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using State = v1::LetterDeliveryState;

const TimePoint kIssued{Millis(1795514400000)};

v1::Letter Letter(std::string email = "head@school.example") {
  v1::Letter l;
  l.set_id("FD-00000042-2");
  l.set_contact_id("FD-00000042");
  l.set_kind(v1::LetterKind::ACKNOWLEDGEMENT);
  *l.mutable_issued_at() = ToProto(kIssued);
  l.set_recipient_name("Pat Head");
  l.set_email(std::move(email));
  l.set_subject("Contact FD-00000042 received – É.E.");
  l.set_body("Dear Pat Head,\n\nWe received <your> contact about É.E. & S.E.\nThank you.");
  return l;
}

std::string Unbase64(std::string_view lines) {
  std::string joined;
  for (char c : lines) {
    if (c != '\r' && c != '\n') joined.push_back(c);
  }
  std::string out(joined.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(joined.data()),
                          static_cast<int>(joined.size()));
  size_t pad = 0;
  while (pad < joined.size() && joined[joined.size() - 1 - pad] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

TEST(LetterHtml, EscapesEverythingAndKeepsParagraphs) {
  std::string html = LetterHtml(Letter());
  EXPECT_THAT(html, HasSubstr("<p>Dear Pat Head,</p>\n<p>We received &lt;your&gt; contact about "
                              "É.E. &amp; S.E.<br>\nThank you.</p>"));
  EXPECT_THAT(html, Not(HasSubstr("<your>")));
  v1::Letter script = Letter();
  script.set_body("<script>alert('x')</script>");
  EXPECT_THAT(LetterHtml(script), HasSubstr("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
}

TEST(SmtpMessage, HasBothPartsAndAStableMessageId) {
  std::string m = SmtpMessage(Letter(), "Front Door <frontdoor@council.example>",
                              "Tue, 01 Dec 2026 10:00:00 +0000", "b1");
  EXPECT_THAT(m, HasSubstr("From: Front Door <frontdoor@council.example>\r\n"));
  EXPECT_THAT(m, HasSubstr("To: <head@school.example>\r\n"));
  EXPECT_THAT(m, HasSubstr("Message-ID: <FD-00000042-2@council.example>\r\n"));
  EXPECT_THAT(m, HasSubstr("Content-Type: multipart/alternative; boundary=\"b1\"\r\n"));
  EXPECT_THAT(m, HasSubstr("Subject: =?UTF-8?B?"));  // not ASCII: encoded words
  size_t plain = m.find("Content-Type: text/plain; charset=utf-8\r\n"
                        "Content-Transfer-Encoding: base64\r\n\r\n");
  size_t html = m.find("Content-Type: text/html; charset=utf-8\r\n"
                       "Content-Transfer-Encoding: base64\r\n\r\n");
  ASSERT_NE(plain, std::string::npos);
  ASSERT_NE(html, std::string::npos);
  size_t plain_body = m.find("\r\n\r\n", plain) + 4;
  std::string plain_b64 = m.substr(plain_body, m.find("--b1", plain_body) - plain_body);
  EXPECT_EQ(Unbase64(plain_b64), Letter().body());
  size_t html_body = m.find("\r\n\r\n", html) + 4;
  std::string html_b64 = m.substr(html_body, m.find("--b1--", html_body) - html_body);
  EXPECT_EQ(Unbase64(html_b64), LetterHtml(Letter()));
  EXPECT_THAT(m, HasSubstr("\r\n--b1--\r\n"));
  for (size_t at = 0; (at = m.find('\n', at + 1)) != std::string::npos;) {
    ASSERT_EQ(m[at - 1], '\r') << "bare LF at " << at;
  }
}

TEST(SmtpMessage, AddressOfTakesWhatIsBetweenTheBrackets) {
  EXPECT_EQ(AddressOf("Front Door <fd@council.example>"), "fd@council.example");
  EXPECT_EQ(AddressOf("fd@council.example"), "fd@council.example");
}

constexpr char kServiceId[] = "26785a09-ab16-4eb0-8407-a37497a57506";
constexpr char kSecret[] = "3d844edf-8d35-48ac-975b-e847b4f122b0";

TEST(Notify, KeyIsReadFromTheEnd) {
  auto key = ParseNotifyKey(std::string("my-test-key-") + kServiceId + "-" + kSecret);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->service_id, kServiceId);
  EXPECT_EQ(key->secret, kSecret);
  EXPECT_FALSE(ParseNotifyKey("not-a-key").ok());
  EXPECT_FALSE(ParseNotifyKey(std::string("k-") + kServiceId + "-" + "x" + (kSecret + 1)).ok());
}

TEST(Notify, TokenIsHs256WithIssAndIat) {
  NotifyKey key{.service_id = kServiceId, .secret = kSecret};
  auto token = NotifyToken(key, kIssued);
  ASSERT_TRUE(token.ok()) << token.status();
  jwt_t* jwt = nullptr;
  ASSERT_EQ(jwt_decode(&jwt, token->c_str(), reinterpret_cast<const unsigned char*>(kSecret),
                       static_cast<int>(sizeof kSecret - 1)),
            0);
  EXPECT_EQ(jwt_get_alg(jwt), JWT_ALG_HS256);
  EXPECT_STREQ(jwt_get_grant(jwt, "iss"), kServiceId);
  EXPECT_EQ(jwt_get_grant_int(jwt, "iat"), 1795514400);
  jwt_free(jwt);
  // Another secret does not verify it.
  jwt_t* wrong = nullptr;
  EXPECT_NE(jwt_decode(&wrong, token->c_str(), reinterpret_cast<const unsigned char*>("x"), 1), 0);
  if (wrong != nullptr) jwt_free(wrong);
}

TEST(Notify, BodyIsWhatNotifyAsksFor) {
  boost::json::value body = boost::json::parse(NotifyRequestBody(Letter(), "tmpl-1"));
  EXPECT_EQ(body, boost::json::parse(R"({
    "email_address": "head@school.example",
    "template_id": "tmpl-1",
    "personalisation": {"subject": "Contact FD-00000042 received – É.E.",
                        "body": "Dear Pat Head,\n\nWe received <your> contact about É.E. & S.E.\nThank you."},
    "reference": "FD-00000042-2"})"));
}

// A transport that answers as told and remembers what it was given.
class FakeTransport final : public LetterTransport {
 public:
  explicit FakeTransport(SendResult answer) : answer_(std::move(answer)) {}
  std::string_view name() const override { return "smtp"; }
  SendResult Send(const v1::Letter& letter) override {
    sent.push_back(letter.id());
    return answer_;
  }
  std::vector<std::string> sent;

 private:
  SendResult answer_;
};

v1::Delivery DeliveryOf(const v1::Letter& letter, v1::DeliveryState::Code state,
                        uint32_t attempts = 1) {
  v1::Delivery d;
  d.set_id("email:7");
  d.set_channel("email");
  d.set_seq(7);
  d.set_state(state);
  d.set_attempts(attempts);
  *d.mutable_event()->mutable_letter_issued()->mutable_letter() = letter;
  return d;
}

class EmailChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Store::Open(dir_.path() / "db");
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    book_ = std::make_unique<LetterBook>(*store_);
  }
  State::Code StateOf(const std::string& id) {
    auto got = book_->Get(id);
    return got.ok() && got->has_value() ? (*got)->state() : State::LETTER_DELIVERY_STATE_UNSPECIFIED;
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LetterBook> book_;
  ManualClock clock_{kIssued};
};

TEST_F(EmailChannelTest, WantsLettersOnly) {
  EmailChannel channel(*book_, clock_, nullptr);
  v1::Event letter;
  *letter.mutable_letter_issued()->mutable_letter() = Letter();
  v1::Event other;
  other.mutable_contact_closed();
  EXPECT_TRUE(channel.Wants(letter));
  EXPECT_FALSE(channel.Wants(other));
  EXPECT_EQ(channel.name(), "email");
}

TEST_F(EmailChannelTest, ALetterWithNoAddressIsNotAttemptedAndGoesToPost) {
  auto fake = std::make_unique<FakeTransport>(
      SendResult{.kind = SendResult::Kind::kDelivered, .error = {}, .reference = "x"});
  FakeTransport* transport = fake.get();
  EmailChannel channel(*book_, clock_, std::move(fake));
  v1::Letter letter = Letter("");
  EXPECT_EQ(channel.Send(DeliveryOf(letter, v1::DeliveryState::QUEUED)).kind,
            SendResult::Kind::kDelivered);
  EXPECT_TRUE(transport->sent.empty());
  channel.Settled(DeliveryOf(letter, v1::DeliveryState::DELIVERED));
  EXPECT_EQ(StateOf(letter.id()), State::TO_POST);
  EXPECT_EQ(book_->ToPost(10, "")->letters_size(), 1);
}

TEST_F(EmailChannelTest, SentRetryingAndDeadBecomeLetterStates) {
  auto fake = std::make_unique<FakeTransport>(
      SendResult{.kind = SendResult::Kind::kRetry, .error = "smtp 451", .reference = {}});
  FakeTransport* transport = fake.get();
  EmailChannel channel(*book_, clock_, std::move(fake));
  v1::Letter letter = Letter();
  EXPECT_EQ(channel.Send(DeliveryOf(letter, v1::DeliveryState::QUEUED)).kind,
            SendResult::Kind::kRetry);
  EXPECT_EQ(transport->sent.size(), 1u);
  v1::Delivery retrying = DeliveryOf(letter, v1::DeliveryState::RETRYING, 1);
  retrying.set_last_error("smtp 451");
  channel.Settled(retrying);
  EXPECT_EQ(StateOf(letter.id()), State::QUEUED);
  EXPECT_EQ((*book_->Get(letter.id()))->last_error(), "smtp 451");
  channel.Settled(DeliveryOf(letter, v1::DeliveryState::DEAD, 9));
  EXPECT_EQ(StateOf(letter.id()), State::FAILED);
  EXPECT_EQ(book_->ToPost(10, "")->letters_size(), 1);
  // Replayed and sent: off the post list.
  v1::Delivery delivered = DeliveryOf(letter, v1::DeliveryState::DELIVERED, 1);
  delivered.set_reference("<FD-00000042-2@council.example>");
  channel.Settled(delivered);
  auto sent = book_->Get(letter.id());
  EXPECT_EQ((*sent)->state(), State::SENT);
  EXPECT_EQ((*sent)->channel(), "smtp");
  EXPECT_EQ((*sent)->reference(), "<FD-00000042-2@council.example>");
  EXPECT_EQ(book_->ToPost(10, "")->letters_size(), 0);
}

TEST_F(EmailChannelTest, NoEmailConfiguredCountsLettersSentByTheSpool) {
  EmailChannel channel(*book_, clock_, nullptr);
  ASSERT_TRUE(channel.Open().ok());
  v1::Letter letter = Letter();
  EXPECT_EQ(channel.Send(DeliveryOf(letter, v1::DeliveryState::QUEUED)).kind,
            SendResult::Kind::kDelivered);
  channel.Settled(DeliveryOf(letter, v1::DeliveryState::DELIVERED));
  EXPECT_EQ(StateOf(letter.id()), State::SENT);
  EXPECT_EQ((*book_->Get(letter.id()))->channel(), "spool");
}

TEST_F(EmailChannelTest, AGoneAnswerIsARefusalNotADisabledChannel) {
  EmailChannel channel(*book_, clock_,
                       std::make_unique<FakeTransport>(SendResult{
                           .kind = SendResult::Kind::kGone, .error = "x", .reference = {}}));
  EXPECT_EQ(channel.Send(DeliveryOf(Letter(), v1::DeliveryState::QUEUED)).kind,
            SendResult::Kind::kRefused);
}

}  // namespace
}  // namespace frontdoor
