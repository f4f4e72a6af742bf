// deploy/frontdoor.service as systemd reads it: `systemd-analyze verify` on
// a copy whose binary paths point at the binary just built (verify wants
// every Exec* program to exist), the config check it runs before each start
// run here with the unit's own words, and its limit of open files above the
// connection cap with room for RocksDB's files (the arithmetic is in the
// unit and in docs/operations.md).
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kInstalledBinary[] = "/opt/frontdoor/bin/frontdoor";
constexpr char kInstalledConfig[] = "/etc/frontdoor/config.yaml";
constexpr char kInstalledData[] = "/var/lib/frontdoor";

std::string ReadUnit() {
  std::ifstream in(std::string(FRONTDOOR_SOURCE_DIR) + "/deploy/frontdoor.service");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The value of each `Key=` line, in order.
std::vector<std::string> Values(const std::string& unit, const std::string& key) {
  std::vector<std::string> out;
  std::istringstream lines(unit);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(key + "=", 0) == 0) out.push_back(line.substr(key.size() + 1));
  }
  return out;
}

struct CommandRun {
  int exit_code = -1;
  std::string output;
};

CommandRun Shell(const std::string& command) {
  CommandRun run;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

const std::string kBuiltBinary = std::string(FRONTDOOR_BINARY_DIR) + "/frontdoor";

TEST(ServiceUnit, SystemdAnalyzeVerifiesIt) {
  const std::string unit = ReadUnit();
  ASSERT_THAT(unit, HasSubstr(kInstalledBinary));
  TempDir dir("service-unit");
  // The unit's name is the file's: verify a frontdoor.service.
  const auto copy = dir.path() / "frontdoor.service";
  std::ofstream(copy) << ReplaceAll(unit, kInstalledBinary, kBuiltBinary);
  // deploy/install-deps.sh installs systemd, which brings systemd-analyze.
  CommandRun verify = Shell("/usr/bin/systemd-analyze verify " + copy.string());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  // Warnings (an unknown key, a bad value) leave the exit code 0: none may
  // name the unit.
  EXPECT_THAT(verify.output, ::testing::Not(HasSubstr("frontdoor.service"))) << verify.output;

  // A unit with a typo is caught, so the check above can fail.
  std::ofstream(copy) << ReplaceAll(unit, kInstalledBinary, kBuiltBinary) +
                             "\n[Service]\nRestart=sometimes\n";
  CommandRun typo = Shell("/usr/bin/systemd-analyze verify " + copy.string());
  EXPECT_THAT(typo.output, HasSubstr("frontdoor.service")) << typo.output;
}

TEST(ServiceUnit, RunsAsItsOwnUserWithOnlyTheDataFolderWritable) {
  const std::string unit = ReadUnit();
  EXPECT_THAT(Values(unit, "User"), ::testing::ElementsAre("frontdoor"));
  EXPECT_THAT(Values(unit, "ProtectSystem"), ::testing::ElementsAre("strict"));
  EXPECT_THAT(Values(unit, "ReadWritePaths"), ::testing::ElementsAre(kInstalledData));
  EXPECT_THAT(Values(unit, "Restart"), ::testing::ElementsAre("on-failure"));
  const std::vector<std::string> reload = Values(unit, "ExecReload");
  ASSERT_FALSE(reload.empty());
  EXPECT_EQ(reload.back(), "/bin/kill -HUP $MAINPID");
  const std::vector<std::string> start = Values(unit, "ExecStart");
  ASSERT_EQ(start.size(), 1u);
  EXPECT_THAT(start[0], HasSubstr(std::string(kInstalledBinary) + " serve --config " +
                                  kInstalledConfig + " --data-dir " + kInstalledData +
                                  " --listen "));
}

// The unit's own config check, on a config and data folder of the test's:
// it passes, and a config with an error stops the start.
TEST(ServiceUnit, TheCheckBeforeEachStartRunsAsWritten) {
  const std::vector<std::string> pre = Values(ReadUnit(), "ExecStartPre");
  ASSERT_EQ(pre.size(), 1u);
  EXPECT_EQ(pre[0], std::string(kInstalledBinary) + " config check " + kInstalledConfig +
                        " --data-dir " + kInstalledData);
  TempDir dir("service-unit-check");
  const auto config = WriteConfig(dir.path());
  auto as_here = [&](const std::filesystem::path& config_file) {
    std::string command = ReplaceAll(pre[0], kInstalledBinary, kBuiltBinary);
    command = ReplaceAll(command, kInstalledConfig, config_file.string());
    return ReplaceAll(command, kInstalledData, (dir.path() / "data").string());
  };
  CommandRun good = Shell(as_here(config));
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_THAT(good.output, HasSubstr("ok: "));
  const auto bad = WriteConfig(dir.path(), "colour: red\n");
  CommandRun refused = Shell(as_here(bad));
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("unknown setting 'colour'"));
}

// Connections are capped at max_connections (its default read from the
// check's own summary); the limit leaves at least 1,024 files beyond it for
// refusals being answered, RocksDB's tables and the rest.
TEST(ServiceUnit, OpenFilesLimitLeavesRoomBeyondTheConnectionCap) {
  TempDir dir("service-unit-limit");
  CommandRun check = Shell(kBuiltBinary + " config check " + WriteConfig(dir.path()).string());
  std::smatch cap;
  ASSERT_TRUE(std::regex_search(check.output, cap, std::regex("at most ([0-9]+) connections")))
      << check.output;
  const std::vector<std::string> limit = Values(ReadUnit(), "LimitNOFILE");
  ASSERT_EQ(limit.size(), 1u);
  EXPECT_GE(std::stoul(limit[0]), std::stoul(cap[1].str()) + 1024);
}

}  // namespace
}  // namespace frontdoor::testing
