// The crash tests' client, receiver, ledger and the verification of a
// restarted server against what it acknowledged before kill -9.
#include "tests/crash/crash_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <functional>
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
namespace json = boost::json;
namespace fs = std::filesystem;

// ---- LoadClient ----

struct LoadClient::Impl {
  asio::io_context ioc;
  asio::ip::tcp::socket socket{ioc};
  beast::flat_buffer buffer;
  uint16_t port = 0;
  bool connected = false;

  bool Connect() {
    boost::system::error_code ec;
    socket = asio::ip::tcp::socket(ioc);
    socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    buffer.clear();
    connected = !ec;
    return connected;
  }
};

LoadClient::LoadClient(uint16_t port) : impl_(std::make_unique<Impl>()) { impl_->port = port; }
LoadClient::~LoadClient() = default;

Reply LoadClient::Request(const std::string& method, const std::string& target,
                          const std::string& token, const std::string& body,
                          const std::map<std::string, std::string>& headers) {
  Reply reply;
  if (!impl_->connected && !impl_->Connect()) return reply;
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  boost::system::error_code ec;
  http::write(impl_->socket, req, ec);
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  if (!ec) http::read(impl_->socket, impl_->buffer, parser, ec);
  if (ec) {
    // No answer: the request may or may not have been stored.
    impl_->connected = false;
    return reply;
  }
  auto res = parser.release();
  if (!res.keep_alive()) impl_->connected = false;
  return ReplyFrom(std::move(res));
}

// ---- WebhookReceiver ----

WebhookReceiver::WebhookReceiver() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    ADD_FAILURE() << "the webhook receiver cannot listen";
    return;
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { Accept(); });
}

WebhookReceiver::~WebhookReceiver() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    threads.swap(connections_);
  }
  for (auto& t : threads) t.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void WebhookReceiver::Accept() {
  while (!stop_) {
    pollfd ready{listen_fd_, POLLIN, 0};
    if (::poll(&ready, 1, 50) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    absl::MutexLock lock(&mu_);
    if (stop_) {
      ::close(fd);
      break;
    }
    open_fds_.push_back(fd);
    connections_.emplace_back([this, fd] { Serve(fd); });
  }
}

void WebhookReceiver::Serve(int fd) {
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.assign(asio::ip::tcp::v4(), fd, ec);
  beast::flat_buffer buffer;
  while (!ec && !stop_) {
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec) break;
    {
      absl::MutexLock lock(&mu_);
      ++requests_;
      bodies_[std::string(req["webhook-id"])].push_back(req.body());
    }
    http::response<http::string_body> res(http::status::ok, req.version());
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    http::write(socket, res, ec);
    if (!req.keep_alive()) break;
  }
  absl::MutexLock lock(&mu_);
  std::erase(open_fds_, fd);
  // The socket closes fd as it goes.
}

std::map<std::string, std::vector<std::string>> WebhookReceiver::Bodies() const {
  absl::MutexLock lock(&mu_);
  return bodies_;
}

size_t WebhookReceiver::Requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

std::string SubscriptionTo(const WebhookReceiver& receiver) {
  return "subscriptions:\n  - {name: crash-receiver, url: '" + receiver.Url() +
         "', secrets: [\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"], timeout_seconds: 10}\n";
}

// ---- time ----

std::string Rfc3339(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int64_t ParseRfc3339Seconds(const std::string& text) {
  std::tm tm{};
  if (::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return 0;
  return static_cast<int64_t>(::timegm(&tm));
}

// ---- Ledger ----

void Ledger::AddContact(Contact c) {
  absl::MutexLock lock(&mu_);
  contacts_.push_back(std::move(c));
}
void Ledger::AddDecision(Decision d) {
  absl::MutexLock lock(&mu_);
  decisions_.push_back(std::move(d));
}
std::vector<Ledger::Contact> Ledger::Contacts() const {
  absl::MutexLock lock(&mu_);
  return contacts_;
}
std::vector<Ledger::Decision> Ledger::Decisions() const {
  absl::MutexLock lock(&mu_);
  return decisions_;
}
size_t Ledger::contacts() const {
  absl::MutexLock lock(&mu_);
  return contacts_.size();
}
size_t Ledger::decisions() const {
  absl::MutexLock lock(&mu_);
  return decisions_.size();
}

// ---- verification ----

namespace {

std::string Str(const json::value* v) {
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}
std::string Str(const json::object& o, std::string_view key) { return Str(o.if_contains(key)); }
const json::object* Obj(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? &v->as_object() : nullptr;
}
bool Flag(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_bool() && v->as_bool();
}

// Event types the spool takes (adapters/sinks/spool.cc) and those a webhook
// subscription with no filter takes (every one with a CloudEvents type).
bool Spooled(const json::object& e) {
  const std::string type = Str(e, "type");
  if (type == "LETTER_ISSUED") {
    const json::object* issued = Obj(e, "letter_issued");
    const json::object* letter = issued ? Obj(*issued, "letter") : nullptr;
    return letter == nullptr || !Flag(*letter, "undeliverable");
  }
  return type == "TIMESCALE_BREACHED" || type == "EDT_ALERT" || type == "CONTACT_CLOSED" ||
         type == "CHECK_OVERDUE";
}
bool Webhooked(const json::object& e) {
  static const std::set<std::string> kTypes = {
      "CONTACT_RECEIVED", "DECISION_RECORDED", "CHECK_REQUESTED", "LETTER_ISSUED",
      "TIMESCALE_BREACHED", "EDT_ALERT", "CONTACT_CLOSED", "CHECK_OVERDUE"};
  return kTypes.contains(Str(e, "type"));
}

// What one verification thread found; merged at the end.
struct Findings {
  size_t contacts = 0, decisions = 0, breaches = 0, lost = 0;
  // Spool file (relative path) -> the event id it must hold.
  std::vector<std::string> spool_files;
  std::set<std::string> webhook_ids;
  // (contact, timescale, due_at) of each acknowledged contact's breach.
  std::set<std::string> breach_keys;
};

void VerifyContact(HttpClient& client, const Ledger::Contact& c,
                   const std::vector<std::string>& routes, int64_t now, bool replay,
                   Findings& out) {
  Reply got = client.Get("/v1/contacts/" + c.id, kTriageToken);
  if (got.status != 200) {
    ADD_FAILURE() << "acknowledged contact " << c.id << " answers " << got.status << " "
                  << got.body;
    ++out.lost;
    return;
  }
  ++out.contacts;
  if (replay && !c.idempotency_key.empty()) {
    Reply again =
        client.Post("/v1/contacts", kPartnerToken, c.body, {{"Idempotency-Key", c.idempotency_key}});
    if ((again.status != 200 && again.status != 201) || again.str("id") != c.id) {
      ADD_FAILURE() << "Idempotency-Key " << c.idempotency_key << " of " << c.id << " answers "
                    << again.status << " " << again.body;
      ++out.lost;
    }
  }
  Reply events = client.Get("/v1/contacts/" + c.id + "/events", kTriageToken);
  if (events.status != 200) {
    ADD_FAILURE() << c.id << "/events answers " << events.status << " " << events.body;
    ++out.lost;
    return;
  }
  int received = 0, decided = 0;
  std::vector<std::string> routes_seen;
  // Timescales started (name|due -> due), stopped (name|due -> when), breached (name|due -> n).
  std::map<std::string, int64_t> started, stopped;
  std::map<std::string, int> breached, due_soon;
  for (const auto& v : events.at("events").as_array()) {
    const json::object& e = v.as_object();
    const std::string type = Str(e, "type");
    const std::string id = Str(e, "id");
    if (type == "CONTACT_RECEIVED") ++received;
    for (const char* body : {"decision_recorded", "authorisation_requested"}) {
      if (const json::object* d = Obj(e, body)) {
        if (const json::object* decision = Obj(*d, "decision")) {
          routes_seen.push_back(Str(*decision, "route"));
        }
      }
    }
    if (type == "DECISION_RECORDED") ++decided;
    if (const json::object* t = Obj(e, "timescale_started")) {
      started[Str(*t, "name") + "|" + Str(*t, "due_at")] = ParseRfc3339Seconds(Str(*t, "due_at"));
    }
    if (const json::object* t = Obj(e, "timescale_stopped")) {
      stopped[Str(*t, "name") + "|" + Str(*t, "due_at")] = ParseRfc3339Seconds(Str(e, "at"));
    }
    if (const json::object* t = Obj(e, "timescale_breached")) {
      ++breached[Str(*t, "name") + "|" + Str(*t, "due_at")];
      out.breach_keys.insert(c.id + "|" + Str(*t, "name") + "|" + Str(*t, "due_at"));
      ++out.breaches;
    }
    if (const json::object* t = Obj(e, "timescale_due_soon")) {
      ++due_soon[Str(*t, "name") + "|" + Str(*t, "due_at")];
    }
    if (Spooled(e)) {
      out.spool_files.push_back(std::string(type == "LETTER_ISSUED" ? "letters/" : "events/") +
                                id + ".json");
    }
    if (Webhooked(e)) out.webhook_ids.insert(id);
  }
  if (received != 1) {
    ADD_FAILURE() << c.id << " has " << received << " CONTACT_RECEIVED events";
    ++out.lost;
  }
  if (decided > 1) {
    ADD_FAILURE() << c.id << " has " << decided << " DECISION_RECORDED events";
    ++out.lost;
  }
  for (const std::string& route : routes) {
    if (std::find(routes_seen.begin(), routes_seen.end(), route) == routes_seen.end()) {
      ADD_FAILURE() << "acknowledged decision " << route << " on " << c.id
                    << " is not in its history";
      ++out.lost;
    } else {
      ++out.decisions;
    }
  }
  // Each timescale that fell due while its step was open breached exactly
  // once; one stopped in time, or not yet due, never.
  for (const auto& [key, due] : started) {
    auto stop = stopped.find(key);
    const int n = breached.contains(key) ? breached[key] : 0;
    int want = -1;  // -1: either (stopped at the very instant it fell due)
    if (stop != stopped.end()) {
      want = stop->second > due ? 1 : stop->second < due ? 0 : -1;
    } else {
      want = now >= due ? 1 : 0;
    }
    if ((want >= 0 && n != want) || n > 1) {
      ADD_FAILURE() << c.id << " timescale " << key << " (now " << Rfc3339(now) << ") breached "
                    << n << " times, expected " << want;
      ++out.lost;
    }
  }
  for (const auto& [key, n] : breached) {
    if (!started.contains(key)) {
      ADD_FAILURE() << c.id << " breach of " << key << " for a timescale never started";
      ++out.lost;
    }
  }
  for (const auto& [key, n] : due_soon) {
    if (n > 1) {
      ADD_FAILURE() << c.id << " due-soon warning of " << key << " raised " << n << " times";
      ++out.lost;
    }
  }
}

// Every breach the server lists, as "contact|timescale|due_at"; duplicates
// (a timer that fired twice) are failures.
std::set<std::string> ListBreaches(HttpClient& client, size_t& lost) {
  std::set<std::string> keys;
  std::string token;
  for (int page = 0; page < 100000; ++page) {
    std::string target = "/v1/breaches?status=all&limit=1000";
    if (!token.empty()) target += "&page_token=" + token;
    Reply r = client.Get(target, kManagerToken);
    if (r.status != 200) {
      ADD_FAILURE() << target << " answers " << r.status << " " << r.body;
      ++lost;
      break;
    }
    for (const auto& b : r.at("breaches").as_array()) {
      const json::object& o = b.as_object();
      std::string key = Str(o, "contact_id") + "|" + Str(o, "timescale") + "|" + Str(o, "due_at");
      if (!keys.insert(key).second) {
        ADD_FAILURE() << "breach listed twice: " << key;
        ++lost;
      }
    }
    token = r.str("next_page_token");
    if (token.empty()) break;
  }
  return keys;
}

bool WaitFor(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

}  // namespace

Verified VerifyAll(const Ledger& ledger, const VerifyOptions& options, DeliveryMemory& memory) {
  Verified result;
  HttpClient admin(options.port);
  // Answers once the start-up sweep of overdue timers is done and the spool has them.
  Reply clock = admin.Advance("PT0S");
  const int64_t now = ParseRfc3339Seconds(clock.str("now"));
  EXPECT_EQ(admin.Get("/readyz", "").status, 200);

  const std::vector<Ledger::Contact> contacts = ledger.Contacts();
  std::map<std::string, std::vector<std::string>> routes;
  for (const auto& d : ledger.Decisions()) routes[d.contact_id].push_back(d.route);

  const int threads = std::max(1, options.threads);
  std::vector<Findings> findings(static_cast<size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      HttpClient client(options.port);
      const size_t every = std::max<size_t>(1, options.every);
      for (size_t i = static_cast<size_t>(t) * every; i < contacts.size();
           i += static_cast<size_t>(threads) * every) {
        const auto& c = contacts[i];
        static const std::vector<std::string> kNone;
        auto r = routes.find(c.id);
        VerifyContact(client, c, r == routes.end() ? kNone : r->second, now,
                      c.cycle == options.replay_keys_of_cycle, findings[static_cast<size_t>(t)]);
      }
    });
  }
  for (auto& w : workers) w.join();
  Findings all;
  for (auto& f : findings) {
    all.contacts += f.contacts;
    all.decisions += f.decisions;
    all.breaches += f.breaches;
    all.lost += f.lost;
    all.spool_files.insert(all.spool_files.end(), f.spool_files.begin(), f.spool_files.end());
    all.webhook_ids.insert(f.webhook_ids.begin(), f.webhook_ids.end());
    all.breach_keys.insert(f.breach_keys.begin(), f.breach_keys.end());
  }

  // The breach list: no timescale twice, and every breach in a history listed.
  std::set<std::string> listed = ListBreaches(admin, all.lost);
  for (const std::string& key : all.breach_keys) {
    if (!listed.contains(key)) {
      ADD_FAILURE() << "breach " << key << " is in the history but not in /v1/breaches";
      ++all.lost;
    }
  }

  // The spool: every event it takes, present, and unchanged since last seen.
  auto missing_spool = [&] {
    size_t missing = 0;
    for (const std::string& f : all.spool_files) missing += !fs::exists(options.spool_dir / f);
    return missing;
  };
  if (!WaitFor([&] { return missing_spool() == 0; }, std::chrono::seconds(30))) {
    for (const std::string& f : all.spool_files) {
      if (!fs::exists(options.spool_dir / f)) ADD_FAILURE() << "not in the spool: " << f;
    }
    all.lost += missing_spool();
  }
  // Every file there (of any contact, acknowledged or not): the same
  // content as before under the same name, and no timescale breached in two files.
  std::map<std::string, std::string> breach_files;
  for (const char* sub : {"letters", "events"}) {
    const fs::path dir = options.spool_dir / sub;
    if (!fs::exists(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".json") continue;
      const std::string name = std::string(sub) + "/" + entry.path().filename().string();
      std::string text = ReadFile(entry.path());
      auto [it, fresh] = memory.spool.emplace(name, text);
      if (!fresh && it->second != text) {
        ADD_FAILURE() << "spool file " << name << " changed content under the same id";
        ++all.lost;
      }
      ++result.spooled;
      boost::system::error_code ec;
      json::value v = json::parse(text, ec);
      if (ec || !v.is_object()) {
        ADD_FAILURE() << "spool file " << name << " is not JSON";
        ++all.lost;
        continue;
      }
      const json::object& ce = v.as_object();
      if (Str(ce, "type") != "org.frontdoor.timescale.breached") continue;
      const json::object* data = Obj(ce, "data");
      if (data == nullptr) continue;
      const std::string key =
          Str(*data, "contact_id") + "|" + Str(*data, "timescale") + "|" + Str(*data, "due_at");
      auto [b, first] = breach_files.emplace(key, name);
      if (!first) {
        ADD_FAILURE() << "timescale " << key << " breached in two spool files: " << b->second
                      << " and " << name;
        ++all.lost;
      }
    }
  }

  // The webhook receiver: every event that leaves the building at least
  // once, under its id, with one body per id. A delivery cut off by the
  // kill waits for its retry on the business clock: move the clock a
  // little (no timescale is that close) when nothing arrives.
  if (options.receiver != nullptr) {
    auto missing_hooks = [&] {
      auto got = options.receiver->Bodies();
      size_t missing = 0;
      for (const std::string& id : all.webhook_ids) missing += !got.contains(id);
      return missing;
    };
    bool arrived = false;
    for (int round = 0; round < 20 && !arrived; ++round) {
      arrived = WaitFor([&] { return missing_hooks() == 0; }, std::chrono::seconds(3));
      if (!arrived) admin.Advance("PT10S");
    }
    if (!arrived) {
      auto got = options.receiver->Bodies();
      for (const std::string& id : all.webhook_ids) {
        if (!got.contains(id)) ADD_FAILURE() << "webhook never received " << id;
      }
      all.lost += missing_hooks();
    }
    for (const auto& [id, bodies] : options.receiver->Bodies()) {
      for (const std::string& body : bodies) {
        auto [it, fresh] = memory.webhook.emplace(id, body);
        if (!fresh && it->second != body) {
          ADD_FAILURE() << "webhook-id " << id << " came with different bodies";
          ++all.lost;
          break;
        }
      }
    }
    result.webhook_events = options.receiver->Bodies().size();
  }

  result.contacts = all.contacts;
  result.decisions = all.decisions;
  result.breaches = all.breaches;
  result.lost = all.lost;
  return result;
}

std::multiset<std::string> ListedBreaches(uint16_t port) {
  HttpClient client(port);
  size_t lost = 0;
  std::set<std::string> keys = ListBreaches(client, lost);
  return std::multiset<std::string>(keys.begin(), keys.end());
}

std::multiset<std::string> BreachedContacts(uint16_t port) {
  std::multiset<std::string> out;
  for (const std::string& key : ListedBreaches(port)) out.insert(key.substr(0, key.find('|')));
  return out;
}

// ---- child processes ----

pid_t SpawnFrontdoor(const std::vector<std::string>& args, const fs::path& log) {
  std::string binary = std::string(FRONTDOOR_BINARY_DIR) + "/frontdoor";
  std::vector<std::string> argv_s = {binary};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

int WaitChild(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1000;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

int RunFrontdoor(const std::vector<std::string>& args, std::string* output) {
  char name[] = "/tmp/frontdoor-crash-run-XXXXXX";
  int fd = ::mkstemp(name);
  if (fd >= 0) ::close(fd);
  int rc = WaitChild(SpawnFrontdoor(args, name));
  if (output != nullptr) *output = ReadFile(name);
  ::unlink(name);
  return rc;
}

// ---- policies ----

fs::path CopyPolicy(const fs::path& dir) {
  const fs::path to = dir / "policy";
  fs::create_directories(to);
  fs::copy(DefaultPolicyPath().parent_path(), to,
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  return to / "default.yaml";
}

void RelabelPolicy(const fs::path& policy, const std::string& label) {
  std::istringstream in(ReadFile(policy));
  std::ostringstream out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("label:", 0) == 0) line = "label: " + label;
    out << line << "\n";
  }
  // Written aside and renamed, as an operator's editor would: a reload
  // reads the old file or the new one, never half of one.
  fs::path tmp = policy;
  tmp += ".new";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << out.str();
  }
  fs::rename(tmp, policy);
}

}  // namespace frontdoor::testing
