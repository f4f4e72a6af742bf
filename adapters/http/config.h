// The server's configuration file (YAML), as CONTRACT.md describes it: API
// keys with their roles and tokens, the policy file, and optional settings
// that all have defaults. Relative paths are taken from the config file's
// folder first.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace frontdoor {

struct ApiKeyConfig {
  std::string name;
  std::string role;
  // "plain-text" or "sha256:<64 hex digits>".
  std::string token;
};

struct ServerConfig {
  std::vector<ApiKeyConfig> api_keys;
  std::filesystem::path policy;
  // GOV.UK bank-holidays.json format. Default: bank-holidays.json beside the
  // config file, else deploy/bank-holidays.json of the installation.
  std::filesystem::path bank_holidays;
  // Where letters and other emitted events are written as CloudEvents JSON
  // files. Default: <data-dir>/spool.
  std::filesystem::path spool_dir;
  // Largest request body accepted. Default: 1 MiB.
  size_t body_limit_bytes = 1u << 20;
  // I/O threads. Default: one per core.
  unsigned io_threads = 0;
  // Commands queued for the writer before 503s. Default: 20000.
  size_t max_queue = 20000;
  // A client that sends nothing for this long is disconnected. Default: 60 s.
  std::chrono::seconds idle_timeout{60};
  // The web app's built files. Default: web/ beside the frontdoor binary.
  std::filesystem::path web_root;
  // trace, debug, info, warn, error. Default: info.
  std::string log_level = "info";
};

// The root of the build or installation this binary runs from (the folder
// above the frontdoor binary's), where rules/ and deploy/ are found.
std::filesystem::path InstallRoot();

// Reads and checks the config file. Errors: InvalidArgument naming the
// file, line and setting at fault; NotFound when a named file is missing.
absl::StatusOr<ServerConfig> LoadServerConfig(const std::filesystem::path& file);

}  // namespace frontdoor
