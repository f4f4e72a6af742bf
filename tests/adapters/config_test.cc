// The server config file: what CONTRACT.md promises, with clear errors.
#include "adapters/http/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "frontdoor/proto_time.h"
#include "tests/support/temp_dir.h"

namespace frontdoor {
namespace {

using ::testing::HasSubstr;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_ / "rules");
    std::ofstream(dir_ / "rules/policy.yaml") << "label: test\n";
    std::ofstream(dir_ / "bank-holidays.json") << "{}";
  }

  std::filesystem::path Write(const std::string& text) {
    auto path = dir_ / "config.yaml";
    std::ofstream(path) << text;
    return path;
  }

  testing::TempDir scratch_;
  const std::filesystem::path& dir_ = scratch_.path();
};

TEST_F(ConfigTest, ReadsKeysAndResolvesPathsBesideTheFile) {
  auto config =
      LoadServerConfig(Write("api_keys:\n"
                             "  - {name: merseyside-police, role: partner, token: \"abc\"}\n"
                             "  - {name: ops, role: admin, token: \"sha256:00\"}\n"
                             "policy: rules/policy.yaml\n"));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->api_keys.size(), 2u);
  EXPECT_EQ(config->api_keys[0].name, "merseyside-police");
  EXPECT_EQ(config->api_keys[1].token, "sha256:00");
  EXPECT_EQ(config->policy, std::filesystem::canonical(dir_ / "rules/policy.yaml"));
  EXPECT_EQ(config->bank_holidays, std::filesystem::canonical(dir_ / "bank-holidays.json"));
  EXPECT_EQ(config->body_limit_bytes, 1u << 20);
  EXPECT_GE(config->io_threads, 1u);
}

TEST_F(ConfigTest, RetentionIsThirtyDaysUnlessSetAndRefusedOutOfRange) {
  const std::string head =
      "api_keys:\n  - {name: a, role: admin, token: t}\npolicy: rules/policy.yaml\n";
  auto defaults = LoadServerConfig(Write(head));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->idempotency_retention_days, 30);
  EXPECT_EQ(defaults->delivered_retention_days, 30);
  EXPECT_EQ(defaults->spool_retention_days, 30);
  auto set = LoadServerConfig(Write(head + "idempotency_retention_days: 7\n"
                                           "delivered_retention_days: 0\n"
                                           "spool_retention_days: 3650\n"));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->idempotency_retention_days, 7);
  EXPECT_EQ(set->delivered_retention_days, 0);
  EXPECT_EQ(set->spool_retention_days, 3650);
  for (const char* bad : {"-1", "3651", "thirty", "1.5", "[30]"}) {
    auto refused = LoadServerConfig(Write(head + "spool_retention_days: " + bad + "\n"));
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_THAT(std::string(refused.status().message()),
                HasSubstr(":4: spool_retention_days must be a whole number of days"))
        << bad;
  }
}

TEST_F(ConfigTest, UnknownSettingNamesLineAndKey) {
  auto config = LoadServerConfig(Write(
      "api_keys:\n  - {name: a, role: admin, token: t}\npolicy: rules/policy.yaml\ncolour: red\n"));
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr(":4: unknown setting 'colour'"));
}

// Regression: spdlog reads an unknown level name as "off", so a typo in
// log_level used to silence the whole log.
TEST_F(ConfigTest, AnUnknownLogLevelIsRefused) {
  auto config =
      LoadServerConfig(Write("api_keys:\n  - {name: ops, role: admin, token: \"abc\"}\n"
                             "policy: rules/policy.yaml\nlog_level: verbose\n"));
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("log_level must be one of"));
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("'verbose'"));
  auto warn =
      LoadServerConfig(Write("api_keys:\n  - {name: ops, role: admin, token: \"abc\"}\n"
                             "policy: rules/policy.yaml\nlog_level: warn\n"));
  ASSERT_TRUE(warn.ok()) << warn.status();
  EXPECT_EQ(warn->log_level, "warn");
}

// `frontdoor config check` and `serve` name every setting at fault in one
// run, each with its line, in file order; a setting that failed is not
// blamed a second time by the checks that need it.
TEST_F(ConfigTest, EverySettingAtFaultIsNamedWithItsLine) {
  std::vector<absl::Status> errors;
  auto config = LoadServerConfig(Write("api_keys:\n"
                                       "  - {name: a, role: admin}\n"          // 2
                                       "policy: nowhere.yaml\n"                // 3
                                       "log_level: verbose\n"                  // 4
                                       "colour: red\n"                         // 5
                                       "tls: {cert: server.crt}\n"             // 6
                                       "auth_failures: {burst: 0}\n"),         // 7
                                 &errors);
  ASSERT_FALSE(config.ok());
  ASSERT_EQ(errors.size(), 6u) << config.status();
  EXPECT_THAT(std::string(errors[0].message()), HasSubstr("config.yaml:2: each api key needs"));
  EXPECT_THAT(std::string(errors[1].message()), HasSubstr("config.yaml:4: log_level must be"));
  EXPECT_THAT(std::string(errors[2].message()), HasSubstr("config.yaml:5: unknown setting"));
  EXPECT_THAT(std::string(errors[3].message()), HasSubstr("config.yaml:6: tls needs a cert"));
  EXPECT_THAT(std::string(errors[4].message()),
              HasSubstr("config.yaml:7: auth_failures: burst must be at least 1"));
  // Files are looked for after the settings are read, named by their line.
  EXPECT_THAT(std::string(errors[5].message()),
              HasSubstr("config.yaml:3: policy: nowhere.yaml not found"));
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  // The one status holds them all, a line each.
  const std::string all(config.status().message());
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 5) << all;
  // Not "at least one key is needed": the keys' own error says it.
  EXPECT_THAT(all, ::testing::Not(HasSubstr("at least one key")));
}

TEST_F(ConfigTest, OnlyMissingFilesIsNotFound) {
  auto config = LoadServerConfig(Write(
      "api_keys:\n  - {name: a, role: admin, token: t}\npolicy: nowhere.yaml\n"
      "tls: {cert: no.crt, key: no.key}\n"));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound) << config.status();
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("tls.cert: no.crt not found"));
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("tls.key: no.key not found"));
  EXPECT_EQ(LoadServerConfig(dir_ / "absent.yaml").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ConfigTest, MissingPolicyFile) {
  auto config = LoadServerConfig(
      Write("api_keys:\n  - {name: a, role: admin, token: t}\npolicy: nowhere.yaml\n"));
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("nowhere.yaml not found"));
}

TEST_F(ConfigTest, KeysNeedNameRoleAndToken) {
  auto config =
      LoadServerConfig(Write("api_keys:\n  - {name: a, role: admin}\npolicy: rules/policy.yaml\n"));
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("needs a name, a role and a token"));
}

TEST_F(ConfigTest, KeysCarryOrganisationExpiryAndAgency) {
  auto config = LoadServerConfig(
      Write("api_keys:\n"
            "  - {name: police-2026, role: partner, token: a, organisation: merseyside-police,\n"
            "     expires_at: \"2027-03-31T23:59:59Z\", agency: POLICE}\n"
            "  - {name: ops, role: admin, token: b}\n"
            "auth_failures: {burst: 3, per_seconds: 30}\n"
            "policy: rules/policy.yaml\n"));
  ASSERT_TRUE(config.ok()) << config.status();
  const ApiKeyConfig& police = config->api_keys[0];
  EXPECT_EQ(police.organisation, "merseyside-police");
  ASSERT_TRUE(police.expires_at.has_value());
  EXPECT_EQ(*police.expires_at, *ParseRfc3339("2027-03-31T23:59:59Z"));
  EXPECT_EQ(police.agency, "POLICE");
  // Without an organisation a key is its own, as before organisations.
  EXPECT_EQ(config->api_keys[1].organisation, "ops");
  EXPECT_FALSE(config->api_keys[1].expires_at.has_value());
  EXPECT_TRUE(config->api_keys[1].agency.empty());
  EXPECT_EQ(config->auth_failures.burst, 3u);
  EXPECT_EQ(config->auth_failures.per, std::chrono::seconds(30));
}

TEST_F(ConfigTest, AuthFailuresHaveDefaults) {
  auto config =
      LoadServerConfig(Write("api_keys:\n  - {name: a, role: admin, token: t}\n"
                             "policy: rules/policy.yaml\n"));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->auth_failures.burst, 10u);
  EXPECT_EQ(config->auth_failures.per, std::chrono::seconds(60));
}

struct BadKeyCase {
  const char* name;
  const char* key_fields;
  const char* message;
};

class BadKeyFieldTest : public ConfigTest, public ::testing::WithParamInterface<BadKeyCase> {};

TEST_P(BadKeyFieldTest, NamesLineAndField) {
  auto config = LoadServerConfig(Write(std::string("policy: rules/policy.yaml\n"
                                                   "api_keys:\n"
                                                   "  - {name: ok, role: admin, token: t}\n"
                                                   "  - {name: a, role: partner, token: u, ") +
                                       GetParam().key_fields + "}\n"));
  ASSERT_FALSE(config.ok());
  std::string message(config.status().message());
  EXPECT_THAT(message, HasSubstr("config.yaml:4: api_keys: "));
  EXPECT_THAT(message, HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    ApiKeys, BadKeyFieldTest,
    ::testing::Values(
        BadKeyCase{"ExpiryNotRfc3339", "expires_at: next-tuesday",
                   "expires_at must be an RFC 3339 time such as 2027-03-31T23:59:59Z, not "
                   "'next-tuesday'"},
        BadKeyCase{"ExpiryWithoutZone", "expires_at: \"2027-03-31T23:59:59\"", "expires_at"},
        BadKeyCase{"UnknownAgency", "agency: CARRIER_PIGEON",
                   "agency must be a source code such as POLICE or SCHOOLS, not 'CARRIER_PIGEON'"},
        BadKeyCase{"UnspecifiedAgency", "agency: SOURCE_UNSPECIFIED", "agency must be"},
        BadKeyCase{"EmptyOrganisation", "organisation: \"\"", "organisation must not be empty"},
        BadKeyCase{"UnknownField", "owner: me", "unknown field 'owner'"}),
    [](const ::testing::TestParamInfo<BadKeyCase>& param_info) { return param_info.param.name; });

TEST_F(ConfigTest, BadAuthFailuresNameLineAndField) {
  auto config =
      LoadServerConfig(Write("api_keys:\n  - {name: a, role: admin, token: t}\n"
                             "policy: rules/policy.yaml\n"
                             "auth_failures: {burst: 0}\n"));
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("config.yaml:4: auth_failures: burst must be at least 1"));
  config =
      LoadServerConfig(Write("api_keys:\n  - {name: a, role: admin, token: t}\n"
                             "policy: rules/policy.yaml\n"
                             "auth_failures: {per_minutes: 1}\n"));
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("unknown field 'per_minutes'"));
}

TEST_F(ConfigTest, TlsFilesAreResolvedBesideTheFile) {
  std::ofstream(dir_ / "server.crt") << "x";
  std::ofstream(dir_ / "server.key") << "x";
  std::ofstream(dir_ / "partners-ca.crt") << "x";
  auto config = LoadServerConfig(
      Write("api_keys:\n  - {name: a, role: admin, token: t}\n"
            "  - {name: police-cms, role: partner, client_certificate_subject: \"CN=police-cms\"}\n"
            "policy: rules/policy.yaml\n"
            "tls: {cert: server.crt, key: server.key, client_ca: partners-ca.crt}\n"));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_TRUE(config->tls);
  EXPECT_EQ(config->tls->cert, std::filesystem::weakly_canonical(dir_ / "server.crt"));
  EXPECT_EQ(config->tls->key, std::filesystem::weakly_canonical(dir_ / "server.key"));
  EXPECT_EQ(config->tls->client_ca, std::filesystem::weakly_canonical(dir_ / "partners-ca.crt"));
  EXPECT_EQ(config->api_keys[1].client_certificate_subject, "CN=police-cms");
  EXPECT_TRUE(config->api_keys[1].token.empty());

  auto plain = LoadServerConfig(
      Write("api_keys:\n  - {name: a, role: admin, token: t}\npolicy: rules/policy.yaml\n"));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_FALSE(plain->tls);
}

TEST_F(ConfigTest, BadTlsSettingsAreRefused) {
  std::ofstream(dir_ / "server.crt") << "x";
  std::ofstream(dir_ / "server.key") << "x";
  const std::string head =
      "api_keys:\n  - {name: a, role: admin, token: t}\npolicy: rules/policy.yaml\n";
  auto missing_key = LoadServerConfig(Write(head + "tls: {cert: server.crt}\n"));
  ASSERT_FALSE(missing_key.ok());
  EXPECT_THAT(std::string(missing_key.status().message()), HasSubstr("tls needs a cert and a key"));
  auto unknown =
      LoadServerConfig(Write(head + "tls: {cert: server.crt, key: server.key, ca: x}\n"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("tls: unknown field 'ca'"));
  auto nowhere = LoadServerConfig(Write(head + "tls: {cert: nowhere.crt, key: server.key}\n"));
  ASSERT_FALSE(nowhere.ok());
  EXPECT_THAT(std::string(nowhere.status().message()),
              HasSubstr("tls.cert: nowhere.crt not found"));
  // A certificate subject means nothing without a CA to check it.
  auto no_ca = LoadServerConfig(
      Write("api_keys:\n  - {name: cms, role: partner, client_certificate_subject: \"CN=cms\"}\n"
            "policy: rules/policy.yaml\ntls: {cert: server.crt, key: server.key}\n"));
  ASSERT_FALSE(no_ca.ok());
  EXPECT_THAT(std::string(no_ca.status().message()),
              HasSubstr("client_certificate_subject needs tls.client_ca"));
  auto neither =
      LoadServerConfig(Write("api_keys:\n  - {name: cms, role: partner}\n"
                             "policy: rules/policy.yaml\n"));
  ASSERT_FALSE(neither.ok());
  EXPECT_THAT(std::string(neither.status().message()),
              HasSubstr("a token (or a client_certificate_subject)"));
}

TEST_F(ConfigTest, OidcScopesAreWhatThePagesAskFor) {
  const std::string head =
      "api_keys:\n  - {name: ops, role: admin, token: \"abc\"}\npolicy: rules/policy.yaml\n";
  auto plain = LoadServerConfig(
      Write(head + "oidc: {issuer: 'http://127.0.0.1:9000', audience: frontdoor}\n"));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->oidc->scopes, "openid profile offline_access");
  auto entra = LoadServerConfig(
      Write(head + "oidc: {issuer: 'http://127.0.0.1:9000', audience: frontdoor, client_id: web,\n"
                   "       scopes: 'openid profile offline_access api://frontdoor/access'}\n"));
  ASSERT_TRUE(entra.ok()) << entra.status();
  EXPECT_EQ(entra->oidc->scopes, "openid profile offline_access api://frontdoor/access");
  auto empty = LoadServerConfig(
      Write(head + "oidc: {issuer: 'http://127.0.0.1:9000', audience: frontdoor, scopes: ''}\n"));
  EXPECT_FALSE(empty.ok());
}

// subscriptions: webhooks to partner systems, checked when the file loads.
class SubscriptionConfigTest : public ConfigTest {
 protected:
  absl::StatusOr<ServerConfig> Load(const std::string& subscriptions) {
    return LoadServerConfig(
        Write("api_keys:\n"
              "  - {name: police-cms, role: partner, token: t, organisation: police-a, "
              "agency: POLICE}\n"
              "  - {name: ops, role: admin, token: u}\n"
              "policy: rules/policy.yaml\n" +
              subscriptions));
  }
  static constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
};

TEST_F(SubscriptionConfigTest, ReadsEverySetting) {
  std::ofstream(dir_ / "ca.pem") << "-----BEGIN CERTIFICATE-----\n";
  auto config = Load(std::string("subscriptions:\n"
                                 "  - name: police-cms\n"
                                 "    url: https://cms.police.example/frontdoor/events\n"
                                 "    secrets: [\"") +
                     kSecret + "\", \"whsec_c2Vjb25k\"]\n" +
                     "    events: [org.frontdoor.contact.decided, org.frontdoor.check.requested]\n"
                     "    organisation: police-a\n"
                     "    ca_file: ca.pem\n"
                     "    timeout_seconds: 2.5\n"
                     "  - {name: managers, url: 'http://127.0.0.1:8080/hook', secrets: [\"" +
                     kSecret + "\"]}\n");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->subscriptions.size(), 2u);
  const SubscriptionConfig& police = config->subscriptions[0];
  EXPECT_EQ(police.name, "police-cms");
  EXPECT_EQ(police.url, "https://cms.police.example/frontdoor/events");
  EXPECT_EQ(police.secrets.size(), 2u);
  EXPECT_EQ(police.events.size(), 2u);
  EXPECT_EQ(police.organisation, "police-a");
  EXPECT_EQ(police.ca_file, std::filesystem::canonical(dir_ / "ca.pem"));
  EXPECT_EQ(police.timeout, std::chrono::milliseconds(2500));
  const SubscriptionConfig& managers = config->subscriptions[1];
  EXPECT_TRUE(managers.events.empty());
  EXPECT_TRUE(managers.organisation.empty());
  EXPECT_EQ(managers.timeout, std::chrono::milliseconds(10'000));
}

TEST_F(SubscriptionConfigTest, RefusesWhatCannotWork) {
  const std::string secret = std::string("[\"") + kSecret + "\"]";
  struct Case {
    std::string yaml, message;
  };
  const Case cases[] = {
      {"  - {name: a, url: 'http://cms.example/hook', secrets: " + secret + "}\n",
       "http:// is allowed only on a loopback address"},
      {"  - {name: a, url: 'ftp://127.0.0.1/x', secrets: " + secret + "}\n",
       "must be an https:// URL"},
      {"  - {name: a, url: 'https://x.example', secrets: " + secret + "}\n" +
           "  - {name: a, url: 'https://y.example', secrets: " + secret + "}\n",
       "the name 'a' is used twice"},
      {"  - {name: 'a b', url: 'https://x.example', secrets: " + secret + "}\n",
       "must be letters, digits and '-'"},
      {"  - {name: email, url: 'https://x.example', secrets: " + secret + "}\n",
       "taken by a built-in sink"},
      {"  - {name: a, url: 'https://x.example', secrets: []}\n", "needs one or two secrets"},
      {"  - {name: a, url: 'https://x.example', secrets: [" + std::string(kSecret) + ", " +
           kSecret + ", " + kSecret + "]}\n",
       "needs one or two secrets"},
      {"  - {name: a, url: 'https://x.example', secrets: [topsecretvalue]}\n",
       "secrets[0]: a webhook secret must start with whsec_"},
      {"  - {name: a, url: 'https://x.example', secrets: [whsec_not*base64]}\n",
       "must be base64 after whsec_"},
      {"  - {name: a, url: 'https://x.example', secrets: " + secret +
           ", events: [org.frontdoor.contact.sent]}\n",
       "'org.frontdoor.contact.sent' is not one of org.frontdoor.contact.acknowledged"},
      {"  - {name: a, url: 'https://x.example', secrets: " + secret + ", ca_file: nowhere.pem}\n",
       "ca_file: nowhere.pem not found"},
      {"  - {name: a, url: 'https://x.example', secrets: " + secret +
           ", organisation: health-b}\n",
       "organisation 'health-b' is no api key's organisation"},
      {"  - {name: a, url: 'https://x.example', secrets: " + secret + ", colour: red}\n",
       "unknown field 'colour'"},
      {"  - {name: a, secrets: " + secret + "}\n", "needs a name and a url"},
  };
  for (const Case& c : cases) {
    auto config = Load("subscriptions:\n" + c.yaml);
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(c.message)) << c.yaml;
    // Secrets are never quoted back.
    EXPECT_THAT(std::string(config.status().message()),
                ::testing::Not(HasSubstr("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")));
    EXPECT_THAT(std::string(config.status().message()),
                ::testing::Not(HasSubstr("topsecretvalue")));
  }
}

}  // namespace
}  // namespace frontdoor
