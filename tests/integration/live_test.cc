// The managers' live feed and reports through the real server: Server-Sent
// Events as contacts change and breach, the indicators for a range, the
// Annex A List 1 export, and who-am-I for the pages.
#include <sys/socket.h>
#include <sys/time.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/write.hpp"
#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A raw connection reading GET /v1/stream as it arrives.
class StreamReader {
 public:
  // `last_event_id`: sent as Last-Event-ID when not empty.
  StreamReader(uint16_t port, const std::string& token, const std::string& last_event_id = "")
      : socket_(ioc_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    // Reads give up after 10 s: a test waiting for an event never hangs.
    timeval timeout{10, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string request =
        "GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n" +
        (last_event_id.empty() ? "" : "Last-Event-ID: " + last_event_id + "\r\n") + "\r\n";
    boost::asio::write(socket_, boost::asio::buffer(request));
  }

  // Reads until `text` has arrived; false if the stream ended or went quiet.
  bool WaitFor(const std::string& text) {
    while (received_.find(text) == std::string::npos) {
      char buf[4096];
      boost::system::error_code ec;
      size_t n = socket_.read_some(boost::asio::buffer(buf), ec);
      if (ec || n == 0) return false;
      received_.append(buf, n);
    }
    return true;
  }
  const std::string& received() const { return received_; }
  // The id: of the message that begins with `text` ("event: contact\ndata: ..."),
  // empty when there is none.
  std::string IdOf(const std::string& text) const {
    size_t at = received_.find(text);
    if (at == std::string::npos || at < 5) return "";
    size_t start = received_.rfind("id: ", at);
    if (start == std::string::npos) return "";
    start += 4;
    return received_.substr(start, received_.find('\n', start) - start);
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  std::string received_;
};

class LiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start({WriteConfig(dir_.path()), dir_.path() / "data"});
    ASSERT_TRUE(server_);
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  TempDir dir_{"live"};
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(LiveTest, StreamCarriesContactChangesNearBreachesAndBreaches) {
  StreamReader stream(server_->port(), kManagerToken);
  ASSERT_TRUE(stream.WaitFor(": connected")) << stream.received();
  EXPECT_THAT(stream.received(), StartsWith("HTTP/1.1 200 OK"));
  EXPECT_THAT(stream.received(), HasSubstr("Content-Type: text/event-stream"));

  Reply created = client_->Post("/v1/contacts", kPartnerToken, ContactJson(1));
  ASSERT_EQ(created.status, 201);
  const std::string id = created.str("id");
  ASSERT_TRUE(stream.WaitFor("event: contact\ndata: {\"id\":\"" + id + "\"")) << stream.received();

  client_->Advance("PT23H");  // two hours before due: the warning window
  ASSERT_TRUE(stream.WaitFor("event: near-breach")) << stream.received();
  client_->Advance("PT2H");
  ASSERT_TRUE(stream.WaitFor("event: breach\ndata: {\"contact_id\":\"" + id + "\""))
      << stream.received();
  // Ids and timings only: nothing the referrer wrote, no names.
  EXPECT_THAT(stream.received(), ::testing::Not(HasSubstr("Synthetic narrative")));
  EXPECT_THAT(stream.received(), ::testing::Not(HasSubstr("Alex")));
}

// A client that reconnects with Last-Event-ID gets what it missed, also what
// happened while no stream was open; an id the feed cannot resume from gets
// a reset with the latest id, from which the client resumes.
TEST_F(LiveTest, StreamResumesAfterLastEventId) {
  auto contact_event = [](const std::string& id) {
    return "event: contact\ndata: {\"id\":\"" + id + "\"";
  };
  std::string seen_id;
  std::string first;
  {
    StreamReader stream(server_->port(), kManagerToken);
    ASSERT_TRUE(stream.WaitFor(": connected"));
    Reply a = client_->Post("/v1/contacts", kPartnerToken, ContactJson(1));
    ASSERT_EQ(a.status, 201);
    first = a.str("id");
    ASSERT_TRUE(stream.WaitFor(contact_event(first))) << stream.received();
    seen_id = stream.IdOf(contact_event(first));
    ASSERT_THAT(seen_id, ::testing::MatchesRegex("[0-9a-f]{8}-[0-9]+"));
  }  // the client goes away
  // What happens next is published while the client is away (a watching
  // stream shows when).
  StreamReader watcher(server_->port(), kManagerToken);
  ASSERT_TRUE(watcher.WaitFor(": connected"));
  Reply b = client_->Post("/v1/contacts", kPartnerToken, ContactJson(2));
  ASSERT_EQ(b.status, 201);
  const std::string missed = b.str("id");
  ASSERT_TRUE(watcher.WaitFor(contact_event(missed))) << watcher.received();
  const std::string missed_id = watcher.IdOf(contact_event(missed));

  StreamReader resumed(server_->port(), kManagerToken, seen_id);
  ASSERT_TRUE(resumed.WaitFor(contact_event(missed))) << resumed.received();
  EXPECT_EQ(resumed.IdOf(contact_event(missed)), missed_id);
  EXPECT_THAT(resumed.received(), ::testing::Not(HasSubstr(contact_event(first))));
  EXPECT_THAT(resumed.received(), ::testing::Not(HasSubstr("event: reset")));
  // Then the live ones.
  Reply c = client_->Post("/v1/contacts", kPartnerToken, ContactJson(3));
  ASSERT_EQ(c.status, 201);
  EXPECT_TRUE(resumed.WaitFor(contact_event(c.str("id")))) << resumed.received();

  // An id of another run (or none the server gave): reset, with the latest id.
  StreamReader foreign(server_->port(), kManagerToken, "0000000g-1");
  ASSERT_TRUE(foreign.WaitFor("event: reset\ndata: {\"reason\":")) << foreign.received();
  const std::string latest = foreign.IdOf("event: reset");
  EXPECT_EQ(latest, resumed.IdOf(contact_event(c.str("id"))));
  EXPECT_THAT(foreign.received(), ::testing::Not(HasSubstr("event: contact")));
  // Resuming from the reset's id misses nothing that came after it.
  Reply d = client_->Post("/v1/contacts", kPartnerToken, ContactJson(4));
  ASSERT_EQ(d.status, 201);
  ASSERT_TRUE(resumed.WaitFor(contact_event(d.str("id"))));
  StreamReader after_reset(server_->port(), kManagerToken, latest);
  EXPECT_TRUE(after_reset.WaitFor(contact_event(d.str("id")))) << after_reset.received();
  EXPECT_THAT(after_reset.received(), ::testing::Not(HasSubstr("event: reset")));
}

TEST_F(LiveTest, StreamIsForStaff) {
  StreamReader partner(server_->port(), kPartnerToken);
  ASSERT_TRUE(partner.WaitFor("\r\n\r\n"));
  EXPECT_THAT(partner.received(), StartsWith("HTTP/1.1 403"));
  StreamReader nobody(server_->port(), "wrong");
  ASSERT_TRUE(nobody.WaitFor("\r\n\r\n"));
  EXPECT_THAT(nobody.received(), StartsWith("HTTP/1.1 401"));
}

TEST_F(LiveTest, ServerStopsWithAStreamOpen) {
  StreamReader stream(server_->port(), kManagerToken);
  ASSERT_TRUE(stream.WaitFor(": connected"));
  EXPECT_EQ(server_->Terminate(), 0);
}

TEST_F(LiveTest, IndicatorsAndAnnexA) {
  Reply a = client_->Post("/v1/contacts", kPartnerToken, ContactJson(1));
  Reply b = client_->Post("/v1/contacts", kTriageToken, ContactJson(2));
  ASSERT_EQ(a.status, 201);
  ASSERT_EQ(b.status, 201);
  ASSERT_EQ(client_
                ->Post("/v1/contacts/" + a.str("id") + "/decision", kTriageToken,
                       R"({"route":"MASH","rag":"RED","reason":"Checks needed."})")
                .status,
            200);
  ASSERT_EQ(client_
                ->Post("/v1/contacts/" + a.str("id") + "/mash-outcome", kTriageToken,
                       R"({"outcome":"SOCIAL_CARE_ASSESSMENT","reason":"Assessment.",)"
                       R"("unanswered_checks_reason":"Assessment cannot wait."})")
                .status,
            200);
  client_->Advance("PT25H");  // b breaches its decision timescale

  Reply indicators = client_->Get("/v1/indicators?from=2026-11-01&to=2026-11-30", kManagerToken);
  ASSERT_EQ(indicators.status, 200) << indicators.body;
  const auto& in = indicators.json.as_object();
  EXPECT_EQ(in.at("contacts_received").as_int64(), 2);
  EXPECT_EQ(in.at("referrals").as_int64(), 1);
  EXPECT_EQ(in.at("breaches_raised").as_int64(), 1);
  EXPECT_EQ(in.at("decided_within_timescale").at("total").as_int64(), 1);
  EXPECT_EQ(in.at("decided_within_timescale").at("share").to_number<double>(), 1.0);
  EXPECT_EQ(in.at("mash_within_timescale").at("within").as_int64(), 1);
  EXPECT_EQ(in.at("by_week").as_array().at(0).at("week_start"), "2026-11-23");
  EXPECT_EQ(in.at("targets").at("decided_within_timescale").to_number<double>(), 0.95);

  Reply csv =
      client_->Get("/v1/indicators?from=2026-11-01&to=2026-11-30&format=csv", kManagerToken);
  EXPECT_EQ(csv.headers["content-type"], "text/csv; charset=utf-8");
  EXPECT_THAT(csv.body, StartsWith("indicator,period,dimension,value\n"));
  EXPECT_THAT(csv.body, HasSubstr("contacts_received,2026-11-01..2026-11-30,,2\n"));

  Reply annex =
      client_->Get("/v1/exports/annex-a/contacts?from=2026-11-24&to=2026-11-24", kManagerToken);
  ASSERT_EQ(annex.status, 200);
  EXPECT_THAT(annex.headers["content-disposition"],
              HasSubstr("annex-a-list-1-contacts-2026-11-24-2026-11-24.csv"));
  EXPECT_THAT(annex.body,
              StartsWith("Child Unique ID,Gender,Ethnicity,Date of Birth,Age of Child (Years),"
                         "Date of Contact,Contact Source\n"));
  EXPECT_THAT(annex.body, HasSubstr(",24/11/2026,q) 6: Police\n"));
  EXPECT_EQ(std::count(annex.body.begin(), annex.body.end(), '\n'), 3);
  // A day with no contacts has only the heading.
  Reply empty =
      client_->Get("/v1/exports/annex-a/contacts?from=2026-11-25&to=2026-11-25", kManagerToken);
  EXPECT_EQ(std::count(empty.body.begin(), empty.body.end(), '\n'), 1);

  EXPECT_EQ(client_->Get("/v1/indicators?from=2026-11-30&to=2026-11-01", kManagerToken).status,
            400);
  EXPECT_EQ(client_->Get("/v1/indicators?from=2026-11-01&to=2026-11-30", kTriageToken).status, 403);
}

TEST_F(LiveTest, WhoAmI) {
  Reply me = client_->Get("/v1/whoami", kTriageToken);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.str("name"), "ifd-triage");
  EXPECT_EQ(me.str("role"), "triage");
  EXPECT_EQ(me.str("now"), "2026-11-24T10:00:00Z");
  EXPECT_EQ(client_->Get("/v1/whoami", "").status, 401);
}

}  // namespace
}  // namespace frontdoor::testing
