// The command line as operators use it: checking and testing a policy,
// loading open cases into a running server, and a backtest read from the
// data folder while the server keeps running.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;

struct CommandRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CommandRun Frontdoor(const std::string& args) {
  std::string command = std::string(FRONTDOOR_BINARY_DIR) + "/frontdoor " + args + " 2>&1";
  CommandRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

const std::string kPolicy = std::string(FRONTDOOR_SOURCE_DIR) + "/rules/policies/default.yaml";

TEST(Cli, RulesCheckAndTest) {
  CommandRun check = Frontdoor("rules check " + kPolicy);
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_THAT(check.output, HasSubstr("OK"));
  CommandRun test = Frontdoor("rules test " + kPolicy + " " + FRONTDOOR_SOURCE_DIR + "/tests/rules/cases");
  EXPECT_EQ(test.exit_code, 0) << test.output;
  EXPECT_THAT(test.output, HasSubstr("0 failed"));

  TempDir dir("cli-bad-policy");
  std::ofstream(dir.path() / "bad.yaml") << "label: Bad\ntables:\n  - name: t\n    hit_policy: SOMETIMES\n";
  CommandRun bad = Frontdoor("rules check " + (dir.path() / "bad.yaml").string());
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.output, HasSubstr("bad.yaml:4"));
  EXPECT_THAT(bad.output, HasSubstr("SOMETIMES"));
}

TEST(Cli, OpenCasesLoadAndBacktestAgainstARunningServer) {
  TempDir dir("cli");
  const auto data = dir.path() / "data";
  auto server = ServerProcess::Start({WriteConfig(dir.path()), data});
  ASSERT_TRUE(server);
  const std::string url = "http://127.0.0.1:" + std::to_string(server->port());

  std::ofstream(dir.path() / "cases.csv")
      << "case_id,team,worker,opened_at,given_name,family_name,date_of_birth,nhs_number\n"
      << "CASE-9,Children in Need Team 3,A. Worker,2026-01-05,Alex,Sample,2017-08-17,\n"
      << "CASE-9,Children in Need Team 3,A. Worker,2026-01-05,\"Jo, Jr\",Sample,2015-02-02,\n";
  CommandRun load = Frontdoor("open-cases load " + (dir.path() / "cases.csv").string() + " --url " +
                       url + " --token " + kCaseSystemToken);
  ASSERT_EQ(load.exit_code, 0) << load.output;
  EXPECT_THAT(load.output, HasSubstr("1 open cases loaded"));

  HttpClient client(server->port());
  Reply existing = client.Post("/v1/contacts", kTriageToken, ContactJson(7));  // Alex Sample
  EXPECT_EQ(existing.str("outcome"), "EXISTING_CASE");
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(client.Post("/v1/contacts", kPartnerToken, ContactJson(20 + i)).status, 201);
  }

  CommandRun backtest = Frontdoor("rules backtest --data-dir " + data.string() + " --policy " + kPolicy);
  EXPECT_EQ(backtest.exit_code, 0) << backtest.output;
  EXPECT_THAT(backtest.output, HasSubstr("against 6 stored contacts"));
  EXPECT_THAT(backtest.output, HasSubstr("Route changed for 0, level changed for 0."));
  // The server was not disturbed.
  EXPECT_EQ(client.Post("/v1/contacts", kPartnerToken, ContactJson(30)).status, 201);

  std::ofstream(dir.path() / "broken.csv") << "case_id,team\nCASE-1,\n";
  CommandRun broken = Frontdoor("open-cases load " + (dir.path() / "broken.csv").string() + " --url " +
                         url + " --token " + kCaseSystemToken);
  EXPECT_NE(broken.exit_code, 0);
  EXPECT_THAT(broken.output, HasSubstr("nothing was loaded"));
}

}  // namespace
}  // namespace frontdoor::testing
