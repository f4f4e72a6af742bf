// The identity provider token check without a provider: keys generated here
// by OpenSSL, published through a fake HTTP getter as a JWKS, and tokens
// signed by libjwt, good and bad in every way the verifier must notice. Also
// the staff role from the roles claim and the oidc: config section.
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "adapters/http/config.h"
#include "adapters/http/person_auth.h"
#include "adapters/oidc/http_get.h"
#include "adapters/oidc/verifier.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace frontdoor::oidc {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr char kIssuer[] = "https://login.example.test/tenant/v2.0";
constexpr char kJwksUri[] = "https://login.example.test/tenant/keys";

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(message, &out).ok());
  return out;
}

std::string B64(const std::string& bytes) {
  std::string out;
  absl::WebSafeBase64Escape(bytes, &out);
  return out;
}

std::string BnBytes(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1);
  std::string out(pad > 0 ? pad : BN_num_bytes(bn), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return out;
}

std::string Pem(EVP_PKEY* key, bool private_key) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (private_key) {
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PUBKEY(bio, key);
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(size));
  BIO_free(bio);
  return out;
}

// A signing key made here, with its JWK as a provider would publish it.
struct TestKey {
  std::string private_pem;
  std::string public_pem;
  v1::Jwk jwk;
};

TestKey MakeRsa(const std::string& kid) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  EXPECT_NE(key, nullptr);
  TestKey out{Pem(key, true), Pem(key, false), {}};
  out.jwk.set_kty("RSA");
  out.jwk.set_kid(kid);
  out.jwk.set_use("sig");
  out.jwk.set_alg("RS256");
  out.jwk.set_n(B64(BnBytes(key, OSSL_PKEY_PARAM_RSA_N)));
  out.jwk.set_e(B64(BnBytes(key, OSSL_PKEY_PARAM_RSA_E)));
  EVP_PKEY_free(key);
  return out;
}

TestKey MakeEc(const std::string& kid) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  EXPECT_NE(key, nullptr);
  TestKey out{Pem(key, true), Pem(key, false), {}};
  out.jwk.set_kty("EC");
  out.jwk.set_kid(kid);
  out.jwk.set_crv("P-256");
  out.jwk.set_x(B64(BnBytes(key, OSSL_PKEY_PARAM_EC_PUB_X, 32)));
  out.jwk.set_y(B64(BnBytes(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32)));
  EVP_PKEY_free(key);
  return out;
}

// Serves the discovery document and a JWKS that tests change; counts GETs.
class FakeProvider final : public HttpGetter {
 public:
  void Publish(std::initializer_list<const TestKey*> keys) {
    v1::Jwks jwks;
    for (const TestKey* key : keys) *jwks.add_keys() = key->jwk;
    absl::MutexLock lock(&mu_);
    jwks_ = ToJson(jwks);
  }
  absl::StatusOr<std::string> Get(const std::string& url) override {
    absl::MutexLock lock(&mu_);
    ++gets_[url];
    if (url == std::string(kIssuer) + "/.well-known/openid-configuration") {
      v1::OidcDiscovery discovery;
      discovery.set_issuer(kIssuer);
      discovery.set_jwks_uri(kJwksUri);
      return ToJson(discovery);
    }
    if (url == kJwksUri) return jwks_;
    return absl::FailedPreconditionError(url + ": HTTP 404");
  }
  int gets(const std::string& url) {
    absl::MutexLock lock(&mu_);
    return gets_[url];
  }

 private:
  absl::Mutex mu_;
  std::string jwks_ GUARDED_BY(mu_);
  std::map<std::string, int> gets_ GUARDED_BY(mu_);
};

google::protobuf::Struct GoodClaims(system_clock::time_point now = system_clock::now()) {
  google::protobuf::Struct claims;
  auto& f = *claims.mutable_fields();
  const double t = static_cast<double>(std::chrono::floor<seconds>(now).time_since_epoch().count());
  f["iss"].set_string_value(kIssuer);
  f["aud"].set_string_value("frontdoor");
  f["sub"].set_string_value("user-sam");
  f["name"].set_string_value("Sam Patel");
  f["roles"].mutable_list_value()->add_values()->set_string_value("triage");
  f["iat"].set_number_value(t);
  f["exp"].set_number_value(t + 300);
  return claims;
}

std::string Sign(jwt_alg_t alg, const std::string& key, const std::string& kid,
                 const google::protobuf::Struct& claims) {
  jwt_t* jwt = nullptr;
  EXPECT_EQ(jwt_new(&jwt), 0);
  EXPECT_EQ(jwt_add_grants_json(jwt, ToJson(claims).c_str()), 0);
  if (!kid.empty()) {
    EXPECT_EQ(jwt_add_header(jwt, "kid", kid.c_str()), 0);
  }
  EXPECT_EQ(jwt_set_alg(jwt, alg,
                        key.empty() ? nullptr : reinterpret_cast<const unsigned char*>(key.data()),
                        static_cast<int>(key.size())),
            0);
  char* encoded = jwt_encode_str(jwt);
  EXPECT_NE(encoded, nullptr);
  std::string out = encoded ? encoded : "";
  free(encoded);
  jwt_free(jwt);
  return out;
}

class VerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    provider_->Publish({&rsa_, &ec_});
    VerifierOptions options;
    options.issuer = kIssuer;
    options.audience = "frontdoor";
    auto started = TokenVerifier::Start(options, provider_, [this] { return steady_; });
    ASSERT_TRUE(started.ok()) << started.status();
    verifier_ = *std::move(started);
  }

  absl::StatusOr<TokenPerson> Verify(const std::string& token,
                                     system_clock::time_point now = system_clock::now()) {
    return verifier_->Verify(token, now);
  }

  static void ExpectRefused(const absl::StatusOr<TokenPerson>& result, const std::string& why) {
    ASSERT_FALSE(result.ok());
    EXPECT_TRUE(absl::IsUnauthenticated(result.status())) << result.status();
    EXPECT_NE(result.status().message().find(why), std::string_view::npos) << result.status();
  }

  // Key generation is slow: the keys are shared by the tests.
  static const TestKey rsa_;
  static const TestKey ec_;
  std::shared_ptr<FakeProvider> provider_ = std::make_shared<FakeProvider>();
  std::chrono::steady_clock::time_point steady_{};
  std::unique_ptr<TokenVerifier> verifier_;
};
const TestKey VerifierTest::rsa_ = MakeRsa("rsa-1");
const TestKey VerifierTest::ec_ = MakeEc("ec-1");

TEST_F(VerifierTest, AcceptsAGoodRs256Token) {
  auto person = Verify(Sign(JWT_ALG_RS256, rsa_.private_pem, "rsa-1", GoodClaims()));
  ASSERT_TRUE(person.ok()) << person.status();
  EXPECT_EQ(person->subject, "user-sam");
  EXPECT_EQ(person->name, "Sam Patel");
  EXPECT_EQ(person->roles, std::vector<std::string>{"triage"});
  EXPECT_EQ(verifier_->key_fetches(), 1);
}

TEST_F(VerifierTest, AcceptsAGoodEs256TokenWithAnAudienceList) {
  auto claims = GoodClaims();
  auto* aud = (*claims.mutable_fields())["aud"].mutable_list_value();
  aud->add_values()->set_string_value("something-else");
  aud->add_values()->set_string_value("frontdoor");
  auto person = Verify(Sign(JWT_ALG_ES256, ec_.private_pem, "ec-1", claims));
  ASSERT_TRUE(person.ok()) << person.status();
  EXPECT_EQ(person->subject, "user-sam");
}

TEST_F(VerifierTest, RefusesAnotherAudience) {
  auto claims = GoodClaims();
  (*claims.mutable_fields())["aud"].set_string_value("another-api");
  ExpectRefused(Verify(Sign(JWT_ALG_RS256, rsa_.private_pem, "rsa-1", claims)), "another audience");
}

TEST_F(VerifierTest, RefusesAnotherIssuer) {
  auto claims = GoodClaims();
  (*claims.mutable_fields())["iss"].set_string_value("https://evil.example.test/");
  ExpectRefused(Verify(Sign(JWT_ALG_RS256, rsa_.private_pem, "rsa-1", claims)), "another issuer");
}

TEST_F(VerifierTest, ExpiryHasALeewayOfOneMinuteAndNoMore) {
  auto now = system_clock::now();
  auto claims = GoodClaims(now - seconds(3600));
  (*claims.mutable_fields())["exp"].set_number_value(
      static_cast<double>(std::chrono::floor<seconds>(now).time_since_epoch().count() - 50));
  std::string token = Sign(JWT_ALG_RS256, rsa_.private_pem, "rsa-1", claims);
  EXPECT_TRUE(Verify(token, now).ok()) << "50 s past exp is within the leeway";
  ExpectRefused(Verify(token, now + seconds(20)), "expired");
}

TEST_F(VerifierTest, RefusesATokenNotValidYet) {
  auto now = system_clock::now();
  auto claims = GoodClaims(now);
  (*claims.mutable_fields())["nbf"].set_number_value(
      static_cast<double>(std::chrono::floor<seconds>(now).time_since_epoch().count() + 120));
  std::string token = Sign(JWT_ALG_RS256, rsa_.private_pem, "rsa-1", claims);
  ExpectRefused(Verify(token, now), "not valid yet");
  EXPECT_TRUE(Verify(token, now + seconds(61)).ok()) << "within the leeway of nbf";
}

TEST_F(VerifierTest, RefusesAlgNone) {
  std::string token = Sign(JWT_ALG_NONE, "", "rsa-1", GoodClaims());
  ExpectRefused(Verify(token), "'none' is not accepted");
  // Also with an empty signature put back on by hand.
  ExpectRefused(Verify(token + "."), "not a JWT");
}

TEST_F(VerifierTest, RefusesHmacWithThePublicKeyAsSecret) {
  // The classic confusion: HS256 keyed with the RSA public key's PEM.
  std::string token = Sign(JWT_ALG_HS256, rsa_.public_pem, "rsa-1", GoodClaims());
  ExpectRefused(Verify(token), "'HS256' is not accepted");
  EXPECT_EQ(verifier_->key_fetches(), 1) << "refused before any key was looked for";
}

TEST_F(VerifierTest, RefusesAKeyOfTheOtherAlgorithm) {
  // Signed ES256 but naming the RSA key.
  ExpectRefused(Verify(Sign(JWT_ALG_ES256, ec_.private_pem, "rsa-1", GoodClaims())),
                "does not match its key");
}

TEST_F(VerifierTest, RefusesATamperedPayload) {
  std::string token = Sign(JWT_ALG_RS256, rsa_.private_pem, "rsa-1", GoodClaims());
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  ASSERT_EQ(parts.size(), 3u);
  auto claims = GoodClaims();
  (*claims.mutable_fields())["roles"].mutable_list_value()->mutable_values(0)->set_string_value(
      "admin");
  std::string tampered = parts[0] + "." + B64(ToJson(claims)) + "." + parts[2];
  ExpectRefused(Verify(tampered), "signature does not verify");
  // A signature from another key of the same type fails too.
  TestKey other = MakeRsa("rsa-1");
  ExpectRefused(Verify(Sign(JWT_ALG_RS256, other.private_pem, "rsa-1", GoodClaims())),
                "signature does not verify");
}

TEST_F(VerifierTest, RefusesGarbage) {
  ExpectRefused(Verify("not-a-token"), "not a JWT");
  ExpectRefused(Verify("a.b.c"), "not a JWT");
  ExpectRefused(Verify(""), "not a JWT");
}

TEST_F(VerifierTest, AnUnknownKidFetchesTheKeysAgainOnceWithinTheBound) {
  TestKey rotated = MakeRsa("rsa-2");
  provider_->Publish({&rotated, &rsa_});
  EXPECT_EQ(provider_->gets(kJwksUri), 1);

  // The provider rotated: the first token with the new kid fetches the set again.
  auto person = Verify(Sign(JWT_ALG_RS256, rotated.private_pem, "rsa-2", GoodClaims()));
  ASSERT_TRUE(person.ok()) << person.status();
  EXPECT_EQ(provider_->gets(kJwksUri), 2);
  EXPECT_TRUE(Verify(Sign(JWT_ALG_RS256, rotated.private_pem, "rsa-2", GoodClaims())).ok());
  EXPECT_EQ(provider_->gets(kJwksUri), 2) << "a known kid fetches nothing";

  // A kid nobody publishes: no more fetches until the bound has passed.
  steady_ += seconds(10);
  TestKey stranger = MakeRsa("rsa-9");
  std::string token = Sign(JWT_ALG_RS256, stranger.private_pem, "rsa-9", GoodClaims());
  for (int i = 0; i < 5; ++i) ExpectRefused(Verify(token), "key the provider does not publish");
  EXPECT_EQ(provider_->gets(kJwksUri), 2);
  steady_ += seconds(21);
  ExpectRefused(Verify(token), "key the provider does not publish");
  ExpectRefused(Verify(token), "key the provider does not publish");
  EXPECT_EQ(provider_->gets(kJwksUri), 3) << "one fetch once 30 s have passed";
  EXPECT_EQ(verifier_->key_fetches(), 3);
}

TEST_F(VerifierTest, RolesMayBeOneString) {
  auto claims = GoodClaims();
  (*claims.mutable_fields())["roles"].set_string_value("manager");
  (*claims.mutable_fields()).erase("name");
  auto person = Verify(Sign(JWT_ALG_RS256, rsa_.private_pem, "rsa-1", claims));
  ASSERT_TRUE(person.ok()) << person.status();
  EXPECT_EQ(person->roles, std::vector<std::string>{"manager"});
  EXPECT_EQ(person->name, "user-sam") << "no name claim: the subject is shown";
}

TEST(VerifierStartTest, RefusesAnIssuerOverPlainHttpOffLoopback) {
  VerifierOptions options;
  options.issuer = "http://login.example.test/";
  options.audience = "frontdoor";
  auto started = TokenVerifier::Start(options, std::make_shared<FakeProvider>());
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.status().message().find("loopback"), std::string_view::npos);
  EXPECT_TRUE(CheckProviderUrl("http://127.0.0.1:8080").ok());
  EXPECT_TRUE(CheckProviderUrl("http://[::1]:8080/x").ok());
  EXPECT_TRUE(CheckProviderUrl("https://login.microsoftonline.com/t/v2.0").ok());
  EXPECT_FALSE(CheckProviderUrl("ftp://127.0.0.1/").ok());
}

TEST(VerifierStartTest, RefusesADiscoveryDocumentForAnotherIssuer) {
  VerifierOptions options;
  options.issuer = std::string(kIssuer) + "/other";
  options.audience = "frontdoor";
  auto started = TokenVerifier::Start(options, std::make_shared<FakeProvider>());
  EXPECT_FALSE(started.ok());
}

// The staff role: first known role after role_map; 403's reason otherwise.
class PersonAuthTest : public VerifierTest {
 protected:
  std::unique_ptr<PersonAuthenticator> Start(std::map<std::string, std::string> role_map = {}) {
    OidcConfig config;
    config.issuer = kIssuer;
    config.audience = "frontdoor";
    config.role_map = std::move(role_map);
    auto started = PersonAuthenticator::Start(config, provider_);
    EXPECT_TRUE(started.ok()) << started.status();
    return started.ok() ? *std::move(started) : nullptr;
  }
  std::string TokenWithRoles(std::vector<std::string> roles) {
    auto claims = GoodClaims();
    auto* list = (*claims.mutable_fields())["roles"].mutable_list_value();
    list->clear_values();
    for (const auto& role : roles) list->add_values()->set_string_value(role);
    return Sign(JWT_ALG_RS256, rsa_.private_pem, "rsa-1", claims);
  }
};

TEST_F(PersonAuthTest, APersonWithAStaffRole) {
  auto people = Start({{"FrontDoor.Manager", "manager"}});
  ASSERT_NE(people, nullptr);
  AuthOutcome outcome =
      people->Check(TokenWithRoles({"Other", "FrontDoor.Manager", "triage"}), system_clock::now());
  ASSERT_TRUE(outcome.who.has_value()) << outcome.detail;
  EXPECT_EQ(outcome.who->kind, Principal::Kind::kPerson);
  EXPECT_EQ(outcome.who->role, Role::kManager);
  EXPECT_EQ(outcome.who->Id(), "user-sam");
  EXPECT_EQ(outcome.who->name, "Sam Patel");
  EXPECT_TRUE(outcome.who->organisation.empty());
}

TEST_F(PersonAuthTest, NoStaffRoleIsRefusedWithTheReason) {
  auto people = Start();
  ASSERT_NE(people, nullptr);
  AuthOutcome empty = people->Check(TokenWithRoles({}), system_clock::now());
  EXPECT_EQ(empty.refusal, AuthRefusal::kNoRole);
  EXPECT_EQ(empty.detail, "token has no role frontdoor knows: roles claim 'roles' is empty");
  AuthOutcome partner = people->Check(TokenWithRoles({"partner", "Staff"}), system_clock::now());
  EXPECT_EQ(partner.refusal, AuthRefusal::kNoRole);
  EXPECT_NE(partner.detail.find("has partner, Staff"), std::string::npos) << partner.detail;
  AuthOutcome bad = people->Check("x.y.z", system_clock::now());
  EXPECT_EQ(bad.refusal, AuthRefusal::kUnknown);
  EXPECT_EQ(bad.detail, "not a JWT (or its header's typ is not JWT)");
}

// The oidc: section of the config file.
class OidcConfigTest : public ::testing::Test {
 protected:
  absl::StatusOr<ServerConfig> Load(const std::string& oidc_yaml) {
    dir_ = std::filesystem::temp_directory_path() /
           ("oidc-config-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "policy.yaml") << "# empty\n";
    std::ofstream(dir_ / "bank-holidays.json") << "{}\n";
    std::ofstream(dir_ / "frontdoor.yaml") << "policy: policy.yaml\n" << oidc_yaml;
    return LoadServerConfig(dir_ / "frontdoor.yaml");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(OidcConfigTest, ReadsEverySettingAndNeedsNoApiKey) {
  auto config = Load(
      "oidc:\n"
      "  issuer: https://login.microsoftonline.com/tenant/v2.0\n"
      "  audience: api://frontdoor\n"
      "  client_id: frontdoor-web\n"
      "  roles_claim: groups\n"
      "  name_claim: preferred_username\n"
      "  role_map: {FrontDoor.Triage: triage, FrontDoor.Admin: admin}\n");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_TRUE(config->oidc.has_value());
  EXPECT_EQ(config->oidc->issuer, "https://login.microsoftonline.com/tenant/v2.0");
  EXPECT_EQ(config->oidc->audience, "api://frontdoor");
  EXPECT_EQ(config->oidc->client_id, "frontdoor-web");
  EXPECT_EQ(config->oidc->roles_claim, "groups");
  EXPECT_EQ(config->oidc->name_claim, "preferred_username");
  EXPECT_EQ(config->oidc->role_map.at("FrontDoor.Admin"), "admin");
}

TEST_F(OidcConfigTest, RefusesMistakes) {
  auto http = Load("oidc: {issuer: 'http://login.example.test/', audience: frontdoor}\n");
  ASSERT_FALSE(http.ok());
  EXPECT_NE(http.status().message().find("loopback"), std::string_view::npos) << http.status();
  EXPECT_TRUE(Load("oidc: {issuer: 'http://127.0.0.1:9000', audience: frontdoor}\n").ok());
  auto no_audience = Load("oidc: {issuer: 'https://login.example.test/'}\n");
  EXPECT_FALSE(no_audience.ok());
  auto bad_role =
      Load("oidc: {issuer: 'https://a.test/', audience: f, role_map: {Boss: superuser}}\n");
  ASSERT_FALSE(bad_role.ok());
  EXPECT_NE(bad_role.status().message().find("superuser"), std::string_view::npos);
  auto unknown = Load("oidc: {issuer: 'https://a.test/', audience: f, client_secret: x}\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown field 'client_secret'"),
            std::string_view::npos);
}

}  // namespace
}  // namespace frontdoor::oidc
