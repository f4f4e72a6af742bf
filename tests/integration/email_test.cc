// Letters by email against real receivers on loopback, with the real
// binary: a real SMTP server (tests/email/smtp_server.py, Debian's
// python3-aiosmtpd, STARTTLS and AUTH required, certificates from
// tests/support/pki.h) and a GOV.UK Notify stand-in
// (tests/email/notify_standin.py) that checks the JWT and the body as
// Notify's documentation says. A letter arrives with a plain and an HTML
// part and no narrative; a refused address (550) is FAILED and on the post
// list; a letter with no address is TO_POST and can be marked posted once;
// Notify's 201 is SENT with its notification id, its 429 is retried when
// the clock moves; a letter Notify took that bounces later (its status,
// asked as the business clock moves) is FAILED and on the post list; each
// state shows in GET /v1/contacts/{id}/letters.
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
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

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kNotifyKey[] =
    "frontdoor_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0";
constexpr char kTemplateId[] = "f33517ff-2a88-4f6e-b855-c550268ce08a";
constexpr char kSmtpPassword[] = "smtp-password-for-tests";

// A receiver script run with Debian's python (/usr/bin/python3, which has
// aiosmtpd and jwt), stopped with SIGTERM.
class Receiver {
 public:
  static std::unique_ptr<Receiver> Start(const std::string& script, std::vector<std::string> args,
                                         const std::filesystem::path& log_file) {
    int out[2];
    if (::pipe(out) != 0) {
      ADD_FAILURE() << "pipe failed";
      return nullptr;
    }
    args.insert(args.begin(), {"/usr/bin/python3", std::string(FRONTDOOR_SOURCE_DIR) + "/" + script});
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      int log = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (log >= 0) ::dup2(log, STDERR_FILENO);
      ::close(out[0]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    auto receiver = std::unique_ptr<Receiver>(new Receiver());
    receiver->pid_ = pid;
    const std::string line = ReadStartLine(out[0]);
    const std::string head = "listening on 127.0.0.1:";
    if (line.rfind(head, 0) != 0) {
      ADD_FAILURE() << script << " did not start (python3-aiosmtpd and python3-jwt are needed: "
                    << "deploy/install-deps.sh); stdout: " << line;
      return nullptr;
    }
    receiver->port_ = static_cast<uint16_t>(std::stoi(line.substr(head.size())));
    return receiver;
  }
  ~Receiver() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  uint16_t port() const { return port_; }

 private:
  Receiver() = default;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The files in `dir` ending in `ext`, in name order, once there are at least
// `n` (waits for the receiver, another process, for at most 30 s).
std::vector<std::filesystem::path> WaitForFiles(const std::filesystem::path& dir,
                                                const std::string& ext, size_t n) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::vector<std::filesystem::path> files;
  do {
    files.clear();
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      if (e.path().extension() == ext) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    if (files.size() >= n) return files;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  ADD_FAILURE() << "waited 30 s for " << n << " " << ext << " files in " << dir;
  return files;
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
  if (n < 0) return "";
  size_t pad = 0;
  while (pad < joined.size() && joined[joined.size() - 1 - pad] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

// The decoded body of the MIME part with this Content-Type.
std::string Part(const std::string& message, const std::string& type) {
  size_t at = message.find("Content-Type: " + type);
  if (at == std::string::npos) return "";
  size_t body = message.find("\r\n\r\n", at);
  if (body == std::string::npos) return "";
  body += 4;
  size_t end = message.find("\r\n--", body);
  return Unbase64(message.substr(body, end - body));
}

// A number field of a JSON answer; 0 when absent (proto3 JSON leaves zeros out).
int64_t Number(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_int64() ? v->as_int64() : 0;
}

// A contact whose referrer has this email address (none when empty: a
// phone number instead).
std::string ContactWithReferrerEmail(int variant, const std::string& email) {
  std::string json = ContactJson(variant);
  std::string old = "\"email\": \"pc" + std::to_string(variant) + "@police.example.org\"";
  size_t at = json.find(old);
  EXPECT_NE(at, std::string::npos);
  json.replace(at, old.size(),
               email.empty() ? "\"phone\": \"0151 496 0000\"" : "\"email\": \"" + email + "\"");
  return json;
}

class EmailTest : public ::testing::Test {
 protected:
  void StartServer(const std::string& email_settings) {
    server_ = ServerProcess::Start(
        {.config = WriteConfig(dir_.path(), email_settings), .data_dir = dir_.path() / "data"});
    ASSERT_NE(server_, nullptr);
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  std::string Submit(const std::string& body) {
    Reply r = client_->Post("/v1/contacts", kPartnerToken, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.str("id") : "";
  }

  // The contact's letter of this kind as GET /v1/contacts/{id}/letters shows
  // it, once it is in `state` (the email queue runs on its own thread: waits
  // at most 30 s).
  boost::json::object LetterWhen(const std::string& contact, const std::string& state,
                                 const std::string& kind = "ACKNOWLEDGEMENT") {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    boost::json::object last;
    do {
      Reply r = client_->Get("/v1/contacts/" + contact + "/letters", kTriageToken);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) return {};
      for (const auto& l : r.at("letters").as_array()) {
        if (l.at("kind") != kind.c_str()) continue;
        last = l.as_object();
        if (last.at("state") == state.c_str()) return last;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (std::chrono::steady_clock::now() < deadline);
    ADD_FAILURE() << "the " << kind << " letter of " << contact << " never became " << state
                  << "; last seen: " << boost::json::serialize(last) << "\n"
                  << server_->Logs();
    return last;
  }

  std::vector<std::string> ToPost() {
    Reply r = client_->Get("/v1/letters?state=TO_POST", kTriageToken);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> ids;
    if (r.status != 200) return ids;
    for (const auto& l : r.at("letters").as_array()) {
      ids.emplace_back(l.at("letter_id").as_string());
    }
    return ids;
  }

  std::string SmtpSettings(const Pki& pki, uint16_t port) {
    dir_.Write("smtp-password", std::string(kSmtpPassword) + "\n");
    return "email:\n  smtp:\n    host: 127.0.0.1\n    port: " + std::to_string(port) +
           "\n    starttls: true\n    username: frontdoor\n    password_file: " +
           (dir_.path() / "smtp-password").string() +
           "\n    from: \"Front Door <frontdoor@council.example>\"\n    ca_file: " +
           pki.Path("ca.crt").string() + "\n";
  }

  std::unique_ptr<Receiver> StartSmtp(const Pki& pki) {
    return Receiver::Start("tests/email/smtp_server.py",
                           {"--folder", (dir_.path() / "mail").string(), "--cert",
                            pki.Path("server.crt").string(), "--key",
                            pki.Path("server.key").string(), "--user", "frontdoor", "--password",
                            kSmtpPassword},
                           dir_.path() / "smtp.log");
  }

  TempDir dir_{"email"};
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(EmailTest, ALetterArrivesBySmtpWithPlainAndHtmlPartsAndNoNarrative) {
  Pki pki(dir_);
  auto smtp = StartSmtp(pki);
  ASSERT_NE(smtp, nullptr);
  StartServer(SmtpSettings(pki, smtp->port()));
  std::string id = Submit(ContactWithReferrerEmail(1, "head@school.example"));
  ASSERT_FALSE(id.empty());

  auto files = WaitForFiles(dir_.path() / "mail", ".eml", 1);
  ASSERT_EQ(files.size(), 1u);
  std::string mail = ReadFile(files[0]);
  EXPECT_THAT(mail, HasSubstr("X-TLS: yes\r\n"));
  EXPECT_THAT(mail, HasSubstr("X-Authenticated: yes\r\n"));
  EXPECT_THAT(mail, HasSubstr("X-Envelope-From: frontdoor@council.example\r\n"));
  EXPECT_THAT(mail, HasSubstr("X-Envelope-To: head@school.example\r\n"));
  EXPECT_THAT(mail, HasSubstr("From: Front Door <frontdoor@council.example>\r\n"));
  EXPECT_THAT(mail, HasSubstr("To: <head@school.example>\r\n"));
  EXPECT_THAT(mail, HasSubstr("Content-Type: multipart/alternative;"));

  boost::json::object letter = LetterWhen(id, "SENT");
  std::string letter_id(letter.at("letter_id").as_string());
  EXPECT_THAT(mail, HasSubstr("Message-ID: <" + letter_id + "@council.example>\r\n"));
  EXPECT_EQ(letter.at("channel"), "smtp");
  EXPECT_EQ(letter.at("reference"), ("<" + letter_id + "@council.example>").c_str());
  std::string plain = Part(mail, "text/plain; charset=utf-8");
  std::string html = Part(mail, "text/html; charset=utf-8");
  std::string text(letter.at("letter").at("body").as_string());
  EXPECT_EQ(plain, text);
  EXPECT_THAT(html, HasSubstr("<p>"));
  EXPECT_THAT(html, HasSubstr(id));
  for (const std::string& part : {plain, html, mail}) {
    EXPECT_THAT(part, Not(HasSubstr("Synthetic narrative")));
    EXPECT_THAT(part, Not(HasSubstr("shouting")));
    EXPECT_THAT(part, Not(HasSubstr("Alex")));  // the child's given name
  }
  // Sent letters are not on the post list; the log never names the address.
  EXPECT_THAT(ToPost(), Not(::testing::Contains(letter_id)));
  EXPECT_THAT(server_->Logs(), Not(HasSubstr("head@school.example")));
}

TEST_F(EmailTest, ARefusedAddressIsFailedAndOnThePostList) {
  Pki pki(dir_);
  auto smtp = StartSmtp(pki);
  ASSERT_NE(smtp, nullptr);
  StartServer(SmtpSettings(pki, smtp->port()));
  std::string id = Submit(ContactWithReferrerEmail(2, "bounce@school.example"));
  ASSERT_FALSE(id.empty());
  boost::json::object letter = LetterWhen(id, "FAILED");
  EXPECT_THAT(std::string(letter.at("last_error").as_string()), HasSubstr("550"));
  std::string letter_id(letter.at("letter_id").as_string());
  EXPECT_THAT(ToPost(), ::testing::Contains(letter_id));
  // Refused for good: one attempt, no retries.
  EXPECT_EQ(Number(letter, "attempts"), 1);
  // Dead at once: listed for admins as a dead delivery of the email channel.
  Reply dead = client_->Get("/v1/admin/deliveries?state=DEAD&channel=email", kAdminToken);
  EXPECT_EQ(dead.status, 200) << dead.body;
  EXPECT_THAT(dead.body, HasSubstr(id));
  // Posted by hand instead.
  Reply posted = client_->Post("/v1/letters/" + letter_id + "/posted", kTriageToken,
                               R"({"note": "second class"})");
  EXPECT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(posted.at("state"), "POSTED");
  EXPECT_THAT(ToPost(), Not(::testing::Contains(letter_id)));
}

TEST_F(EmailTest, WithoutEmailConfiguredLettersGoToTheSpoolOrThePostList) {
  StartServer("");
  std::string with_email = Submit(ContactJson(3));
  std::string without = Submit(ContactWithReferrerEmail(4, ""));
  ASSERT_FALSE(with_email.empty());
  ASSERT_FALSE(without.empty());

  boost::json::object spooled = LetterWhen(with_email, "SENT");
  EXPECT_EQ(spooled.at("channel"), "spool");
  boost::json::object to_post = LetterWhen(without, "TO_POST");
  EXPECT_EQ(to_post.at("channel"), "post");
  EXPECT_EQ(Number(to_post, "attempts"), 0);
  std::string letter_id(to_post.at("letter_id").as_string());
  // The post list shows it once the email queue has looked at it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (ToPost().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_THAT(ToPost(), ::testing::ElementsAre(letter_id));

  // The printable letter, one by itself; partners may not read it.
  Reply one = client_->Get("/v1/letters/" + letter_id, kTriageToken);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_THAT(std::string(one.at("letter").at("body").as_string()), HasSubstr(without));
  EXPECT_EQ(client_->Get("/v1/letters/" + letter_id, kPartnerToken).status, 403);
  EXPECT_EQ(client_->Get("/v1/letters/FD-99999999-2", kTriageToken).status, 404);
  EXPECT_EQ(client_->Get("/v1/letters?state=SENT", kTriageToken).status, 400);

  // Posted once: 200 with who; again 409; a sent letter 409 too.
  Reply posted = client_->Post("/v1/letters/" + letter_id + "/posted", kTriageToken, "{}");
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(posted.at("state"), "POSTED");
  EXPECT_EQ(posted.at("posted_by").at("id"), "ifd-triage");
  Reply again = client_->Post("/v1/letters/" + letter_id + "/posted", kTriageToken, "{}");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(again.headers["content-type"], "application/problem+json");
  std::string sent_id(spooled.at("letter_id").as_string());
  EXPECT_EQ(client_->Post("/v1/letters/" + sent_id + "/posted", kTriageToken, "{}").status, 409);
  EXPECT_EQ(client_->Post("/v1/letters/" + letter_id + "/posted", kTriageToken, R"({"x": 1})")
                .status,
            400);
  EXPECT_TRUE(ToPost().empty());
  boost::json::object shown = LetterWhen(without, "POSTED");
  EXPECT_EQ(shown.at("posted_by").at("id"), "ifd-triage");

  // Reading letters is audited like the other reads.
  Reply audit = client_->Get("/v1/contacts/" + without + "/audit", kManagerToken);
  EXPECT_EQ(audit.status, 200) << audit.body;
  EXPECT_THAT(audit.body, HasSubstr("/v1/letters/" + letter_id));
}

class NotifyTest : public EmailTest {
 protected:
  void SetUp() override {
    notify_ = Receiver::Start("tests/email/notify_standin.py",
                              {"--folder", (dir_.path() / "notify").string(), "--api-key",
                               kNotifyKey, "--template-id", kTemplateId},
                              dir_.path() / "notify.log");
    ASSERT_NE(notify_, nullptr);
    dir_.Write("notify-key", std::string(kNotifyKey) + "\n");
    StartServer("email:\n  notify:\n    api_key_file: " + (dir_.path() / "notify-key").string() +
                "\n    base_url: http://127.0.0.1:" + std::to_string(notify_->port()) +
                "\n    email_template_id: " + kTemplateId + "\n");
  }
  std::unique_ptr<Receiver> notify_;
};

TEST_F(NotifyTest, ALetterGoesThroughNotifyWithAGoodToken) {
  std::string id = Submit(ContactWithReferrerEmail(5, "head@school.example"));
  ASSERT_FALSE(id.empty());
  auto files = WaitForFiles(dir_.path() / "notify", ".json", 1);
  ASSERT_EQ(files.size(), 1u);
  boost::json::value got = boost::json::parse(ReadFile(files[0]));
  const auto& request = got.at("request");
  boost::json::object letter = LetterWhen(id, "SENT");
  std::string letter_id(letter.at("letter_id").as_string());
  EXPECT_EQ(request.at("email_address"), "head@school.example");
  EXPECT_EQ(request.at("template_id"), kTemplateId);
  EXPECT_EQ(request.at("reference"), letter_id.c_str());
  EXPECT_EQ(request.at("personalisation").at("subject"), letter.at("letter").at("subject"));
  EXPECT_EQ(request.at("personalisation").at("body"), letter.at("letter").at("body"));
  EXPECT_THAT(boost::json::serialize(request), Not(HasSubstr("Synthetic narrative")));
  // The stand-in checked HS256, iss and iat; it says what it saw.
  EXPECT_EQ(got.at("jwt").at("header").at("alg"), "HS256");
  EXPECT_EQ(got.at("jwt").at("claims").at("iss"), "26785a09-ab16-4eb0-8407-a37497a57506");
  EXPECT_EQ(letter.at("channel"), "notify");
  EXPECT_EQ(letter.at("reference"), got.at("id"));
}

TEST_F(NotifyTest, ARateLimitIsRetriedWhenTheClockMovesAndARefusalIsFailed) {
  std::string limited = Submit(ContactWithReferrerEmail(6, "ratelimit@school.example"));
  std::string invalid = Submit(ContactWithReferrerEmail(7, "teamonly@school.example"));
  ASSERT_FALSE(limited.empty());
  ASSERT_FALSE(invalid.empty());
  boost::json::object failed = LetterWhen(invalid, "FAILED");
  EXPECT_EQ(failed.at("last_error"), "notify 400");
  boost::json::object waiting = LetterWhen(limited, "QUEUED");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (Number(waiting, "attempts") < 1 && std::chrono::steady_clock::now() < deadline) {
    waiting = LetterWhen(limited, "QUEUED");
  }
  EXPECT_EQ(Number(waiting, "attempts"), 1);
  EXPECT_EQ(waiting.at("last_error"), "notify 429");
  // Nothing more until the business clock moves past the backoff.
  client_->Advance("PT1M");
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (Number(waiting, "attempts") < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    waiting = LetterWhen(limited, "QUEUED");
  }
  EXPECT_EQ(Number(waiting, "attempts"), 2);
  EXPECT_THAT(ToPost(), ::testing::Contains(std::string(failed.at("letter_id").as_string())));
}

TEST_F(NotifyTest, ALetterThatBouncesAfterItWasSentGoesOnThePostList) {
  std::string bounced = Submit(ContactWithReferrerEmail(8, "bounce@school.example"));
  std::string fine = Submit(ContactWithReferrerEmail(9, "head@school.example"));
  ASSERT_FALSE(bounced.empty());
  ASSERT_FALSE(fine.empty());
  boost::json::object sent = LetterWhen(bounced, "SENT");
  std::string letter_id(sent.at("letter_id").as_string());
  std::string notification(sent.at("reference").as_string());
  LetterWhen(fine, "SENT");
  // Notify says "sending" first, then "permanent-failure": asked again only
  // as the business clock passes each backoff (5 min, 10 min, ...).
  auto state_of = [&](const std::string& contact) {
    Reply r = client_->Get("/v1/contacts/" + contact + "/letters", kTriageToken);
    if (r.status != 200) return std::string();
    return std::string(r.at("letters").as_array().at(0).at("state").as_string());
  };
  for (int hour = 0; hour < 12 && state_of(bounced) != "FAILED"; ++hour) {
    client_->Advance("PT1H");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (state_of(bounced) != "FAILED" && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  boost::json::object failed = LetterWhen(bounced, "FAILED");
  EXPECT_EQ(failed.at("last_error"), "notify: permanent-failure");
  EXPECT_EQ(failed.at("reference"), notification.c_str());
  EXPECT_THAT(ToPost(), ::testing::Contains(letter_id));
  // The stand-in checked the token of each GET and logged what it said.
  std::string asked = ReadFile(dir_.path() / "notify" / "status.log");
  EXPECT_THAT(asked, HasSubstr(notification + " sending\n"));
  EXPECT_THAT(asked, HasSubstr(notification + " permanent-failure\n"));
  // The delivered one stays SENT and off the post list.
  boost::json::object delivered = LetterWhen(fine, "SENT");
  EXPECT_THAT(asked, HasSubstr(std::string(delivered.at("reference").as_string()) + " delivered\n"));
  EXPECT_THAT(ToPost(), Not(::testing::Contains(std::string(delivered.at("letter_id").as_string()))));
  // Marked posted by hand, it leaves the list.
  Reply posted = client_->Post("/v1/letters/" + letter_id + "/posted", kTriageToken, "{}");
  EXPECT_EQ(posted.status, 200) << posted.body;
  EXPECT_THAT(ToPost(), Not(::testing::Contains(letter_id)));
}

}  // namespace
}  // namespace frontdoor::testing
