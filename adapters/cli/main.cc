// The frontdoor command line: `serve` runs the server; `rules` and
// `open-cases` are the tools a partnership and its operators use offline.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "adapters/cli/serve.h"
#include "adapters/cli/tools.h"
#include "adapters/http/config.h"
#include "rules/rule_cases.h"

namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  frontdoor serve --config FILE --data-dir DIR --listen HOST:PORT [--clock manual[=RFC3339]]\n"
    "  frontdoor rules check POLICY.yaml\n"
    "  frontdoor rules test POLICY.yaml CASES_DIR\n"
    "  frontdoor rules explain POLICY.yaml CONTACT.json\n"
    "  frontdoor rules backtest --data-dir DIR --policy FILE [--from DATE --to DATE]\n"
    "  frontdoor open-cases load FILE.csv [--url http://HOST:PORT] [--token TOKEN]\n";

// The bank holidays the rule commands count with: the installation's, as
// `serve` uses when its config names none.
std::filesystem::path BankHolidaysFile() {
  return frontdoor::InstallRoot() / "deploy/bank-holidays.json";
}

int RulesCommand(const std::vector<std::string>& args) {
  if (args.size() == 2 && args[0] == "check") {
    return frontdoor::rules::CheckPolicy(args[1], std::cout, std::cerr);
  }
  if (args.size() == 3 && args[0] == "test") {
    return frontdoor::rules::RunRuleCases(args[1], args[2], BankHolidaysFile(), std::cout);
  }
  if (args.size() == 3 && args[0] == "explain") {
    return frontdoor::rules::ExplainContact(args[1], args[2], BankHolidaysFile(), std::cout);
  }
  if (!args.empty() && args[0] == "backtest") {
    return frontdoor::BacktestCommand(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  std::cerr << kUsage;
  return 2;
}

int ServeCommand(const std::vector<std::string>& args) {
  frontdoor::ServeArgs serve;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](const char* flag) -> const std::string* {
      if (i + 1 >= args.size()) {
        std::cerr << "frontdoor serve: " << flag << " needs a value\n";
        return nullptr;
      }
      return &args[++i];
    };
    if (arg == "--config") {
      auto v = value("--config");
      if (!v) return 2;
      serve.config = *v;
    } else if (arg == "--data-dir") {
      auto v = value("--data-dir");
      if (!v) return 2;
      serve.data_dir = *v;
    } else if (arg == "--listen") {
      auto v = value("--listen");
      if (!v) return 2;
      serve.listen = *v;
    } else if (arg == "--clock") {
      auto v = value("--clock");
      if (!v) return 2;
      if (*v == "manual") {
        serve.manual_clock = "";
      } else if (v->rfind("manual=", 0) == 0) {
        serve.manual_clock = v->substr(7);
      } else if (*v != "system") {
        std::cerr << "frontdoor serve: --clock takes manual or manual=RFC3339\n";
        return 2;
      }
    } else if (arg.rfind("--clock=", 0) == 0) {
      std::string v = arg.substr(8);
      if (v == "manual") {
        serve.manual_clock = "";
      } else if (v.rfind("manual=", 0) == 0) {
        serve.manual_clock = v.substr(7);
      }
    } else {
      std::cerr << "frontdoor serve: unknown argument " << arg << "\n" << kUsage;
      return 2;
    }
  }
  if (serve.config.empty() || serve.data_dir.empty()) {
    std::cerr << "frontdoor serve: --config and --data-dir are required\n" << kUsage;
    return 2;
  }
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
  if (command == "open-cases" && !args.empty() && args[0] == "load") {
    return frontdoor::LoadOpenCasesCommand(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  std::cerr << "frontdoor: unknown command " << command << "\n" << kUsage;
  return 2;
}
