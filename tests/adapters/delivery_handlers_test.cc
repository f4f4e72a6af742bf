// The admin's delivery API through the real Api object (router, keys,
// problems) over a real RocksDB, with a fake channel behind a real
// DeliveryQueue: dead letters are listed by state and channel and paged,
// never with the event; a replay answers 404 or 409 as problem+json, or
// sends the delivery again; the subscriptions show the config's settings
// and each queue's figures, and other roles are refused.
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "adapters/http/api.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/use_future.hpp"
#include "boost/json.hpp"
#include "engine/deliveries.h"
#include "tests/support/temp_dir.h"

namespace frontdoor {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using testing::TempDir;

const TimePoint kNow{Millis(1795514400000)};

class FakeChannel final : public Channel {
 public:
  explicit FakeChannel(std::string name) : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  bool Wants(const v1::Event&) const override { return true; }
  SendResult Send(const v1::Delivery&) override {
    ++sent;
    return answer;
  }
  SendResult answer{.kind = SendResult::Kind::kRefused, .error = "HTTP 400", .reference = ""};
  int sent = 0;

 private:
  std::string name_;
};

v1::OutboxEntry Entry(uint64_t seq, const std::string& contact) {
  v1::OutboxEntry entry;
  entry.set_seq(seq);
  v1::Event& e = *entry.mutable_event();
  e.set_id(contact + "-" + std::to_string(seq));
  e.set_contact_id(contact);
  e.mutable_decision_recorded()->mutable_decision()->set_reason(
      "the narrative-like free text never shows");
  return entry;
}

class DeliveryHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.path() / "db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto keys = Authenticator::Make({ApiKeyConfig("ops", "admin", "admin-token"),
                                     ApiKeyConfig("ifd-triage", "triage", "triage-token")});
    ASSERT_TRUE(keys.ok()) << keys.status();
    gate_ = std::make_unique<AuthGate>(std::move(*keys), clock_, AuthFailureOptions{});
    police_queue_ = std::make_unique<DeliveryQueue>(*store_, police_, clock_, &metrics_);
    email_queue_ = std::make_unique<DeliveryQueue>(*store_, email_, clock_, &metrics_);

    ApiDependencies deps;
    deps.store = store_.get();
    deps.clock = &clock_;
    deps.metrics = &metrics_;
    deps.auth = gate_.get();
    v1::Subscription police;
    police.set_name("police-cms");
    police.set_url("https://cms.police.example/frontdoor/events");
    police.add_events("org.frontdoor.contact.decided");
    police.set_organisation("police-a");
    police.set_secrets(2);
    deps.channels.push_back({.queue = police_queue_.get(), .subscription = police});
    deps.channels.push_back({.queue = email_queue_.get(), .subscription = std::nullopt});
    api_ = std::make_unique<Api>(std::move(deps));
  }

  // Three dead letters for the police, one for email, one delivered.
  void MakeDeadLetters() {
    ASSERT_TRUE(
        police_queue_->sink().Deliver({Entry(1, "FD-A"), Entry(2, "FD-B"), Entry(3, "FD-C")}).ok());
    ASSERT_TRUE(email_queue_->sink().Deliver({Entry(4, "FD-D"), Entry(5, "FD-E")}).ok());
    ASSERT_EQ(*police_queue_->SendDue(), 3u);
    email_.answer = SendResult{.kind = SendResult::Kind::kDelivered, .error = "", .reference = ""};
    ASSERT_EQ(*email_queue_->SendDue(), 2u);
    ASSERT_TRUE(email_queue_->sink().Deliver({Entry(6, "FD-F")}).ok());
    email_.answer = SendResult{.kind = SendResult::Kind::kRefused, .error = "550", .reference = ""};
    ASSERT_EQ(*email_queue_->SendDue(), 1u);
  }

  Response Call(http::verb method, const std::string& target,
                const std::string& token = "admin-token") {
    Request req(method, target, 11);
    req.set(http::field::authorization, "Bearer " + token);
    if (method == http::verb::post) {
      req.set(http::field::content_type, "application/json");
      req.body() = "{}";
      req.prepare_payload();
    }
    asio::io_context ioc;
    auto answer = asio::co_spawn(
        ioc, api_->Handle(std::move(req), asio::ip::make_address("127.0.0.1")), asio::use_future);
    ioc.run();
    return answer.get();
  }

  json::value Body(const Response& res) { return json::parse(res.body()); }
  // A number as the JSON writer puts it: 64-bit ones are strings (proto3 JSON).
  static int64_t Num(const json::value& v) {
    if (v.is_string()) return std::stoll(std::string(v.as_string()));
    return v.to_number<int64_t>();
  }

  TempDir dir_;
  ManualClock clock_{kNow};
  MetricsRegistry metrics_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuthGate> gate_;
  FakeChannel police_{"police-cms"};
  FakeChannel email_{"email"};
  std::unique_ptr<DeliveryQueue> police_queue_;
  std::unique_ptr<DeliveryQueue> email_queue_;
  std::unique_ptr<Api> api_;
};

TEST_F(DeliveryHandlersTest, DeadLettersAreListedByStateAndChannelPagedAndWithoutTheEvent) {
  MakeDeadLetters();
  Response res = Call(http::verb::get, "/v1/admin/deliveries?state=DEAD&limit=2");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(res.body().find("narrative-like"), std::string::npos) << res.body();
  json::object page = Body(res).as_object();
  json::array items = page["deliveries"].as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("id"), "police-cms:1");
  EXPECT_EQ(items[0].at("state"), "DEAD");
  EXPECT_EQ(items[0].at("type"), "org.frontdoor.contact.decided");
  EXPECT_EQ(items[0].at("last_error"), "HTTP 400");
  EXPECT_FALSE(items[0].as_object().contains("event"));
  EXPECT_EQ(items[1].at("id"), "police-cms:2");
  ASSERT_EQ(page["next_page_token"], "police-cms:2");

  res = Call(http::verb::get, "/v1/admin/deliveries?state=DEAD&limit=2&page_token=police-cms:2");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  items = Body(res).as_object()["deliveries"].as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("id"), "police-cms:3");
  EXPECT_EQ(items[1].at("id"), "email:6");
  EXPECT_FALSE(Body(res).as_object().contains("next_page_token") &&
               !Body(res).at("next_page_token").as_string().empty());

  res = Call(http::verb::get, "/v1/admin/deliveries?channel=email");
  items = Body(res).as_object()["deliveries"].as_array();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].at("state"), "DELIVERED");

  res = Call(http::verb::get, "/v1/admin/deliveries?state=LOST&channel=nobody&page_token=x");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_EQ(res[http::field::content_type], "application/problem+json");
  EXPECT_EQ(Body(res).at("errors").as_array().size(), 3u) << res.body();
}

TEST_F(DeliveryHandlersTest, AReplaySendsADeadLetterAgainAnd404Or409Otherwise) {
  MakeDeadLetters();
  Response res = Call(http::verb::post, "/v1/admin/deliveries/police-cms:99/replay");
  EXPECT_EQ(res.result(), http::status::not_found);
  EXPECT_EQ(res[http::field::content_type], "application/problem+json");
  EXPECT_EQ(Call(http::verb::post, "/v1/admin/deliveries/nobody:1/replay").result(),
            http::status::not_found);
  EXPECT_EQ(Call(http::verb::post, "/v1/admin/deliveries/garbage/replay").result(),
            http::status::not_found);
  res = Call(http::verb::post, "/v1/admin/deliveries/email:4/replay");
  EXPECT_EQ(res.result(), http::status::conflict) << res.body();
  EXPECT_EQ(res[http::field::content_type], "application/problem+json");

  police_.answer = SendResult{.kind = SendResult::Kind::kDelivered, .error = "", .reference = ""};
  // The colon percent-encoded, as a page's fetch sends it.
  res = Call(http::verb::post, "/v1/admin/deliveries/police-cms%3A2/replay");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(Body(res).at("state"), "QUEUED");
  EXPECT_FALSE(Body(res).as_object().contains("event"));
  EXPECT_EQ(*police_queue_->SendDue(), 1u);
  EXPECT_EQ(police_queue_->figures().delivered, 1u);
  EXPECT_EQ(police_queue_->figures().dead, 2u);
}

TEST_F(DeliveryHandlersTest, SubscriptionsShowTheirSettingsAndFigures) {
  MakeDeadLetters();
  Response res = Call(http::verb::get, "/v1/admin/subscriptions");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(res.body().find("whsec_"), std::string::npos);
  json::array subs = Body(res).at("subscriptions").as_array();
  ASSERT_EQ(subs.size(), 2u);
  EXPECT_EQ(subs[0].at("name"), "police-cms");
  EXPECT_EQ(subs[0].at("url"), "https://cms.police.example/frontdoor/events");
  EXPECT_EQ(subs[0].at("organisation"), "police-a");
  EXPECT_EQ(Num(subs[0].at("secrets")), 2);
  EXPECT_EQ(Num(subs[0].at("dead")), 3);
  EXPECT_EQ(subs[1].at("name"), "email");
  EXPECT_EQ(Num(subs[1].at("delivered")), 2);
  EXPECT_EQ(Num(subs[1].at("dead")), 1);
}

TEST_F(DeliveryHandlersTest, OnlyAnAdminMayCall) {
  EXPECT_EQ(Call(http::verb::get, "/v1/admin/subscriptions", "triage-token").result(),
            http::status::forbidden);
  EXPECT_EQ(Call(http::verb::get, "/v1/admin/deliveries", "triage-token").result(),
            http::status::forbidden);
  EXPECT_EQ(Call(http::verb::post, "/v1/admin/deliveries/email:1/replay", "nope").result(),
            http::status::unauthorized);
}

}  // namespace
}  // namespace frontdoor
