// GET /v1/signin against the real binary: with `oidc:` in the config it
// tells the pages, without a token, which provider and client to sign in
// through, and the pages' Content-Security-Policy lets them fetch from that
// provider and from no other host; without `oidc:` it is a 404 and the CSP
// stays 'self' only.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A web root with one page, so that the CSP a page gets can be read.
std::string WebRootSetting(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir / "web");
  std::ofstream(dir / "web/index.html") << "<!DOCTYPE html><title>t</title>";
  return "web_root: " + (dir / "web").string() + "\n";
}

TEST(SignIn, TellsThePagesTheProviderAndAllowsItInTheCsp) {
  TempDir dir("signin");
  const std::string extra = WebRootSetting(dir.path()) +
                            "oidc:\n"
                            "  issuer: http://127.0.0.1:4455/realm\n"
                            "  audience: urn:frontdoor\n"
                            "  client_id: frontdoor-web\n"
                            "  scopes: openid profile offline_access frontdoor\n";
  auto server = ServerProcess::Start({WriteConfig(dir.path(), extra), dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());

  Reply options = client.Get("/v1/signin", "");
  ASSERT_EQ(options.status, 200) << options.body;
  EXPECT_EQ(options.str("issuer"), "http://127.0.0.1:4455/realm");
  EXPECT_EQ(options.str("client_id"), "frontdoor-web");
  EXPECT_EQ(options.str("audience"), "urn:frontdoor");
  EXPECT_EQ(options.str("scope"), "openid profile offline_access frontdoor");
  EXPECT_THAT(options.headers["cache-control"], HasSubstr("no-store"));

  Reply page = client.Get("/", "");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.headers["content-security-policy"],
              HasSubstr("connect-src 'self' http://127.0.0.1:4455;"));
  EXPECT_THAT(page.headers["content-security-policy"], HasSubstr("script-src 'self';"));
}

TEST(SignIn, IsNotFoundWithoutAProvider) {
  TempDir dir("signin-off");
  auto server = ServerProcess::Start(
      {WriteConfig(dir.path(), WebRootSetting(dir.path())), dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());

  Reply options = client.Get("/v1/signin", "");
  EXPECT_EQ(options.status, 404);
  EXPECT_EQ(options.str("title"), "No OpenID provider");

  Reply page = client.Get("/", "");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.headers["content-security-policy"], HasSubstr("connect-src 'self';"));
  EXPECT_THAT(page.headers["content-security-policy"], Not(HasSubstr("127.0.0.1")));
}

}  // namespace
}  // namespace frontdoor::testing
