// The `email:` setting: exactly one of smtp and notify, the files named
// must exist (resolved beside the config file), and each mistake named with
// its line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "adapters/http/config.h"
#include "tests/support/temp_dir.h"

namespace frontdoor {
namespace {

using ::testing::HasSubstr;

class EmailConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_ / "rules");
    std::ofstream(dir_ / "rules/policy.yaml") << "label: test\n";
    std::ofstream(dir_ / "bank-holidays.json") << "{}";
    std::ofstream(dir_ / "smtp-password") << "pw\n";
    std::ofstream(dir_ / "notify-key") << "k\n";
  }
  absl::StatusOr<ServerConfig> Load(const std::string& email) {
    auto path = dir_ / "config.yaml";
    std::ofstream(path) << "api_keys:\n  - {name: a, role: admin, token: t}\n"
                        << "policy: rules/policy.yaml\n"
                        << email;
    return LoadServerConfig(path);
  }
  std::string Error(const std::string& email) {
    auto config = Load(email);
    EXPECT_FALSE(config.ok());
    return config.ok() ? "" : std::string(config.status().message());
  }
  testing::TempDir scratch_;
  const std::filesystem::path& dir_ = scratch_.path();
};

TEST_F(EmailConfigTest, AbsentMeansNoEmail) {
  auto config = Load("");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->email.has_value());
}

TEST_F(EmailConfigTest, ReadsSmtp) {
  auto config = Load(
      "email:\n  smtp: {host: smtp.council.example, port: 2525, starttls: true, username: fd,\n"
      "         password_file: smtp-password, from: \"Front Door <fd@council.example>\"}\n");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_TRUE(config->email && config->email->smtp);
  const SmtpConfig& smtp = *config->email->smtp;
  EXPECT_EQ(smtp.host, "smtp.council.example");
  EXPECT_EQ(smtp.port, 2525u);
  EXPECT_TRUE(smtp.starttls);
  EXPECT_EQ(smtp.username, "fd");
  EXPECT_EQ(smtp.password_file, std::filesystem::canonical(dir_ / "smtp-password"));
  EXPECT_EQ(smtp.from, "Front Door <fd@council.example>");
  EXPECT_FALSE(config->email->notify.has_value());
}

TEST_F(EmailConfigTest, ReadsNotifyWithItsDefaultBaseUrl) {
  auto config = Load("email:\n  notify: {api_key_file: notify-key, email_template_id: t-1}\n");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_TRUE(config->email && config->email->notify);
  EXPECT_EQ(config->email->notify->base_url, "https://api.notifications.service.gov.uk");
  EXPECT_EQ(config->email->notify->api_key_file, std::filesystem::canonical(dir_ / "notify-key"));
  EXPECT_EQ(config->email->notify->email_template_id, "t-1");
}

TEST_F(EmailConfigTest, RefusesMistakesNamingThem) {
  EXPECT_THAT(Error("email:\n  smtp: {host: h, from: \"a@b.example\"}\n"
                    "  notify: {api_key_file: notify-key, email_template_id: t}\n"),
              HasSubstr(":5: email needs exactly one of smtp and notify"));
  EXPECT_THAT(Error("email: {}\n"), HasSubstr("exactly one of smtp and notify"));
  EXPECT_THAT(Error("email:\n  sendmail: {}\n"), HasSubstr(":5: email: unknown field 'sendmail'"));
  EXPECT_THAT(Error("email:\n  smtp: {host: h, from: \"a@b.example\", colour: red}\n"),
              HasSubstr("email.smtp: unknown field 'colour'"));
  EXPECT_THAT(Error("email:\n  smtp: {from: \"a@b.example\"}\n"), HasSubstr("needs a host"));
  EXPECT_THAT(Error("email:\n  smtp: {host: h, from: nobody}\n"),
              HasSubstr("email.smtp.from must hold an email address"));
  EXPECT_THAT(Error("email:\n  smtp: {host: h, port: 70000, from: \"a@b.example\"}\n"),
              HasSubstr("port must be from 1 to 65535"));
  EXPECT_THAT(Error("email:\n  smtp: {host: h, from: \"a@b.example\", username: u}\n"),
              HasSubstr("a username needs a password_file"));
  EXPECT_THAT(Error("email:\n  smtp: {host: h, from: \"a@b.example\", username: u,"
                    " password_file: missing}\n"),
              HasSubstr("email.smtp.password_file: missing not found"));
  EXPECT_THAT(Error("email:\n  notify: {email_template_id: t}\n"),
              HasSubstr("needs an api_key_file and an email_template_id"));
  EXPECT_THAT(Error("email:\n  notify: {api_key_file: nope, email_template_id: t}\n"),
              HasSubstr("email.notify.api_key_file: nope not found"));
  EXPECT_THAT(Error("email:\n  notify: {api_key_file: notify-key, email_template_id: t,"
                    " base_url: \"http://notify.example\"}\n"),
              HasSubstr("email.notify.base_url"));
}

}  // namespace
}  // namespace frontdoor
