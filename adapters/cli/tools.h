// The offline commands: `rules backtest` (replays stored contacts against a
// policy, read-only, safe while the server runs) and `open-cases load`
// (bulk load of open cases from the case management system's CSV).
#pragma once

#include <string>
#include <vector>

namespace frontdoor {

// Both return the process exit code; `args` are the words after the command.
int BacktestCommand(const std::vector<std::string>& args);
int LoadOpenCasesCommand(const std::vector<std::string>& args);
// `backup create|verify|restore` (engine/backup.h); `args` start with the verb.
int BackupCommand(const std::vector<std::string>& args);

}  // namespace frontdoor
