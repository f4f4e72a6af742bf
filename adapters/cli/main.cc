// The frontdoor command line: `serve` runs the server; `config check`,
// `rules` and `open-cases` are the tools a partnership and its operators
// use offline.
// Every command reads its flags through adapters/cli/flags.h, so a bad
// value is refused here with exit code 2 before anything starts.
#include <iostream>
#include <string>
#include <vector>

#include "adapters/cli/config_check.h"
#include "adapters/cli/flags.h"
#include "adapters/cli/serve.h"
#include "adapters/cli/tools.h"
#include "adapters/http/config.h"
#include "rules/rule_cases.h"

namespace {

constexpr char kServeUsage[] =
    "frontdoor serve --config FILE --data-dir DIR --listen HOST:PORT "
    "[--clock system|manual[=RFC3339]]\n";
constexpr char kCheckUsage[] = "frontdoor rules check POLICY.yaml\n";
constexpr char kTestUsage[] = "frontdoor rules test POLICY.yaml CASES_DIR\n";
constexpr char kExplainUsage[] = "frontdoor rules explain POLICY.yaml CONTACT.json\n";

constexpr char kUsage[] =
    "usage:\n"
    "  frontdoor serve --config FILE --data-dir DIR --listen HOST:PORT [--clock manual[=RFC3339]]\n"
    "  frontdoor config check FILE [--data-dir DIR]\n"
    "  frontdoor rules check POLICY.yaml\n"
    "  frontdoor rules test POLICY.yaml CASES_DIR\n"
    "  frontdoor rules explain POLICY.yaml CONTACT.json\n"
    "  frontdoor rules backtest --data-dir DIR --policy FILE [--from DATE --to DATE]\n"
    "  frontdoor open-cases load FILE.csv [--url http://HOST:PORT] [--token TOKEN]\n"
    "  frontdoor backup create --data-dir DATA DIR\n"
    "  frontdoor backup verify DIR\n"
    "  frontdoor backup restore DIR --data-dir NEW\n";

// The bank holidays the rule commands count with: the installation's, as
// `serve` uses when its config names none.
std::filesystem::path BankHolidaysFile() {
  return frontdoor::InstallRoot() / "deploy/bank-holidays.json";
}

// Parses `args`; on a refusal prints why and the command's usage.
bool ParseOrExplain(const frontdoor::cli::FlagParser& flags, const std::vector<std::string>& args,
                    const char* usage) {
  absl::Status parsed = flags.Parse(args);
  if (parsed.ok()) return true;
  std::cerr << parsed.message() << "\nusage: " << usage;
  return false;
}

int RulesCommand(const std::vector<std::string>& args) {
  namespace cli = frontdoor::cli;
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  std::string policy, second;
  if (args[0] == "check") {
    cli::FlagParser flags("frontdoor rules check");
    flags.Word("POLICY.yaml", &policy);
    if (!ParseOrExplain(flags, rest, kCheckUsage)) return 2;
    return frontdoor::rules::CheckPolicy(policy, std::cout, std::cerr);
  }
  if (args[0] == "test") {
    cli::FlagParser flags("frontdoor rules test");
    flags.Word("POLICY.yaml", &policy).Word("CASES_DIR", &second);
    if (!ParseOrExplain(flags, rest, kTestUsage)) return 2;
    return frontdoor::rules::RunRuleCases(policy, second, BankHolidaysFile(), std::cout);
  }
  if (args[0] == "explain") {
    cli::FlagParser flags("frontdoor rules explain");
    flags.Word("POLICY.yaml", &policy).Word("CONTACT.json", &second);
    if (!ParseOrExplain(flags, rest, kExplainUsage)) return 2;
    return frontdoor::rules::ExplainContact(policy, second, BankHolidaysFile(), std::cout);
  }
  if (args[0] == "backtest") return frontdoor::BacktestCommand(rest);
  std::cerr << "frontdoor rules: unknown command " << args[0] << "\n" << kUsage;
  return 2;
}

int ServeCommand(const std::vector<std::string>& args) {
  namespace cli = frontdoor::cli;
  frontdoor::ServeArgs serve;
  cli::FlagParser flags("frontdoor serve");
  flags.Required("config", cli::Text(&serve.config))
      .Required("data-dir", cli::Text(&serve.data_dir))
      .Optional("listen", cli::ListenAddress(&serve.listen))
      .Optional("clock", cli::Clock(&serve.manual_clock));
  if (!ParseOrExplain(flags, args, kServeUsage)) return 2;
  return frontdoor::Serve(serve);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "serve") return ServeCommand(args);
  if (command == "rules") return RulesCommand(args);
  if (command == "backup") return frontdoor::BackupCommand(args);
  if (command == "config") return frontdoor::ConfigCommand(args, std::cout, std::cerr);
  if (command == "open-cases" && !args.empty() && args[0] == "load") {
    return frontdoor::LoadOpenCasesCommand(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  std::cerr << "frontdoor: unknown command " << command << "\n" << kUsage;
  return 2;
}
