// The pages' security headers: the Content-Security-Policy allows
// connections to the server itself and, when the pages sign in through an
// identity provider, to that provider's origin and nothing else.
#include "adapters/http/static_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace frontdoor {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(OriginOf, KeepsSchemeHostAndPortOnly) {
  EXPECT_EQ(OriginOf("https://login.microsoftonline.com/tenant/v2.0"),
            "https://login.microsoftonline.com");
  EXPECT_EQ(OriginOf("http://127.0.0.1:4455"), "http://127.0.0.1:4455");
  EXPECT_EQ(OriginOf("https://idp.example.gov.uk:8443/realms/x?y#z"),
            "https://idp.example.gov.uk:8443");
}

TEST(OriginOf, RefusesWhatIsNotAnHttpOrigin) {
  EXPECT_EQ(OriginOf(""), "");
  EXPECT_EQ(OriginOf("login.example.gov.uk"), "");
  EXPECT_EQ(OriginOf("javascript://x"), "");
  EXPECT_EQ(OriginOf("https://"), "");
  // Nothing that would read as another CSP source or directive.
  EXPECT_EQ(OriginOf("https://a.example; script-src *"), "");
  EXPECT_EQ(OriginOf("https://a.example,'unsafe-inline'"), "");
}

TEST(WebRoot, AddsTheProviderToConnectSrcOnly) {
  testing::TempDir dir("web-root");
  std::ofstream(dir.path() / "index.html") << "<!DOCTYPE html>";

  auto plain = WebRoot(dir.path()).Serve({""}, 11, false);
  ASSERT_TRUE(plain);
  std::string csp(plain->at("Content-Security-Policy"));
  EXPECT_THAT(csp, HasSubstr("connect-src 'self';"));

  auto signing_in =
      WebRoot(dir.path(), "https://login.example.gov.uk/tenant/v2.0").Serve({""}, 11, false);
  ASSERT_TRUE(signing_in);
  csp = std::string(signing_in->at("Content-Security-Policy"));
  EXPECT_THAT(csp, HasSubstr("connect-src 'self' https://login.example.gov.uk;"));
  EXPECT_THAT(csp, HasSubstr("script-src 'self';"));
  EXPECT_THAT(csp, Not(HasSubstr("tenant")));
}

}  // namespace
}  // namespace frontdoor
