// GET /v1/signin against the real binary without `oidc:`: a 404, so the
// pages offer the token paste only, and the pages' Content-Security-Policy
// allows connections to the server itself only. (With `oidc:` the server
// needs a provider to start: tests/e2e/signin.test.mjs checks the answer
// and the CSP against the real test provider.)
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
