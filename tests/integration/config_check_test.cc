// `frontdoor config check` as an operator (and systemd, before each start)
// runs it: the real binary on real files. A config that would start gets
// exit 0 and one "ok" line; one that would not gets every error, each
// naming its file and line or setting; a spool folder that cannot be
// written is a warning, not an error, because the server starts without it.
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
using ::testing::Not;
using ::testing::StartsWith;

struct CommandRun {
  int exit_code = -1;
  std::string out;  // stdout
  std::string all;  // stdout and stderr
};

CommandRun Frontdoor(const std::string& args) {
  TempDir scratch("config-check-out");
  const auto out_file = scratch.path() / "out";
  const std::string command = std::string(FRONTDOOR_BINARY_DIR) + "/frontdoor " + args + " 2>&1 >" +
                              out_file.string();
  CommandRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) run.all.append(buf, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(out_file);
  run.out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  run.all = run.out + run.all;
  return run;
}

TEST(ConfigCheck, AConfigThatWouldStartGetsOneOkLine) {
  TempDir dir("config-check-ok");
  const auto config = WriteConfig(dir.path());
  CommandRun run = Frontdoor("config check " + config.string() + " --data-dir " +
                             (dir.path() / "data").string());
  EXPECT_EQ(run.exit_code, 0) << run.all;
  EXPECT_THAT(run.out, StartsWith("ok: " + config.string() + ": 6 api keys, policy \""));
  EXPECT_THAT(run.out, HasSubstr("plain HTTP, at most 768 connections, data in "));
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 1) << run.out;
  // Nothing was started or made: not even the data folder.
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "data"));
  // Without --data-dir the folders are not checked.
  EXPECT_EQ(Frontdoor("config check " + config.string()).exit_code, 0);
}

TEST(ConfigCheck, EveryErrorIsNamedWithItsFileAndLine) {
  TempDir dir("config-check-bad");
  std::ofstream(dir.path() / "server.crt") << "not a certificate\n";
  std::ofstream(dir.path() / "server.key") << "not a key\n";
  // Lines 1-9 are WriteConfig's keys, policy and bank holidays.
  const auto config = WriteConfig(dir.path(),
                                  "log_level: chatty\n"                            // 10
                                  "colour: red\n"                                  // 11
                                  "auth_failures: {burst: 0, per_seconds: 60}\n"  // 12
                                  "max_connections: lots\n");                      // 13
  CommandRun run = Frontdoor("config check " + config.string());
  EXPECT_EQ(run.exit_code, 1) << run.all;
  const std::string file = config.string();
  EXPECT_THAT(run.all, HasSubstr(file + ":10: log_level must be one of"));
  EXPECT_THAT(run.all, HasSubstr(file + ":11: unknown setting 'colour'"));
  EXPECT_THAT(run.all, HasSubstr(file + ":12: auth_failures: burst must be at least 1"));
  EXPECT_THAT(run.all, HasSubstr(file + ":13: max_connections: bad conversion"));
  EXPECT_THAT(run.all, HasSubstr(file + ": 4 problems"));
  EXPECT_THAT(run.all, Not(HasSubstr("ok:")));

  // Files named by the config: looked for, and read the way serve reads them.
  const auto tls = WriteConfig(dir.path(), "tls: {cert: server.crt, key: server.key}\n");
  CommandRun bad_tls = Frontdoor("config check " + tls.string());
  EXPECT_EQ(bad_tls.exit_code, 1) << bad_tls.all;
  EXPECT_THAT(bad_tls.all, HasSubstr("tls.cert"));
  EXPECT_THAT(bad_tls.all, HasSubstr("server.crt"));

  const auto missing = WriteConfig(dir.path(), "tls: {cert: nowhere.crt, key: nowhere.key}\n");
  CommandRun gone = Frontdoor("config check " + missing.string());
  EXPECT_EQ(gone.exit_code, 1) << gone.all;
  EXPECT_THAT(gone.all, HasSubstr(missing.string() + ":10: tls.cert: nowhere.crt not found"));
  EXPECT_THAT(gone.all, HasSubstr(missing.string() + ":10: tls.key: nowhere.key not found"));

  EXPECT_EQ(Frontdoor("config check " + (dir.path() / "absent.yaml").string()).exit_code, 1);
}

TEST(ConfigCheck, APolicyThatDoesNotLoadIsNamedByItsOwnLine) {
  TempDir dir("config-check-policy");
  std::ofstream(dir.path() / "bad.yaml")
      << "label: Bad\ntables:\n  - name: t\n    hit_policy: SOMETIMES\n";
  std::ofstream(dir.path() / "config.yaml")
      << "api_keys:\n  - {name: ops, role: admin, token: \"" << kAdminToken << "\"}\n"
      << "policy: bad.yaml\nbank_holidays: " << BankHolidaysPath().string() << "\n";
  CommandRun run = Frontdoor("config check " + (dir.path() / "config.yaml").string());
  EXPECT_EQ(run.exit_code, 1) << run.all;
  EXPECT_THAT(run.all, HasSubstr("bad.yaml:4"));
  EXPECT_THAT(run.all, HasSubstr("SOMETIMES"));

  // Two keys with one token: the API keys are checked as serve checks them.
  std::ofstream(dir.path() / "keys.yaml")
      << "api_keys:\n  - {name: a, role: admin, token: same}\n"
      << "  - {name: b, role: triage, token: same}\n"
      << "policy: " << DefaultPolicyPath().string() << "\nbank_holidays: "
      << BankHolidaysPath().string() << "\n";
  CommandRun keys = Frontdoor("config check " + (dir.path() / "keys.yaml").string());
  EXPECT_EQ(keys.exit_code, 1) << keys.all;
  EXPECT_THAT(keys.all, HasSubstr("api_keys: "));
}

// We run as root, for whom permissions stop nothing: a folder under a
// regular file cannot be made by anyone (ENOTDIR).
TEST(ConfigCheck, ADataDirThatCannotBeMadeIsAnErrorASpoolFolderAWarning) {
  TempDir dir("config-check-folders");
  std::ofstream(dir.path() / "plain-file") << "not a folder\n";
  const auto blocked = dir.path() / "plain-file" / "data";
  const auto config = WriteConfig(dir.path());
  CommandRun data = Frontdoor("config check " + config.string() + " --data-dir " + blocked.string());
  EXPECT_EQ(data.exit_code, 1) << data.all;
  EXPECT_THAT(data.all, HasSubstr("--data-dir: " + blocked.string() + " cannot be made: " +
                                  (dir.path() / "plain-file").string() + " is not a folder"));

  const auto spool = WriteConfig(dir.path(), "spool_dir: plain-file/spool\n");
  CommandRun warned = Frontdoor("config check " + spool.string() + " --data-dir " +
                                (dir.path() / "data").string());
  EXPECT_EQ(warned.exit_code, 0) << warned.all;
  EXPECT_THAT(warned.all, HasSubstr("warning: " + spool.string() + ": spool_dir: "));
  EXPECT_THAT(warned.all, HasSubstr("letters and alerts will wait in the store"));
  EXPECT_THAT(warned.out, StartsWith("ok: "));
}

TEST(ConfigCheck, BadArgumentsAreRefusedWithTheUsage) {
  for (const char* args : {"config", "config check", "config verify x.yaml",
                           "config check a.yaml b.yaml", "config check a.yaml --data-dir",
                           "config check a.yaml --listen 127.0.0.1:0"}) {
    CommandRun run = Frontdoor(args);
    EXPECT_EQ(run.exit_code, 2) << args << "\n" << run.all;
    EXPECT_THAT(run.all, HasSubstr("frontdoor config check FILE")) << args;
  }
}

}  // namespace
}  // namespace frontdoor::testing
