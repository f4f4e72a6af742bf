// Webhook subscriptions against the real binary and real receivers on
// loopback (tests/webhooks/receiver.mjs: every signature verified with the
// npm package standardwebhooks, every event validated with the npm package
// cloudevents): events arrive signed, valid and in order per contact,
// filtered by type and organisation, never with a narrative or a child's
// name; two secrets during a rotation both verify; a failing receiver is
// retried as the business clock moves, dies after 25 hours, is listed and
// replayed; a 410 disables its subscription; a slow receiver holds up
// neither another subscription nor the spool; HTTPS is checked against a CA
// file; and kill -9 of the server mid-delivery loses nothing and repeats an
// event only under the same webhook-id.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "tests/integration/server_harness.h"
#include "tests/support/pki.h"

namespace frontdoor::testing {
namespace {

using ::testing::Contains;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::Not;

namespace json = boost::json;

constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
// The next secret of a rotation ("a second key for the rotation").
constexpr char kNextSecret[] = "whsec_YSBzZWNvbmQga2V5IGZvciB0aGUgcm90YXRpb24=";

constexpr char kAcknowledged[] = "org.frontdoor.contact.acknowledged";
constexpr char kDecided[] = "org.frontdoor.contact.decided";
constexpr char kClosed[] = "org.frontdoor.contact.closed";
constexpr char kLetter[] = "org.frontdoor.letter.issued";

// Polls `done` every 20 ms for at most `limit` (waiting for another process,
// never for time to pass).
bool WaitUntil(const std::function<bool()>& done,
               std::chrono::seconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// A proto3 JSON number (64-bit ones are strings) or bool, 0/false when left
// out as the default.
int64_t Number(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_string()) return std::stoll(std::string(v->as_string()));
  return v->to_number<int64_t>();
}
bool Flag(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->as_bool();
}

// What a receiver recorded of one request.
struct Received {
  json::object line;
  std::string raw;
  std::string Str(std::string_view key) const {
    const json::value* v = line.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : "";
  }
  bool Verified() const {
    const auto& all = line.at("verified").as_array();
    if (all.empty()) return false;
    for (const auto& v : all) {
      if (!v.as_bool()) return false;
    }
    return true;
  }
  bool Valid() const { return line.at("valid").as_bool(); }
  const json::object& Event() const { return line.at("event").as_object(); }
  std::string Type() const { return std::string(Event().at("type").as_string()); }
  std::string Subject() const { return std::string(Event().at("subject").as_string()); }
  // 200, 500, 410, 401 or "held".
  std::string Answered() const {
    const json::value& v = line.at("answered");
    return v.is_string() ? std::string(v.as_string()) : std::to_string(v.to_number<int>());
  }
};

// `node tests/webhooks/receiver.mjs`, stopped with SIGTERM.
class ReceiverProcess {
 public:
  struct Options {
    std::filesystem::path record;
    std::vector<std::string> secrets = {kSecret};
    std::string mode = "ok";
    std::filesystem::path cert;
    std::filesystem::path key;
  };

  static std::unique_ptr<ReceiverProcess> Start(const Options& options) {
    auto receiver = std::unique_ptr<ReceiverProcess>(new ReceiverProcess());
    receiver->record_ = options.record;
    int out[2];
    if (::pipe(out) != 0) {
      ADD_FAILURE() << "pipe failed";
      return nullptr;
    }
    std::vector<std::string> args = {
        "node", std::string(FRONTDOOR_SOURCE_DIR) + "/tests/webhooks/receiver.mjs",
        "--port", "0", "--record", options.record.string(), "--mode", options.mode};
    for (const auto& s : options.secrets) {
      args.push_back("--secret");
      args.push_back(s);
    }
    if (!options.cert.empty()) {
      args.insert(args.end(), {"--cert", options.cert.string(), "--key", options.key.string()});
    }
    const std::filesystem::path log = options.record.string() + ".log";
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) ::dup2(fd, STDERR_FILENO);
      ::close(out[0]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("node", argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    receiver->pid_ = pid;
    // "listening http://127.0.0.1:NNNN" (or https).
    const std::string line = ReadStartLine(out[0]);
    const size_t colon = line.rfind(':');
    if (line.rfind("listening http", 0) != 0 || colon == std::string::npos) {
      ADD_FAILURE() << "the receiver did not start (run tests/webhooks/run.sh install); stdout: "
                    << line;
      return nullptr;
    }
    receiver->port_ = static_cast<uint16_t>(std::stoi(line.substr(colon + 1)));
    return receiver;
  }
  ~ReceiverProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }

  uint16_t port() const { return port_; }
  std::string Url(const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + "/hook";
  }
  // ok, fail, gone or slow; leaving slow answers what it held.
  void Mode(const std::string& mode) {
    HttpClient control(port_);
    EXPECT_EQ(control.Post("/_mode", "", "{\"mode\":\"" + mode + "\"}").status, 204);
  }
  void Release() {
    HttpClient control(port_);
    EXPECT_EQ(control.Post("/_release", "", "{}").status, 204);
  }
  std::vector<Received> Lines() const {
    std::vector<Received> out;
    std::ifstream in(record_);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      out.push_back(Received{.line = json::parse(line).as_object(), .raw = line});
    }
    return out;
  }
  // The requests answered 2xx, in arrival order.
  std::vector<Received> Delivered() const {
    std::vector<Received> out;
    for (auto& r : Lines()) {
      if (r.Answered() == "200") out.push_back(std::move(r));
    }
    return out;
  }

 private:
  ReceiverProcess() = default;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::filesystem::path record_;
};

std::string Subscription(const std::string& name, const std::string& url,
                         const std::string& more = "",
                         const std::vector<std::string>& secrets = {kSecret}) {
  std::string list;
  for (const auto& s : secrets) list += (list.empty() ? "\"" : ", \"") + s + "\"";
  return "  - {name: " + name + ", url: '" + url + "', secrets: [" + list + "]" + more + "}\n";
}

class WebhooksTest : public ::testing::Test {
 protected:
  std::unique_ptr<ReceiverProcess> Receiver(const std::string& name,
                                            ReceiverProcess::Options options = {}) {
    options.record = dir_.path() / (name + ".jsonl");
    auto receiver = ReceiverProcess::Start(options);
    EXPECT_TRUE(receiver);
    return receiver;
  }
  void Serve(const std::string& subscriptions) {
    config_ = WriteConfig(dir_.path(), "subscriptions:\n" + subscriptions);
    Restart();
  }
  void Restart() {
    server_.reset();
    server_ = ServerProcess::Start({config_, dir_.path() / "data"});
    ASSERT_TRUE(server_);
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  std::string Submit(int variant, const char* token = kPartnerToken) {
    Reply created = client_->Post("/v1/contacts", token, ContactJson(variant));
    EXPECT_EQ(created.status, 201) << created.body;
    return created.str("id");
  }
  // The history's event ids of `contact`, oldest first.
  std::vector<std::string> HistoryIds(const std::string& contact) {
    Reply events = client_->Get("/v1/contacts/" + contact + "/events", kTriageToken);
    EXPECT_EQ(events.status, 200) << events.body;
    std::vector<std::string> ids;
    for (const auto& e : events.at("events").as_array()) {
      ids.emplace_back(e.as_object().at("id").as_string());
    }
    return ids;
  }
  Reply Deliveries(const std::string& query) {
    Reply r = client_->Get("/v1/admin/deliveries?" + query, kAdminToken);
    EXPECT_EQ(r.status, 200) << r.body;
    return r;
  }
  json::object SubscriptionNamed(const std::string& name) {
    Reply r = client_->Get("/v1/admin/subscriptions", kAdminToken);
    EXPECT_EQ(r.status, 200) << r.body;
    for (const auto& s : r.at("subscriptions").as_array()) {
      if (s.as_object().at("name").as_string() == name) return s.as_object();
    }
    ADD_FAILURE() << "no subscription " << name << " in " << r.body;
    return {};
  }

  TempDir dir_{"webhooks"};
  std::filesystem::path config_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

std::vector<std::string> Types(const std::vector<Received>& got, const std::string& contact) {
  std::vector<std::string> out;
  for (const auto& r : got) {
    if (r.Subject() == contact) out.push_back(r.Type());
  }
  return out;
}

TEST_F(WebhooksTest, EventsArriveSignedValidInOrderAndFilteredByTypeAndOrganisation) {
  // everything: all types, all contacts, two secrets (a rotation) that the
  // receiver checks one by one; police: the police's own contacts; decided:
  // decisions only.
  auto everything = Receiver("everything", {.record = {}, .secrets = {kSecret, kNextSecret}, .mode = "ok", .cert = {}, .key = {}});
  auto police = Receiver("police");
  auto decided = Receiver("decided");
  ASSERT_TRUE(everything && police && decided);
  Serve(Subscription("everything", everything->Url(), "", {kSecret, kNextSecret}) +
        Subscription("police", police->Url(), ", organisation: merseyside-police") +
        Subscription("decided", decided->Url(), std::string(", events: [") + kDecided + "]"));

  // A housing worry from the police, signposted; another from the school.
  const std::string from_police = Submit(4);
  const std::string from_school = Submit(9, kOtherPartnerToken);
  Reply decision = client_->Post("/v1/contacts/" + from_police + "/decision", kTriageToken,
                                 R"({"route":"SIGNPOST","reason":"Universal services can help."})");
  ASSERT_EQ(decision.status, 200) << decision.body;

  auto has = [](const ReceiverProcess& r, const std::string& contact, const std::string& type) {
    return ::testing::Value(Types(r.Delivered(), contact), Contains(type));
  };
  ASSERT_TRUE(WaitUntil([&] {
    return has(*everything, from_police, kClosed) && has(*everything, from_school, kLetter) &&
           has(*police, from_police, kClosed) && has(*decided, from_police, kDecided);
  })) << "everything got " << everything->Lines().size() << ", police "
      << police->Lines().size() << ", decided " << decided->Lines().size() << "\n"
      << server_->Logs();

  const std::vector<Received> all = everything->Lines();
  for (const auto& r : all) {
    EXPECT_TRUE(r.Verified()) << r.raw;
    EXPECT_TRUE(r.Valid()) << r.raw;
    EXPECT_EQ(Number(r.line, "signatures"), 2) << r.raw;
    EXPECT_EQ(r.Str("webhook_id"), std::string(r.Event().at("id").as_string()));
    EXPECT_EQ(r.Str("content_type"), "application/cloudevents+json");
  }
  // One connection, kept alive.
  std::set<std::string> connections;
  for (const auto& r : all) connections.insert(r.Str("connection"));
  EXPECT_EQ(connections.size(), 1u);
  // In the order of each contact's history.
  for (const std::string& contact : {from_police, from_school}) {
    const std::vector<std::string> history = HistoryIds(contact);
    std::vector<size_t> positions;
    for (const auto& r : everything->Delivered()) {
      if (r.Subject() != contact) continue;
      auto at = std::find(history.begin(), history.end(), r.Str("webhook_id"));
      ASSERT_NE(at, history.end()) << r.raw;
      positions.push_back(static_cast<size_t>(at - history.begin()));
    }
    EXPECT_TRUE(std::is_sorted(positions.begin(), positions.end())) << contact;
  }
  EXPECT_THAT(Types(all, from_police), Contains(kAcknowledged));
  EXPECT_THAT(Types(all, from_police), Contains(kDecided));

  // No narrative, no child's name, no staff's reasons, to anyone; the
  // referrer's name only to the referrer's own organisation.
  for (const auto* receiver : {everything.get(), police.get(), decided.get()}) {
    for (const auto& r : receiver->Lines()) {
      EXPECT_THAT(r.raw, Not(HasSubstr("Synthetic narrative"))) << r.raw;
      EXPECT_THAT(r.raw, Not(HasSubstr("Riley"))) << r.raw;  // variant 4's child
      // The decision's reason reaches only the referrer, in its outcome letter.
      if (receiver != police.get()) {
        EXPECT_THAT(r.raw, Not(HasSubstr("Universal services can help"))) << r.raw;
      }
    }
  }
  for (const auto& r : all) EXPECT_THAT(r.raw, Not(HasSubstr("PC Synthetic"))) << r.raw;
  bool named = false;
  for (const auto& r : police->Delivered()) {
    EXPECT_EQ(r.Subject(), from_police) << "the school's contact went to the police: " << r.raw;
    if (r.Type() == kLetter) named = named || r.raw.find("PC Synthetic 4") != std::string::npos;
  }
  EXPECT_TRUE(named) << "the police's own letter reached it whole";
  EXPECT_THAT(Types(decided->Lines(), from_police), Each(std::string(kDecided)));
  EXPECT_THAT(Types(decided->Lines(), from_school), Each(std::string(kDecided)));

  // Figures per subscription, in the admin list and the metrics.
  json::object figures = SubscriptionNamed("everything");
  EXPECT_EQ(Number(figures, "secrets"), 2);
  EXPECT_GE(Number(figures, "delivered"), 6);
  EXPECT_EQ(SubscriptionNamed("police").at("organisation").as_string(), "merseyside-police");
  Reply metrics = client_->Get("/metrics", "");
  EXPECT_THAT(metrics.body, HasSubstr("channel=\"everything\""));
}

TEST_F(WebhooksTest, AFailingReceiverIsRetriedAsTheClockMovesDiesAfter25HoursAndIsReplayed) {
  auto failing = Receiver("failing", {.record = {}, .secrets = {kSecret}, .mode = "fail", .cert = {}, .key = {}});
  ASSERT_TRUE(failing);
  Serve(Subscription("failing", failing->Url(), std::string(", events: [") + kAcknowledged + "]"));
  const std::string contact = Submit(4);
  ASSERT_TRUE(WaitUntil([&] { return failing->Lines().size() == 1; })) << server_->Logs();
  EXPECT_EQ(failing->Lines()[0].Answered(), "500");
  // The receiver has answered; the queue stores the failure (and its next
  // attempt, from the clock's time then) just after.
  ASSERT_TRUE(WaitUntil([&] {
    return !Deliveries("state=RETRYING&channel=failing").at("deliveries").as_array().empty();
  }));

  // The first retry is seconds away on the business clock: nothing happens
  // until it moves.
  client_->Advance("PT1M");
  ASSERT_TRUE(WaitUntil([&] { return failing->Lines().size() == 2; }));
  Reply retrying = Deliveries("state=RETRYING&channel=failing");
  ASSERT_EQ(retrying.at("deliveries").as_array().size(), 1u) << retrying.body;
  const json::object& delivery = retrying.at("deliveries").as_array()[0].as_object();
  EXPECT_EQ(delivery.at("last_error").as_string(), "HTTP 500");
  EXPECT_EQ(delivery.at("contact_id").as_string(), contact);
  // Retries wait on the business clock: each move past the next attempt's
  // time brings an attempt (the waits, at most 2 h and a quarter, are shorter
  // than each move). Past 25 hours since it was queued, the next failure is
  // its last.
  for (int i = 0; i < 12; ++i) {
    if (!Deliveries("state=DEAD&channel=failing").at("deliveries").as_array().empty()) break;
    const size_t seen = failing->Lines().size();
    client_->Advance("PT3H");
    // An attempt has come, and its outcome is stored.
    ASSERT_TRUE(WaitUntil([&] {
      const size_t got = failing->Lines().size();
      const Reply now = Deliveries("channel=failing");
      return got > seen && Number(now.at("deliveries").as_array()[0].as_object(), "attempts") ==
                               static_cast<int64_t>(got);
    }))
        << "after " << 3 * (i + 1) << " hours more: " << failing->Lines().size() << " attempts\n"
        << Deliveries("channel=failing").body << "\n" << server_->Logs();
  }
  Reply dead = Deliveries("state=DEAD&channel=failing");
  ASSERT_EQ(dead.at("deliveries").as_array().size(), 1u) << dead.body;
  const json::object& letter = dead.at("deliveries").as_array()[0].as_object();
  EXPECT_EQ(letter.at("last_error").as_string(), "HTTP 500");
  EXPECT_EQ(letter.if_contains("event"), nullptr) << "the list never shows the event body";
  EXPECT_THAT(dead.body, Not(HasSubstr("Synthetic narrative")));
  const size_t attempts = failing->Lines().size();
  EXPECT_GE(attempts, 10u);  // 1 + 1 + 8 moves of 3 hours to pass 25 hours
  EXPECT_LE(attempts, 40u);
  EXPECT_EQ(Number(SubscriptionNamed("failing"), "dead"), 1);

  // Replayed once the receiver is well again: delivered.
  const std::string id(letter.at("id").as_string());
  EXPECT_EQ(id.rfind("failing:", 0), 0u) << id;
  failing->Mode("ok");
  Reply replay = client_->Post("/v1/admin/deliveries/" + id + "/replay", kAdminToken, "");
  EXPECT_LT(replay.status, 300) << replay.body;
  ASSERT_TRUE(WaitUntil([&] { return failing->Delivered().size() == 1; })) << server_->Logs();
  EXPECT_TRUE(failing->Delivered()[0].Verified());
  EXPECT_EQ(failing->Delivered()[0].Str("webhook_id"), std::string(letter.at("event_id").as_string()));
  // Not dead any more: 409; nobody's: 404; not the admin: 403.
  ASSERT_TRUE(WaitUntil([&] {
    return Deliveries("state=DELIVERED&channel=failing").at("deliveries").as_array().size() == 1;
  }));
  Reply again = client_->Post("/v1/admin/deliveries/" + id + "/replay", kAdminToken, "");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(again.headers["content-type"], "application/problem+json");
  EXPECT_EQ(client_->Post("/v1/admin/deliveries/failing:999999/replay", kAdminToken, "").status,
            404);
  EXPECT_EQ(client_->Post("/v1/admin/deliveries/" + id + "/replay", kTriageToken, "").status, 403);
}

TEST_F(WebhooksTest, AReceiverThatRefusesIsADeadLetterAtOnce) {
  // The receiver knows another secret: it answers 401, which no retry mends.
  auto strict = Receiver("strict", {.record = {}, .secrets = {kNextSecret}, .mode = "ok",
                                    .cert = {}, .key = {}});
  ASSERT_TRUE(strict);
  Serve(Subscription("strict", strict->Url(), std::string(", events: [") + kAcknowledged + "]"));
  Submit(4);
  ASSERT_TRUE(WaitUntil([&] {
    return !Deliveries("state=DEAD&channel=strict").at("deliveries").as_array().empty();
  })) << server_->Logs();
  ASSERT_EQ(strict->Lines().size(), 1u);
  EXPECT_EQ(strict->Lines()[0].Answered(), "401");
  EXPECT_FALSE(strict->Lines()[0].Verified());
  Reply dead = Deliveries("state=DEAD&channel=strict");
  EXPECT_EQ(dead.at("deliveries").as_array()[0].as_object().at("last_error").as_string(),
            "HTTP 401");
  client_->Advance("PT3H");
  EXPECT_EQ(Flag(SubscriptionNamed("strict"), "disabled"), false);
  EXPECT_EQ(strict->Lines().size(), 1u);
}

TEST_F(WebhooksTest, GoneDisablesTheSubscriptionAndNewDeliveriesWait) {
  auto gone = Receiver("gone", {.record = {}, .secrets = {kSecret}, .mode = "gone", .cert = {}, .key = {}});
  auto healthy = Receiver("healthy");
  ASSERT_TRUE(gone && healthy);
  const std::string acknowledged = std::string(", events: [") + kAcknowledged + "]";
  Serve(Subscription("gone", gone->Url(), acknowledged) +
        Subscription("healthy", healthy->Url(), acknowledged));
  const std::string first = Submit(4);
  ASSERT_TRUE(WaitUntil([&] { return gone->Lines().size() == 1; })) << server_->Logs();
  EXPECT_EQ(gone->Lines()[0].Answered(), "410");
  ASSERT_TRUE(WaitUntil([&] { return Flag(SubscriptionNamed("gone"), "disabled"); }));
  json::object disabled = SubscriptionNamed("gone");
  EXPECT_THAT(std::string(disabled.at("disabled_reason").as_string()), HasSubstr("410"));
  EXPECT_EQ(Flag(SubscriptionNamed("healthy"), "disabled"), false);

  // Later events still queue for it, but nothing is sent, however long.
  const std::string second = Submit(9);
  ASSERT_TRUE(WaitUntil([&] { return Types(healthy->Delivered(), second).size() == 1; }));
  client_->Advance("PT3H");
  ASSERT_TRUE(WaitUntil([&] {
    return !Deliveries("state=QUEUED&channel=gone").at("deliveries").as_array().empty();
  }));
  EXPECT_EQ(gone->Lines().size(), 1u);
}

TEST_F(WebhooksTest, ASlowReceiverHoldsUpNeitherAnotherSubscriptionNorTheSpool) {
  auto slow = Receiver("slow", {.record = {}, .secrets = {kSecret}, .mode = "slow", .cert = {}, .key = {}});
  auto fast = Receiver("fast");
  ASSERT_TRUE(slow && fast);
  Serve(Subscription("slow", slow->Url(), ", timeout_seconds: 60") +
        Subscription("fast", fast->Url()));
  const std::string first = Submit(4);
  const std::string second = Submit(9);
  ASSERT_TRUE(WaitUntil([&] { return slow->Lines().size() == 1; })) << server_->Logs();
  // While the slow one holds its first answer, the other receiver and the
  // spool have both contacts' acknowledgements and letters.
  ASSERT_TRUE(WaitUntil([&] {
    return Types(fast->Delivered(), first).size() == 2 &&
           Types(fast->Delivered(), second).size() == 2;
  })) << server_->Logs();
  ASSERT_TRUE(WaitUntil([&] {
    return ReadJsonFiles(dir_.path() / "data" / "spool" / "letters").size() == 2;
  }));
  EXPECT_EQ(slow->Lines().size(), 1u);
  EXPECT_EQ(slow->Lines()[0].Answered(), "held");

  slow->Mode("ok");
  ASSERT_TRUE(WaitUntil([&] { return slow->Lines().size() == 4; })) << server_->Logs();
  for (const auto& r : slow->Lines()) EXPECT_TRUE(r.Verified()) << r.raw;
}

TEST_F(WebhooksTest, HttpsWithTheReceiversCertificateCheckedAgainstACaFile) {
  Pki pki(dir_);
  auto secure = Receiver("secure", {.record = {},
                                    .secrets = {kSecret},
                                    .mode = "ok",
                                    .cert = pki.Path("server.crt"),
                                    .key = pki.Path("server.key")});
  ASSERT_TRUE(secure);
  const std::string acknowledged = std::string(", events: [") + kAcknowledged + "]";
  // The same receiver, once with the CA that signed it and once with the
  // system's CAs, which do not know it.
  Serve(Subscription("with-ca", secure->Url("https"),
                     acknowledged + ", ca_file: '" + pki.Path("ca.crt").string() + "'") +
        Subscription("without-ca", secure->Url("https"), acknowledged));
  const std::string contact = Submit(4);
  ASSERT_TRUE(WaitUntil([&] { return secure->Delivered().size() == 1; })) << server_->Logs();
  EXPECT_TRUE(secure->Delivered()[0].Verified());
  EXPECT_EQ(secure->Delivered()[0].Subject(), contact);
  ASSERT_TRUE(WaitUntil([&] {
    return !Deliveries("state=RETRYING&channel=without-ca").at("deliveries").as_array().empty();
  }));
  Reply refused = Deliveries("state=RETRYING&channel=without-ca");
  EXPECT_THAT(refused.body, HasSubstr("certificate")) << refused.body;
  EXPECT_EQ(secure->Lines().size(), 1u) << "no request got past the TLS handshake";
}

TEST_F(WebhooksTest, KillMidDeliveryLosesNothingAndRepeatsOnlyUnderTheSameId) {
  auto receiver = Receiver("receiver", {.record = {}, .secrets = {kSecret}, .mode = "slow", .cert = {}, .key = {}});
  ASSERT_TRUE(receiver);
  Serve(Subscription("receiver", receiver->Url(), ", timeout_seconds: 60"));
  std::vector<std::string> contacts;
  for (int i = 0; i < 4; ++i) contacts.push_back(Submit(4 + 5 * i));
  // Its first attempt is in the receiver's hands, unanswered.
  ASSERT_TRUE(WaitUntil([&] { return receiver->Lines().size() == 1; })) << server_->Logs();
  server_->Kill();
  receiver->Mode("ok");
  Restart();

  // Every delivery the store holds reaches the receiver with a 2xx.
  ASSERT_TRUE(WaitUntil([&] {
    Reply all = Deliveries("channel=receiver");
    const auto& list = all.at("deliveries").as_array();
    if (list.size() < 2 * contacts.size()) return false;
    for (const auto& d : list) {
      if (d.as_object().at("state").as_string() != "DELIVERED") return false;
    }
    return true;
  })) << Deliveries("channel=receiver").body;
  std::set<std::string> stored;
  const Reply listed = Deliveries("channel=receiver");
  for (const auto& d : listed.at("deliveries").as_array()) {
    stored.emplace(d.as_object().at("event_id").as_string());
  }
  std::map<std::string, std::vector<std::string>> bodies;  // webhook-id -> events got
  std::set<std::string> delivered;
  for (const auto& r : receiver->Lines()) {
    EXPECT_TRUE(r.Verified()) << r.raw;
    bodies[r.Str("webhook_id")].push_back(json::serialize(r.Event()));
    if (r.Answered() == "200") delivered.insert(r.Str("webhook_id"));
  }
  EXPECT_EQ(delivered, stored);
  for (const std::string& contact : contacts) {
    EXPECT_THAT(Types(receiver->Delivered(), contact), Contains(kAcknowledged)) << contact;
    EXPECT_THAT(Types(receiver->Delivered(), contact), Contains(kLetter)) << contact;
  }
  // The one in flight at the kill came again, the same event under the same id.
  size_t repeated = 0;
  for (const auto& [id, got] : bodies) {
    if (got.size() > 1) ++repeated;
    EXPECT_THAT(got, Each(got.front())) << id;
  }
  EXPECT_GE(repeated, 1u);
}

// A figure for the README, not a limit: how fast one subscription drains a
// burst of 250 contacts (an acknowledgement and a letter each) to a fast
// receiver on loopback. Printed; the test checks only that all arrive.
TEST_F(WebhooksTest, FigureDeliveriesPerSecondToAFastReceiver) {
  auto fast = Receiver("fast");
  ASSERT_TRUE(fast);
  Serve(Subscription("fast", fast->Url()));
  constexpr int kContacts = 250;
  std::string body = "{\"items\": [";
  for (int i = 0; i < kContacts; ++i) {
    body += (i ? "," : "") + std::string("{\"idempotency_key\": \"k") + std::to_string(i) +
            "\", \"contact\": " + ContactJson(i) + "}";
  }
  body += "]}";
  const auto start = std::chrono::steady_clock::now();
  Reply batch = client_->Post("/v1/contacts:batch", kPartnerToken, body);
  ASSERT_EQ(batch.status, 200) << batch.body.substr(0, 500);
  ASSERT_TRUE(WaitUntil([&] { return fast->Delivered().size() >= 2 * kContacts; },
                        std::chrono::seconds(120)))
      << fast->Lines().size();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double rate = 2 * kContacts / seconds;
  std::printf("FIGURE webhook deliveries: %d in %.2f s = %.0f/s to one receiver\n",
              2 * kContacts, seconds, rate);
  RecordProperty("deliveries_per_second", std::to_string(static_cast<int>(rate)));
  for (const auto& r : fast->Delivered()) ASSERT_TRUE(r.Verified()) << r.raw;
}

}  // namespace
}  // namespace frontdoor::testing
