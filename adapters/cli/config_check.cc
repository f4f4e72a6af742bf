// `frontdoor config check`: the loader and the checks `serve` makes before
// it opens the store, in the same order, collecting every error.
#include "adapters/cli/config_check.h"

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>
#include <ostream>
#include <system_error>

#include "adapters/cli/flags.h"
#include "adapters/http/auth.h"
#include "adapters/http/config.h"
#include "adapters/http/tls.h"
#include "adapters/sinks/email.h"
#include "engine/active_policy.h"
#include "engine/clock.h"

namespace frontdoor {

namespace {

constexpr char kConfigUsage[] = "frontdoor config check FILE [--data-dir DIR]\n";

// Whether this process could create `dir` (with its parents) or, when it
// is there, write in it: the nearest folder that exists must be a folder
// this user may write in. Nothing is written. Errors: the reason, in words.
absl::Status CheckWritableFolder(const std::filesystem::path& dir) {
  std::filesystem::path at = std::filesystem::absolute(dir);
  for (;;) {
    std::error_code ec;
    const auto status = std::filesystem::status(at, ec);
    if (std::filesystem::exists(status)) {
      if (!std::filesystem::is_directory(status)) {
        return absl::FailedPreconditionError(
            at == dir ? dir.string() + " is not a folder"
                      : dir.string() + " cannot be made: " + at.string() + " is not a folder");
      }
      if (::access(at.c_str(), W_OK | X_OK) != 0) {
        const std::string why = std::generic_category().message(errno);
        return absl::FailedPreconditionError(
            at == dir ? dir.string() + " cannot be written: " + why
                      : dir.string() + " cannot be made in " + at.string() + ": " + why);
      }
      return absl::OkStatus();
    }
    if (!at.has_parent_path() || at.parent_path() == at) {
      return absl::FailedPreconditionError(dir.string() + " cannot be made");
    }
    at = at.parent_path();
  }
}

std::string Plural(size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

int ConfigCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] != "check") {
    err << "usage: " << kConfigUsage;
    return 2;
  }
  std::string file, data_dir;
  cli::FlagParser flags("frontdoor config check");
  flags.Word("FILE", &file).Optional("data-dir", cli::Text(&data_dir));
  if (absl::Status parsed = flags.Parse(std::vector<std::string>(args.begin() + 1, args.end()));
      !parsed.ok()) {
    err << parsed.message() << "\nusage: " << kConfigUsage;
    return 2;
  }

  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  std::vector<absl::Status> config_errors;
  auto config = LoadServerConfig(file, &config_errors);
  for (const absl::Status& e : config_errors) errors.push_back(std::string(e.message()));

  std::string policy_summary;
  if (config.ok()) {
    // What serve checks next, before it opens the store.
    if (auto keys = Authenticator::Make(config->api_keys); !keys.ok()) {
      errors.push_back(file + ": api_keys: " + std::string(keys.status().message()));
    }
    if (config->tls) {
      if (auto tls = TlsSlot::Load(*config->tls); !tls.ok()) {
        errors.push_back(file + ": " + std::string(tls.status().message()));
      }
    }
    std::vector<rules::PolicyError> policy_errors;
    auto active = LoadActivePolicy(config->policy, config->bank_holidays, &policy_errors);
    if (!active.ok()) {
      if (policy_errors.empty()) {
        errors.push_back(file + ": policy: " + std::string(active.status().message()));
      }
      for (const auto& e : policy_errors) errors.push_back(e.ToString());
    } else {
      policy_summary = "policy \"" + active->policy->label() + "\" " + active->policy->version();
    }
    // The email sender reads its password or key file when it opens;
    // nothing is sent and no server is asked.
    SystemClock real_clock;
    auto transport = MakeLetterTransport(config->email, real_clock);
    if (!transport.ok()) {
      errors.push_back(file + ": email: " + std::string(transport.status().message()));
    } else if (*transport != nullptr) {
      if (absl::Status opened = (*transport)->Open(); !opened.ok()) {
        errors.push_back(file + ": " + std::string(opened.message()));
      }
    }
    if (!std::filesystem::is_directory(config->web_root)) {
      warnings.push_back(file + ": web_root: " + config->web_root.string() +
                         " is not there: the pages are not served (the API is)");
    }
    std::filesystem::path spool = config->spool_dir;
    if (!data_dir.empty()) {
      if (absl::Status s = CheckWritableFolder(data_dir); !s.ok()) {
        errors.push_back("--data-dir: " + std::string(s.message()));
      }
      if (spool.empty()) spool = std::filesystem::path(data_dir) / "spool";
    }
    // The server starts without its spool folder: letters wait in the
    // store, and /readyz and the metrics say the spool is failing.
    if (!spool.empty()) {
      if (absl::Status s = CheckWritableFolder(spool); !s.ok()) {
        warnings.push_back(file + ": spool_dir: " + std::string(s.message()) +
                           ": letters and alerts will wait in the store until it can be written");
      }
    }
  }

  for (const std::string& w : warnings) err << "warning: " << w << "\n";
  if (!errors.empty()) {
    for (const std::string& e : errors) err << e << "\n";
    err << file << ": " << Plural(errors.size(), "problem", "problems") << "\n";
    return 1;
  }
  std::string summary = "ok: " + file + ": " +
                        Plural(config->api_keys.size(), "api key", "api keys");
  if (config->oidc) summary += ", sign-in through " + config->oidc->issuer;
  summary += ", " + policy_summary;
  summary += config->tls ? ", HTTPS" : ", plain HTTP";
  if (!config->subscriptions.empty()) {
    summary += ", " + Plural(config->subscriptions.size(), "subscription", "subscriptions");
  }
  if (config->email) summary += config->email->smtp ? ", email by SMTP" : ", email by Notify";
  summary += ", at most " + std::to_string(config->max_connections) + " connections";
  if (!data_dir.empty()) summary += ", data in " + data_dir;
  out << summary << "\n";
  return 0;
}

}  // namespace frontdoor
