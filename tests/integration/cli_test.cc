// The command line as operators use it: checking and testing a policy,
// loading open cases into a running server, a backtest read from the data
// folder while the server keeps running, and bad flags refused before
// anything starts.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"
#include "tests/support/source_tree.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;

struct CommandRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs the binary with `args`, after `prefix` (e.g. "timeout 20 ") when given.
CommandRun Frontdoor(const std::string& args, const std::string& prefix = "") {
  std::string command = prefix + std::string(FRONTDOOR_BINARY_DIR) + "/frontdoor " + args + " 2>&1";
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

const std::string kPolicy = DefaultPolicyPath().string();

TEST(Cli, RulesCheckAndTest) {
  CommandRun check = Frontdoor("rules check " + kPolicy);
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_THAT(check.output, HasSubstr("OK"));
  CommandRun test =
      Frontdoor("rules test " + kPolicy + " " + FRONTDOOR_SOURCE_DIR + "/tests/rules/cases");
  EXPECT_EQ(test.exit_code, 0) << test.output;
  EXPECT_THAT(test.output, HasSubstr("0 failed"));

  TempDir dir("cli-bad-policy");
  std::ofstream(dir.path() / "bad.yaml")
      << "label: Bad\ntables:\n  - name: t\n    hit_policy: SOMETIMES\n";
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

  CommandRun backtest =
      Frontdoor("rules backtest --data-dir " + data.string() + " --policy " + kPolicy);
  EXPECT_EQ(backtest.exit_code, 0) << backtest.output;
  EXPECT_THAT(backtest.output, HasSubstr("against 6 stored contacts"));
  EXPECT_THAT(backtest.output, HasSubstr("Route changed for 0, level changed for 0."));
  // The server was not disturbed.
  EXPECT_EQ(client.Post("/v1/contacts", kPartnerToken, ContactJson(30)).status, 201);

  std::ofstream(dir.path() / "broken.csv") << "case_id,team\nCASE-1,\n";
  CommandRun broken = Frontdoor("open-cases load " + (dir.path() / "broken.csv").string() +
                                " --url " + url + " --token " + kCaseSystemToken);
  EXPECT_NE(broken.exit_code, 0);
  EXPECT_THAT(broken.output, HasSubstr("nothing was loaded"));
}

// A backup taken while the server runs, restored into a new data folder,
// serves every contact to a second server started on it, which numbers new
// contacts past those that may have been issued after the backup.
TEST(Cli, BackupOfARunningServerRestoresEveryContact) {
  TempDir dir("cli-backup");
  const auto data = dir.path() / "data";
  std::vector<std::string> ids;
  {
    auto server = ServerProcess::Start({WriteConfig(dir.path()), data});
    ASSERT_TRUE(server);
    HttpClient client(server->port());
    for (int i = 0; i < 5; ++i) {
      Reply created = client.Post("/v1/contacts", kPartnerToken, ContactJson(40 + i));
      ASSERT_EQ(created.status, 201);
      ids.push_back(created.str("id"));
    }
    CommandRun made = Frontdoor("backup create --data-dir " + data.string() + " " +
                                (dir.path() / "bk").string());
    ASSERT_EQ(made.exit_code, 0) << made.output;
    EXPECT_THAT(made.output, HasSubstr("contacts 5"));
  }
  CommandRun verified = Frontdoor("backup verify " + (dir.path() / "bk").string());
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  CommandRun refused = Frontdoor("backup restore " + (dir.path() / "bk").string() +
                                 " --data-dir " + data.string());
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  CommandRun bad_skip = Frontdoor("backup restore " + (dir.path() / "bk").string() +
                                  " --data-dir " + (dir.path() / "new").string() +
                                  " --skip-contact-numbers -1");
  EXPECT_EQ(bad_skip.exit_code, 2) << bad_skip.output;
  EXPECT_THAT(bad_skip.output, HasSubstr("--skip-contact-numbers takes a whole number"));
  CommandRun restored = Frontdoor("backup restore " + (dir.path() / "bk").string() +
                                  " --data-dir " + (dir.path() / "new").string() +
                                  " --skip-contact-numbers 100");
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  // 5 in the backup, 100 skipped, and the block of 64 a store reserves.
  EXPECT_THAT(restored.output, HasSubstr("contacts numbered up to 5 are in the backup; new "
                                         "contacts start at number 170"));
  auto server = ServerProcess::Start({WriteConfig(dir.path()), dir.path() / "new"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  for (const auto& id : ids) EXPECT_EQ(client.Get("/v1/contacts/" + id, kTriageToken).status, 200);
  Reply next = client.Post("/v1/contacts", kPartnerToken, ContactJson(50));
  ASSERT_EQ(next.status, 201) << next.body;
  EXPECT_EQ(next.str("id"), "FD-00000170");
}

// Regression: `serve --clock=bad` was taken for the system clock and the
// server started. Each bad command line is refused with exit code 2 and a
// message naming the flag, before the data folder is touched. `timeout`
// stops a server that starts anyway (it then exits 0 and the test fails).
TEST(Cli, ServeRefusesBadFlagsBeforeStarting) {
  TempDir dir("cli-flags");
  const std::string config = WriteConfig(dir.path()).string();
  const std::pair<std::string, std::string> cases[] = {
      {"--listen 127.0.0.1:0 --clock=bad",
       "frontdoor serve: --clock takes system, manual or manual=RFC3339, not bad"},
      {"--listen 127.0.0.1:0 --clock manual=notatime",
       "frontdoor serve: --clock manual=notatime is not an RFC 3339 date and time"},
      {"--listen 127.0.0.1:0 --clock", "frontdoor serve: --clock needs a value"},
      {"--listen 127.0.0.1:0 --bogus 1", "frontdoor serve: unknown flag --bogus"},
      {"--listen nowhere", "frontdoor serve: --listen takes HOST:PORT"},
      {"--listen 127.0.0.1:99999", "frontdoor serve: --listen takes HOST:PORT"},
      {"--listen 127.0.0.1:0 --listen 127.0.0.1:0", "frontdoor serve: --listen is given twice"},
      {"--listen 127.0.0.1:0 extra", "frontdoor serve: unexpected argument extra"},
  };
  int n = 0;
  for (const auto& [flags, message] : cases) {
    const auto data = dir.path() / ("data-" + std::to_string(++n));
    CommandRun run =
        Frontdoor("serve --config " + config + " --data-dir " + data.string() + " " + flags,
                  "timeout -s TERM 20 ");
    EXPECT_EQ(run.exit_code, 2) << flags << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr(message)) << flags;
    EXPECT_THAT(run.output, HasSubstr("usage: frontdoor serve")) << flags;
    EXPECT_FALSE(std::filesystem::exists(data)) << flags;
  }
  CommandRun missing = Frontdoor("serve --data-dir " + (dir.path() / "data").string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.output, HasSubstr("frontdoor serve: --config is required"));
}

TEST(Cli, ToolsRefuseBadFlags) {
  TempDir dir("cli-tool-flags");
  const std::string backtest =
      "rules backtest --data-dir " + (dir.path() / "data").string() + " --policy " + kPolicy + " ";
  const std::pair<std::string, std::string> cases[] = {
      {backtest + "--from 2026-13-01",
       "frontdoor rules backtest: --from takes a date written YYYY-MM-DD, not 2026-13-01"},
      {backtest + "--to=2026-02-30", "--to takes a date written YYYY-MM-DD, not 2026-02-30"},
      // Regression: an unknown flag was ignored and the backtest ran over everything.
      {backtest + "--frm 2026-01-01", "frontdoor rules backtest: unknown flag --frm"},
      {"rules backtest --policy " + kPolicy, "frontdoor rules backtest: --data-dir is required"},
      {"rules check", "frontdoor rules check: needs POLICY.yaml"},
      {"rules check " + kPolicy + " --strict", "frontdoor rules check: unknown flag --strict"},
      {"rules test " + kPolicy, "frontdoor rules test: needs CASES_DIR"},
      {"rules explain " + kPolicy + " a.json b.json", "unexpected argument b.json"},
      {"open-cases load cases.csv --url ftp://example.org",
       "frontdoor open-cases load: --url must be http://HOST:PORT"},
      {"open-cases load cases.csv --token", "frontdoor open-cases load: --token needs a value"},
      {"open-cases load --token t", "frontdoor open-cases load: needs FILE.csv"},
  };
  for (const auto& [args, message] : cases) {
    CommandRun run = Frontdoor(args);
    EXPECT_EQ(run.exit_code, 2) << args << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr(message)) << args;
    EXPECT_THAT(run.output, HasSubstr("usage: ")) << args;
  }
}

}  // namespace
}  // namespace frontdoor::testing
