// Bearer tokens: plain and sha256-stored tokens both work, roles come from
// the key, and nothing else gets in.
#include "adapters/http/auth.h"

#include <gtest/gtest.h>

#include "frontdoor/proto_time.h"

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

TEST(Authenticator, KeysCarryOrganisationAndAgency) {
  ApiKeyConfig police{"police-2026", "partner", "p1"};
  police.organisation = "merseyside-police";
  police.agency = "POLICE";
  auto auth = Authenticator::Make({police, {"ops", "admin", "admin-token"}});
  ASSERT_TRUE(auth.ok()) << auth.status();
  auto who = auth->Authenticate("Bearer p1");
  ASSERT_TRUE(who);
  EXPECT_EQ(who->organisation, "merseyside-police");
  EXPECT_EQ(who->agency, "POLICE");
  // A key without an organisation is its own organisation.
  auto ops = auth->Authenticate("Bearer admin-token");
  ASSERT_TRUE(ops);
  EXPECT_EQ(ops->organisation, "ops");
  EXPECT_TRUE(ops->agency.empty());
}

TEST(Authenticator, AKeyIsRefusedFromItsExpiry) {
  const TimePoint expiry = *ParseRfc3339("2027-03-31T23:59:59Z");
  ApiKeyConfig old_key{"police-2026", "partner", "p1"};
  old_key.expires_at = expiry;
  auto auth = Authenticator::Make({old_key, {"police-2027", "partner", "p2"}});
  ASSERT_TRUE(auth.ok()) << auth.status();
  AuthOutcome before = auth->Check("Bearer p1", expiry - Millis(1));
  ASSERT_TRUE(before.who);
  EXPECT_EQ(before.refusal, AuthRefusal::kNone);
  AuthOutcome at = auth->Check("Bearer p1", expiry);
  EXPECT_FALSE(at.who);
  EXPECT_EQ(at.refusal, AuthRefusal::kExpired);
  // The key with no expiry goes on working.
  EXPECT_TRUE(auth->Check("Bearer p2", expiry + std::chrono::hours(24 * 365)).who);
  EXPECT_EQ(auth->Check("Bearer nope", expiry).refusal, AuthRefusal::kUnknown);
  EXPECT_EQ(auth->Check("", expiry).refusal, AuthRefusal::kMissing);
}

TEST(Authenticator, AClientCertificateSubjectNamesItsKey) {
  const TimePoint now = *ParseRfc3339("2027-01-01T00:00:00Z");
  ApiKeyConfig cms{"police-cms", "partner", ""};
  cms.organisation = "merseyside-police";
  cms.client_certificate_subject = "CN=police-cms,O=Merseyside Police";
  ApiKeyConfig old_cms{"old-cms", "partner", ""};
  old_cms.client_certificate_subject = "CN=old-cms";
  old_cms.expires_at = now - Millis(1);
  auto auth = Authenticator::Make({cms, old_cms, {"ops", "admin", "admin-token"}});
  ASSERT_TRUE(auth.ok()) << auth.status();
  AuthOutcome by_cert = auth->CheckCertificate("CN=police-cms,O=Merseyside Police", now);
  ASSERT_TRUE(by_cert.who);
  EXPECT_EQ(by_cert.who->name, "police-cms");
  EXPECT_EQ(by_cert.who->organisation, "merseyside-police");
  EXPECT_EQ(by_cert.who->kind, Principal::Kind::kKey);
  EXPECT_EQ(auth->CheckCertificate("CN=police-cms", now).refusal, AuthRefusal::kUnknown);
  EXPECT_EQ(auth->CheckCertificate("CN=old-cms", now).refusal, AuthRefusal::kExpired);
  EXPECT_EQ(auth->CheckCertificate("", now).refusal, AuthRefusal::kMissing);
  // A key with no token is never matched by a token, not even an empty one.
  EXPECT_EQ(auth->Check("Bearer ", now).refusal, AuthRefusal::kUnknown);
  EXPECT_EQ(auth->Check("Bearer x", now).refusal, AuthRefusal::kUnknown);
  EXPECT_TRUE(auth->Check("Bearer admin-token", now).who);
  // Two keys may not share a subject.
  ApiKeyConfig twin{"twin", "partner", ""};
  twin.client_certificate_subject = cms.client_certificate_subject;
  EXPECT_FALSE(Authenticator::Make({cms, twin}).ok());
}

TEST(Sha256Hex, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace frontdoor
