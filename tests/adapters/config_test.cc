// The server config file: what CONTRACT.md promises, with clear errors.
#include "adapters/http/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

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

}  // namespace
}  // namespace frontdoor
