// The pieces the crash tests share: a client that survives the server dying
// under it (the load runs while kill -9 lands), a webhook receiver on
// loopback inside the test process (so it outlives every server it hears
// from), a ledger of what the server acknowledged, and one verification of
// all of it against a restarted server: every acknowledged contact readable
// (and its Idempotency-Key still answering with its id), every acknowledged
// decision in its history, every timescale that fell due breached exactly
// once, and every spooled or webhook event there at least once under its
// stable id, never with different content.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "tests/integration/server_harness.h"
#include "tests/support/source_tree.h"

namespace frontdoor::testing {

// One keep-alive connection that never fails the test: status 0 when the
// server did not answer (it died, or refused the connection). Not
// thread-safe; one per thread.
class LoadClient {
 public:
  explicit LoadClient(uint16_t port);
  ~LoadClient();
  Reply Request(const std::string& method, const std::string& target, const std::string& token,
                const std::string& body = "",
                const std::map<std::string, std::string>& headers = {});
  Reply Post(const std::string& target, const std::string& token, const std::string& body,
             std::map<std::string, std::string> headers = {}) {
    headers.emplace("Content-Type", "application/json");
    return Request("POST", target, token, body, headers);
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A webhook receiver on 127.0.0.1: answers every POST 200 and keeps each
// request's webhook-id and body. Lives as long as the test, across servers.
class WebhookReceiver {
 public:
  WebhookReceiver();
  ~WebhookReceiver();
  uint16_t port() const { return port_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  // webhook-id -> every body received under it, in arrival order.
  std::map<std::string, std::vector<std::string>> Bodies() const;
  size_t Requests() const;

 private:
  void Accept();
  void Serve(int fd);

  uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  mutable absl::Mutex mu_;
  std::vector<std::thread> connections_ ABSL_GUARDED_BY(mu_);
  std::vector<int> open_fds_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<std::string>> bodies_ ABSL_GUARDED_BY(mu_);
  size_t requests_ ABSL_GUARDED_BY(mu_) = 0;
};

// A webhook subscription to `receiver` for the test config (all events).
std::string SubscriptionTo(const WebhookReceiver& receiver);

// The manual clock's instants as seconds since the epoch.
std::string Rfc3339(int64_t seconds);
int64_t ParseRfc3339Seconds(const std::string& text);

// What the server acknowledged (2xx), across any number of crashes.
class Ledger {
 public:
  struct Contact {
    std::string id;
    std::string idempotency_key;
    std::string body;
    int cycle = 0;
  };
  struct Decision {
    std::string contact_id;
    std::string route;
  };
  void AddContact(Contact c);
  void AddDecision(Decision d);
  std::vector<Contact> Contacts() const;
  std::vector<Decision> Decisions() const;
  size_t contacts() const;
  size_t decisions() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<Contact> contacts_ ABSL_GUARDED_BY(mu_);
  std::vector<Decision> decisions_ ABSL_GUARDED_BY(mu_);
};

// What a verification counted (for the figures).
struct Verified {
  size_t contacts = 0;
  size_t decisions = 0;
  size_t breaches = 0;        // TIMESCALE_BREACHED events of acknowledged contacts
  size_t spooled = 0;         // spool files checked
  size_t webhook_events = 0;  // distinct webhook ids received
  size_t lost = 0;            // anything acknowledged or due that is missing or doubled
};

// Remembers every spool file and webhook body seen, so that a later
// redelivery with different content under the same id is caught.
struct DeliveryMemory {
  std::map<std::string, std::string> spool;    // file name -> content
  std::map<std::string, std::string> webhook;  // webhook-id -> body
};

struct VerifyOptions {
  uint16_t port = 0;
  std::filesystem::path spool_dir;
  // When set, every event of an acknowledged contact that leaves the
  // building must have reached it.
  const WebhookReceiver* receiver = nullptr;
  // Replay the Idempotency-Key of the contacts of this cycle (keys expire
  // with business time, so only recent ones): -1 for none.
  int replay_keys_of_cycle = -1;
  int threads = 4;
  // Read the history of only every n-th contact (1: all). The breach list
  // and the spool are checked whole either way; a test that checks every
  // contact another way (ListedBreaches) keeps its big runs short.
  size_t every = 1;
};

// Checks everything in `ledger` against the server on `options.port`
// (restarted after the crash). Each failure is a test failure naming the
// contact; `lost` counts them.
Verified VerifyAll(const Ledger& ledger, const VerifyOptions& options, DeliveryMemory& memory);

// Every breach `GET /v1/breaches?status=all` lists, as
// "contact|timescale|due_at", page by page; a key listed twice is a failure.
std::multiset<std::string> ListedBreaches(uint16_t port);
// The contact part of each key.
std::multiset<std::string> BreachedContacts(uint16_t port);

// Runs the frontdoor binary with `args` (e.g. "backup", "verify", DIR) and
// waits; its exit code (or -signal). `output` gets its stdout and stderr.
int RunFrontdoor(const std::vector<std::string>& args, std::string* output = nullptr);
// Starts it without waiting; the child's pid (stdout/stderr to `log`).
pid_t SpawnFrontdoor(const std::vector<std::string>& args, const std::filesystem::path& log);
int WaitChild(pid_t pid);

// A copy of the default policy (with its letters) in `dir`, so a test can
// change it and reload; `label` goes on its label line (a new version).
std::filesystem::path CopyPolicy(const std::filesystem::path& dir);
void RelabelPolicy(const std::filesystem::path& policy, const std::string& label);

}  // namespace frontdoor::testing
