// Runs the real `frontdoor serve` binary on port 0 with a temporary data
// folder and config, and talks to it over real HTTP (a small synchronous
// Beast client with keep-alive). Integration tests use this and nothing
// else, so they drive exactly what users and partner systems drive.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "boost/beast/http/message.hpp"
#include "boost/beast/http/string_body.hpp"
#include "boost/json/value.hpp"
#include "tests/support/temp_dir.h"

namespace frontdoor::testing {

// The API keys every test config has, by role.
inline constexpr char kPartnerToken[] = "police-token-for-tests";
inline constexpr char kOtherPartnerToken[] = "school-token-for-tests";
inline constexpr char kTriageToken[] = "triage-token-for-tests";
inline constexpr char kManagerToken[] = "manager-token-for-tests";
inline constexpr char kAdminToken[] = "admin-token-for-tests";
inline constexpr char kCaseSystemToken[] = "case-system-token-for-tests";

// Writes a config with the keys above, the default policy and the shipped
// bank holidays; `extra` is appended verbatim (more settings).
std::filesystem::path WriteConfig(const std::filesystem::path& dir, const std::string& extra = "");

class ServerProcess {
 public:
  struct Options {
    std::filesystem::path config;
    std::filesystem::path data_dir;
    // Passed as --clock; empty for the system clock.
    std::string clock = "manual=2026-11-24T10:00:00Z";
    // When set: the server's limit of open files (as prlimit --nofile).
    int max_open_files = 0;
  };

  // Starts the binary and waits (at most 60 s) for its "listening on" line.
  // Fails the current test (and returns null) if it does not come.
  static std::unique_ptr<ServerProcess> Start(const Options& options);
  ~ServerProcess();

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // SIGTERM, then waits for exit; the exit code (or -signal).
  int Terminate();
  // SIGKILL, then waits.
  void Kill();
  // Sends `signal` (e.g. SIGHUP) and returns at once.
  void Signal(int signal);
  // The server's stderr so far (its logs).
  std::string Logs() const;

 private:
  ServerProcess() = default;
  int WaitForExit();

  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::filesystem::path log_file_;
};

struct Reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  boost::json::value json;                     // null unless the body is JSON

  const boost::json::value& at(std::string_view key) const { return json.as_object().at(key); }
  std::string str(std::string_view key) const;
};

// The Reply for a response read off any stream (plain or TLS).
Reply ReplyFrom(boost::beast::http::response<boost::beast::http::string_body> res);

// The first line a child process writes to `fd` (its start line: "listening
// on ...", "issuer ..."), read for at most `limit`; closes `fd`. Empty or
// partial when the child said nothing in time.
std::string ReadStartLine(int fd, std::chrono::seconds limit = std::chrono::seconds(60));

// One keep-alive connection. Not thread-safe; use one per thread.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port);
  ~HttpClient();

  Reply Request(const std::string& method, const std::string& target, const std::string& token,
                const std::string& body = "",
                const std::map<std::string, std::string>& headers = {});
  Reply Get(const std::string& target, const std::string& token) {
    return Request("GET", target, token);
  }
  Reply Post(const std::string& target, const std::string& token, const std::string& body,
             const std::map<std::string, std::string>& headers = {}) {
    auto h = headers;
    h.emplace("Content-Type", "application/json");
    return Request("POST", target, token, body, h);
  }
  // Moves the manual clock on by an ISO 8601 duration; the server answers
  // once every timer due by then has fired and its letters are delivered.
  Reply Advance(const std::string& duration);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A realistic synthetic contact body; `variant` varies names and concerns.
std::string ContactJson(int variant = 0, const std::string& extra_fields = "");

// Every file under `dir` (recursively) whose name ends in .json, parsed.
std::vector<boost::json::value> ReadJsonFiles(const std::filesystem::path& dir);

}  // namespace frontdoor::testing
