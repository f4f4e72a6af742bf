// Staff signed in through a real OpenID provider (tests/oidc/provider.mjs,
// the npm package oidc-provider on loopback) against the real binary: the
// provider's JWT access tokens, got through its real authorization code +
// PKCE flow, let a person act in their role and be named in the history;
// a token without a staff role is 403 with the reason, a bad or expired one
// 401 (also under the manual clock) and counted like a bad key; a key
// rotation at the provider is picked up.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// `node tests/oidc/provider.mjs --port 0`, stopped with SIGTERM.
class ProviderProcess {
 public:
  static std::unique_ptr<ProviderProcess> Start(const std::filesystem::path& log_file) {
    auto provider = std::unique_ptr<ProviderProcess>(new ProviderProcess());
    int out[2];
    if (::pipe(out) != 0) {
      ADD_FAILURE() << "pipe failed";
      return nullptr;
    }
    std::string script = std::string(FRONTDOOR_SOURCE_DIR) + "/tests/oidc/provider.mjs";
    std::vector<std::string> args = {"node", script, "--port", "0"};
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      int log = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (log >= 0) ::dup2(log, STDERR_FILENO);
      ::close(out[0]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("node", argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    provider->pid_ = pid;
    // "issuer http://127.0.0.1:NNNN".
    const std::string line = ReadStartLine(out[0]);
    const std::string head = "issuer http://127.0.0.1:";
    if (line.rfind(head, 0) != 0) {
      ADD_FAILURE() << "the provider did not start (run tests/oidc/run.sh install); stdout: "
                    << line;
      return nullptr;
    }
    provider->issuer_ = line.substr(7, line.find('\n') - 7);
    provider->port_ = static_cast<uint16_t>(std::stoi(line.substr(head.size())));
    return provider;
  }
  ~ProviderProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  const std::string& issuer() const { return issuer_; }
  uint16_t port() const { return port_; }

 private:
  ProviderProcess() = default;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string issuer_;
};

class OidcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    provider_ = ProviderProcess::Start(dir_.path() / "provider.log");
    ASSERT_TRUE(provider_);
    idp_ = std::make_unique<HttpClient>(provider_->port());
    auto config = WriteConfig(dir_.path(), "oidc:\n  issuer: " + provider_->issuer() +
                                               "\n"
                                               "  audience: frontdoor\n"
                                               "  client_id: frontdoor-web\n"
                                               "  roles_claim: roles\n"
                                               "  name_claim: name\n"
                                               "  role_map: {FrontDoor.Manager: manager}\n"
                                               "auth_failures: {burst: 3, per_seconds: 600}\n");
    // The harness's manual clock (2026-11-24): tokens are checked on real time all the same.
    server_ = ServerProcess::Start({config, dir_.path() / "data"});
    ASSERT_TRUE(server_);
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  // A real access token from the provider's code + PKCE flow.
  std::string Token(const std::string& query) {
    Reply reply = idp_->Get("/_test/token?" + query, "");
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.status == 200 ? reply.str("access_token") : "";
  }

  TempDir dir_{"oidc"};
  std::unique_ptr<ProviderProcess> provider_;
  std::unique_ptr<HttpClient> idp_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(OidcTest, SamDecidesAsTriageAndTheHistoryNamesSam) {
  const std::string sam = Token("user=sam");
  Reply who = client_->Get("/v1/whoami", sam);
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(who.str("name"), "Sam Patel");
  EXPECT_EQ(who.str("role"), "triage");
  EXPECT_EQ(who.str("kind"), "PERSON");
  EXPECT_EQ(who.str("subject"), "user-sam");

  Reply created = client_->Post("/v1/contacts", kPartnerToken, ContactJson(1));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string path = "/v1/contacts/" + created.str("id");
  Reply decided = client_->Post(path + "/decision", sam,
                                R"({"route":"SIGNPOST","reason":"Universal services can help."})");
  ASSERT_EQ(decided.status, 200) << decided.body;

  Reply events = client_->Get(path + "/events", sam);
  ASSERT_EQ(events.status, 200) << events.body;
  bool found = false;
  for (const auto& event : events.at("events").as_array()) {
    if (event.at("type").as_string() != "DECISION_RECORDED") continue;
    found = true;
    EXPECT_EQ(event.at("actor").as_string(), "user-sam");
  }
  EXPECT_TRUE(found) << events.body;

  // An ES256 token works as well, and a key still works beside people.
  EXPECT_EQ(client_->Get("/v1/whoami", Token("user=alex&alg=ES256")).str("role"), "admin");
  Reply key = client_->Get("/v1/whoami", kTriageToken);
  EXPECT_EQ(key.str("kind"), "KEY");
  EXPECT_EQ(key.str("name"), "ifd-triage");
  // The provider's app role renamed by role_map.
  EXPECT_EQ(client_->Get("/v1/whoami", Token("user=casey")).str("role"), "manager");
}

TEST_F(OidcTest, NoRoleIs403WithTheReasonAndAWrongRoleIs403) {
  Reply nobody = client_->Get("/v1/whoami", Token("user=nobody"));
  EXPECT_EQ(nobody.status, 403) << nobody.body;
  EXPECT_EQ(nobody.str("detail"),
            "token has no role frontdoor knows: roles claim 'roles' is empty");

  Reply created = client_->Post("/v1/contacts", kPartnerToken, ContactJson(2));
  ASSERT_EQ(created.status, 201) << created.body;
  Reply admin = client_->Post("/v1/contacts/" + created.str("id") + "/decision", Token("user=alex"),
                              R"({"route":"NFA","reason":"x"})");
  EXPECT_EQ(admin.status, 403) << admin.body;
  EXPECT_THAT(admin.str("detail"), HasSubstr("the role admin may not do this"));
}

TEST_F(OidcTest, BadAndExpiredTokensAre401AndCountAsFailures) {
  // Expired two hours ago by real time, although the server's clock is manual.
  Reply expired = client_->Get("/v1/whoami", Token("user=sam&issued_ago=7200&ttl=600"));
  EXPECT_EQ(expired.status, 401) << expired.body;
  EXPECT_EQ(expired.str("detail"), "the token has expired");
  EXPECT_THAT(expired.headers["www-authenticate"], HasSubstr("invalid_token"));

  std::string sam = Token("user=sam");
  std::string tampered = sam;
  tampered[sam.find('.') + 5] = tampered[sam.find('.') + 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(client_->Get("/v1/whoami", tampered).status, 401);
  EXPECT_EQ(client_->Get("/v1/whoami", "garbage.not.jwt").status, 401);
  // Three failures in the window: the next attempt is held back, even a good one.
  Reply held = client_->Get("/v1/whoami", sam);
  EXPECT_EQ(held.status, 429) << held.body;
  EXPECT_THAT(server_->Logs(), Not(HasSubstr(sam.substr(sam.rfind('.') + 1))))
      << "tokens are never logged";
}

TEST_F(OidcTest, AKeyRotationAtTheProviderIsPickedUp) {
  EXPECT_EQ(client_->Get("/v1/whoami", Token("user=morgan")).status, 200);
  Reply rotated = idp_->Post("/_test/rotate", "", "");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string token = Token("user=morgan");
  Reply who = client_->Get("/v1/whoami", token);
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(who.str("name"), "Morgan Lee");
  EXPECT_EQ(who.str("role"), "manager");
}

}  // namespace
}  // namespace frontdoor::testing
