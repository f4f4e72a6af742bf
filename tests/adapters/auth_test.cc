// Bearer tokens: plain and sha256-stored tokens both work, roles come from
// the key, and nothing else gets in.
#include "adapters/http/auth.h"

#include <gtest/gtest.h>

namespace frontdoor {
namespace {

Authenticator Make() {
  auto auth = Authenticator::Make({
      {"merseyside-police", "partner", "police-token"},
      {"ifd-triage", "triage", "sha256:" + Sha256Hex("triage-token")},
      {"ops", "admin", "admin-token"},
  });
  EXPECT_TRUE(auth.ok()) << auth.status();
  return *auth;
}

TEST(Authenticator, PlainAndHashedTokens) {
  Authenticator auth = Make();
  auto police = auth.Authenticate("Bearer police-token");
  ASSERT_TRUE(police);
  EXPECT_EQ(police->name, "merseyside-police");
  EXPECT_EQ(police->role, Role::kPartner);
  auto triage = auth.Authenticate("bearer triage-token");
  ASSERT_TRUE(triage);
  EXPECT_EQ(triage->role, Role::kTriage);
}

TEST(Authenticator, RefusesEverythingElse) {
  Authenticator auth = Make();
  for (const char* header :
       {"", "Bearer", "Bearer ", "Basic police-token", "police-token", "Bearer police-token ",
        "Bearer POLICE-TOKEN", "Bearer sha256:" /* the stored form is not a token */}) {
    EXPECT_FALSE(auth.Authenticate(header)) << header;
  }
  EXPECT_FALSE(auth.Authenticate("Bearer sha256:" + Sha256Hex("triage-token")));
}

TEST(Authenticator, RejectsBadKeys) {
  EXPECT_FALSE(Authenticator::Make({{"a", "overlord", "t"}}).ok());
  EXPECT_FALSE(Authenticator::Make({{"a", "admin", "sha256:abc"}}).ok());
  EXPECT_FALSE(Authenticator::Make({{"a", "admin", "t"}, {"a", "triage", "u"}}).ok());
  EXPECT_FALSE(Authenticator::Make({{"a", "admin", "t"}, {"b", "triage", "t"}}).ok());
}

TEST(Sha256Hex, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace frontdoor
