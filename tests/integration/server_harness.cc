// Process control (fork/exec, signals) and a synchronous Beast HTTP client
// for the integration tests.
#include "tests/integration/server_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/http/read.hpp"
#include "boost/beast/http/string_body.hpp"
#include "boost/beast/http/write.hpp"
#include "boost/json/parse.hpp"
#include "tests/support/source_tree.h"

namespace frontdoor::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::filesystem::path WriteConfig(const std::filesystem::path& dir, const std::string& extra) {
  auto path = dir / "config.yaml";
  std::ofstream out(path);
  out << "api_keys:\n"
      << "  - {name: merseyside-police, role: partner, token: \"" << kPartnerToken << "\"}\n"
      << "  - {name: example-school, role: partner, token: \"" << kOtherPartnerToken << "\"}\n"
      << "  - {name: ifd-triage, role: triage, token: \"" << kTriageToken << "\"}\n"
      << "  - {name: ifd-manager, role: manager, token: \"" << kManagerToken << "\"}\n"
      << "  - {name: ops, role: admin, token: \"" << kAdminToken << "\"}\n"
      << "  - {name: case-system, role: case_system, token: \"" << kCaseSystemToken << "\"}\n"
      << "policy: " << DefaultPolicyPath().string() << "\n"
      << "bank_holidays: " << BankHolidaysPath().string() << "\n"
      << extra;
  return path;
}

std::unique_ptr<ServerProcess> ServerProcess::Start(const Options& options) {
  auto server = std::unique_ptr<ServerProcess>(new ServerProcess());
  server->log_file_ =
      options.data_dir.parent_path() / (options.data_dir.filename().string() + "-server.log");
  int out[2];
  if (::pipe(out) != 0) {
    ADD_FAILURE() << "pipe failed";
    return nullptr;
  }
  std::string binary = std::string(FRONTDOOR_BINARY_DIR) + "/frontdoor";
  std::vector<std::string> args = {binary,       "serve",
                                   "--config",   options.config.string(),
                                   "--data-dir", options.data_dir.string(),
                                   "--listen",   "127.0.0.1:0"};
  if (!options.clock.empty()) {
    args.push_back("--clock");
    args.push_back(options.clock);
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    int log = ::open(server->log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) ::dup2(log, STDERR_FILENO);
    ::close(out[0]);
    if (options.max_open_files > 0) {
      const rlimit files{static_cast<rlim_t>(options.max_open_files),
                         static_cast<rlim_t>(options.max_open_files)};
      ::setrlimit(RLIMIT_NOFILE, &files);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  server->pid_ = pid;
  // The "listening on HOST:PORT" line.
  const std::string line = ReadStartLine(out[0]);
  size_t colon = line.rfind(':');
  if (line.rfind("listening on ", 0) != 0 || colon == std::string::npos) {
    ADD_FAILURE() << "the server did not start; stdout: " << line << "\nlogs:\n" << server->Logs();
    return nullptr;
  }
  server->port_ = static_cast<uint16_t>(std::stoi(line.substr(colon + 1)));
  return server;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill();
}

int ServerProcess::WaitForExit() {
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

int ServerProcess::Terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  return WaitForExit();
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  WaitForExit();
}

void ServerProcess::Signal(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

std::string ServerProcess::Logs() const {
  std::ifstream in(log_file_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Reply::str(std::string_view key) const {
  const auto* v = json.as_object().if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

struct HttpClient::Impl {
  asio::io_context ioc;
  asio::ip::tcp::socket socket{ioc};
  beast::flat_buffer buffer;
  uint16_t port;

  void Connect() {
    socket = asio::ip::tcp::socket(ioc);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    buffer.clear();
  }
};

Reply ReplyFrom(http::response<http::string_body> res) {
  Reply reply;
  reply.status = res.result_int();
  reply.body = std::move(res.body());
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  boost::system::error_code json_ec;
  auto parsed = boost::json::parse(reply.body, json_ec);
  if (!json_ec) reply.json = std::move(parsed);
  return reply;
}

std::string ReadStartLine(int fd, std::chrono::seconds limit) {
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd ready{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&ready, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[256];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return line;
}

HttpClient::HttpClient(uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->Connect();
}

HttpClient::~HttpClient() = default;

Reply HttpClient::Request(const std::string& method, const std::string& target,
                          const std::string& token, const std::string& body,
                          const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  Reply reply;
  for (int attempt = 0; attempt < 2; ++attempt) {
    boost::system::error_code ec;
    http::write(impl_->socket, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    if (!ec) http::read(impl_->socket, impl_->buffer, parser, ec);
    if (ec) {
      // The server closed a kept-alive connection (e.g. after a 413): reconnect once.
      impl_->Connect();
      continue;
    }
    auto res = parser.release();
    const bool keep_alive = res.keep_alive();
    reply = ReplyFrom(std::move(res));
    if (!keep_alive) impl_->Connect();
    return reply;
  }
  ADD_FAILURE() << method << " " << target << ": no answer from the server";
  return reply;
}

Reply HttpClient::Advance(const std::string& duration) {
  Reply r = Post("/v1/admin/clock", kAdminToken, "{\"advance\":\"" + duration + "\"}");
  EXPECT_EQ(r.status, 200) << r.body;
  return r;
}

std::string ContactJson(int variant, const std::string& extra_fields) {
  static const char* kGiven[] = {"Sam", "Alex", "Jordan", "Casey", "Riley", "Morgan"};
  static const char* kFamily[] = {"Example", "Sample", "Testcase", "Placeholder"};
  static const char* kConcerns[] = {"\"NEGLECT\"", "\"PARENTING_SUPPORT\"", "\"SCHOOL_ATTENDANCE\"",
                                    "\"DOMESTIC_ABUSE\", \"NEGLECT\"", "\"HOUSING\""};
  std::string given = kGiven[variant % 6];
  std::string family = kFamily[(variant / 6) % 4];
  std::ostringstream out;
  out << "{"
      << "\"external_ref\": \"REF-" << variant << "\","
      << "\"channel\": \"PARTNER_API\","
      << "\"source\": \"POLICE\","
      << "\"referrer\": {\"name\": \"PC Synthetic " << variant
      << "\", \"organisation\": \"Example Police\", \"role\": \"Constable\","
      << " \"email\": \"pc" << variant << "@police.example.org\"},"
      << "\"consent\": {\"status\": \"GIVEN\"},"
      << "\"children\": [{\"given_name\": \"" << given << "\", \"family_name\": \"" << family
      << "\", \"date_of_birth\": \"201" << (variant % 10) << "-0" << (1 + variant % 9) << "-1"
      << (variant % 9) << "\", \"postcode\": \"CH41 5LH\", \"sex\": \"U\"}],"
      << "\"concerns\": [" << kConcerns[variant % 5] << "],"
      << "\"immediate_risk\": false,"
      << "\"narrative\": \"Synthetic narrative number " << variant
      << ": officers attended a report of shouting at the address; the child was seen and "
         "appeared unkempt. No injuries were observed. This text is made up for tests.\","
      << "\"what_would_help\": \"Support for the family with routines and school attendance.\""
      << extra_fields << "}";
  return out.str();
}

std::vector<boost::json::value> ReadJsonFiles(const std::filesystem::path& dir) {
  std::vector<boost::json::value> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(boost::json::parse(ss.str()));
  }
  return out;
}

}  // namespace frontdoor::testing
