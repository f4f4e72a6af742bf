// kill -9 at the moments that matter, one test each: in the middle of a
// timer storm (more timescales falling due at one clock step than the writer
// fires in one batch), during policy reloads, during `frontdoor backup
// create` (of the backup and of the server), and while deliveries to the
// spool and a webhook receiver are under way. After each, the restarted
// server is verified in full (tests/crash/crash_support.h): nothing
// acknowledged lost, every timescale that fell due breached exactly once,
// every event delivered at least once under its stable id. Kill points are
// drawn from a seed printed with the test, so a failure can be run again.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/crash/crash_support.h"

namespace frontdoor::testing {

extern uint64_t g_seed;

namespace {

namespace fs = std::filesystem;

constexpr int64_t kHour = 3600;

bool WaitUntil(const std::function<bool()>& done,
               std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return done();
}

// Regular .json files in a folder (the spool's finished files).
size_t JsonFiles(const fs::path& dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) n += e.path().extension() == ".json";
  return n;
}

class CrashPoint : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    seed_ = g_seed ^ std::hash<std::string>()(info->name());
    rng_.seed(seed_);
    std::printf("seed %llu (crash_test --seed %llu)\n", static_cast<unsigned long long>(seed_),
                static_cast<unsigned long long>(g_seed));
  }

  void Configure(const std::string& extra = "") {
    policy_ = CopyPolicy(dir_.path());
    config_ = WriteConfig(dir_.path(), extra);
    std::string text = ReadFile(config_);
    const std::string from = "policy: " + DefaultPolicyPath().string();
    text.replace(text.find(from), from.size(), "policy: " + policy_.string());
    std::ofstream(config_, std::ios::trunc) << text;
  }

  // Starts (or restarts) on `data` a minute after the latest time the clock
  // may have reached.
  void Start(const fs::path& data) {
    server_.reset();
    ceiling_ += 60;
    server_ = ServerProcess::Start({config_, data, "manual=" + Rfc3339(ceiling_)});
    ASSERT_TRUE(server_);
  }
  void Start() { ASSERT_NO_FATAL_FAILURE(Start(data_)); }

  // `n` contacts in batches of at most 400 (no Idempotency-Keys to replay).
  std::vector<std::string> SubmitBatches(int n, Ledger* ledger) {
    std::vector<std::string> ids;
    HttpClient client(server_->port());
    for (int done = 0; done < n;) {
      const int take = std::min(400, n - done);
      std::ostringstream body;
      body << "{\"items\":[";
      for (int i = 0; i < take; ++i) {
        body << (i ? "," : "") << "{\"idempotency_key\":\"batch-" << seed_ << "-" << done + i
             << "\",\"contact\":" << ContactJson(done + i) << "}";
      }
      body << "]}";
      Reply r = client.Post("/v1/contacts:batch", kPartnerToken, body.str());
      EXPECT_EQ(r.status, 200) << r.body.substr(0, 500);
      if (r.status != 200) return ids;
      for (const auto& item : r.at("results").as_array()) {
        const auto& o = item.as_object();
        EXPECT_EQ(o.at("status").to_number<int>(), 201);
        std::string id(o.at("contact").as_object().at("id").as_string());
        ids.push_back(id);
        if (ledger) ledger->AddContact({.id = id, .idempotency_key = "", .body = "", .cycle = 0});
      }
      done += take;
    }
    return ids;
  }

  // Advances the clock on a thread of its own (its answer may never come).
  std::thread AdvanceInBackground(const std::string& duration, int64_t seconds,
                                  std::atomic<bool>* answered) {
    ceiling_ += seconds;
    return std::thread([port = server_->port(), duration, answered] {
      LoadClient client(port);
      Reply r = client.Post("/v1/admin/clock", kAdminToken, "{\"advance\":\"" + duration + "\"}");
      *answered = r.status == 200;
    });
  }

  // `memory`: what was delivered before, from this data folder (a restored
  // copy lives a life of its own); the live one's when null.
  Verified Verify(const Ledger& ledger, const WebhookReceiver* receiver, const fs::path& data,
                  DeliveryMemory* memory = nullptr, size_t every = 1) {
    VerifyOptions options{.port = server_->port(),
                          .spool_dir = data / "spool",
                          .receiver = receiver,
                          .replay_keys_of_cycle = 0,
                          .threads = 8,
                          .every = every};
    Verified v = VerifyAll(ledger, options, memory != nullptr ? *memory : memory_);
    HttpClient client(server_->port());
    ceiling_ = std::max(ceiling_, ParseRfc3339Seconds(client.Advance("PT0S").str("now")));
    EXPECT_EQ(v.lost, 0u) << "seed " << seed_;
    return v;
  }

  TempDir dir_{"crash-point"};
  fs::path data_ = dir_.path() / "data";
  fs::path config_;
  fs::path policy_;
  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  int64_t ceiling_ = ParseRfc3339Seconds("2026-11-24T10:00:00Z");
  std::unique_ptr<ServerProcess> server_;
  DeliveryMemory memory_;
};

// 1,100 contacts (a decision timescale and its due-soon warning each: 2,200
// timers, more than the 2,000 the writer fires in one batch), then a day
// passes in one clock step; kill -9 while the breaches are being recorded
// and spooled, after a seeded number of them has reached the spool.
TEST_F(CrashPoint, KillInATimerStormLeavesEachTimescaleBreachedOnce) {
  constexpr int kContacts = 1100;
  Configure();
  ASSERT_NO_FATAL_FAILURE(Start());
  Ledger ledger;
  const auto began = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  };
  ASSERT_EQ(SubmitBatches(kContacts, &ledger).size(), static_cast<size_t>(kContacts));
  std::printf("%.1f s: %d contacts stored\n", elapsed(), kContacts);

  std::atomic<bool> answered{false};
  const fs::path breaches = data_ / "spool" / "events";
  const size_t before = JsonFiles(breaches);
  std::thread step = AdvanceInBackground("PT25H", 25 * kHour, &answered);
  // The first batch has committed and the spool is writing its breaches.
  const size_t target = 1 + rng_() % 300;
  std::printf("kill -9 once %zu breaches are in the spool\n", target);
  ASSERT_TRUE(WaitUntil([&] { return JsonFiles(breaches) >= before + target; }))
      << server_->Logs();
  server_->Kill();
  step.join();
  std::printf("%.1f s: killed with %zu breach files spooled; the clock step %s\n", elapsed(),
              JsonFiles(breaches) - before, answered ? "was answered" : "was cut off");

  ASSERT_NO_FATAL_FAILURE(Start());
  // The histories of one contact in ten in full; the breach list and the
  // spool for all of them: every contact's decision timescale breached
  // exactly once, in one spool file.
  Verified v = Verify(ledger, nullptr, data_, nullptr, 10);
  EXPECT_EQ(v.contacts, static_cast<size_t>(kContacts / 10));
  EXPECT_EQ(v.breaches, static_cast<size_t>(kContacts / 10));
  auto breached = BreachedContacts(server_->port());
  EXPECT_EQ(breached.size(), static_cast<size_t>(kContacts));
  for (const auto& c : ledger.Contacts()) EXPECT_EQ(breached.count(c.id), 1u) << c.id;
  EXPECT_EQ(JsonFiles(breaches) - before, static_cast<size_t>(kContacts));
  std::printf("%.1f s: restarted and verified\n", elapsed());

  // And once more: a second crash and a later restart fire nothing again.
  server_->Kill();
  ASSERT_NO_FATAL_FAILURE(Start());
  std::printf("%.1f s: restarted again\n", elapsed());
  HttpClient client(server_->port());
  client.Advance("PT1H");
  EXPECT_EQ(BreachedContacts(server_->port()).size(), static_cast<size_t>(kContacts));
  EXPECT_EQ(JsonFiles(breaches) - before, static_cast<size_t>(kContacts));
  std::printf("%.1f s: nothing fired twice\n", elapsed());
}

// Contacts keep coming while the admin changes the policy file and reloads
// it, by the endpoint and by SIGHUP; kill -9 at a random reload, three
// times. The server must start again every time, and every contact must
// stay readable with its explanation (worked out from the policy version
// it was decided under, which the store must still hold).
TEST_F(CrashPoint, KillDuringPolicyReloadsLeavesAStoreThatStartsAndExplainsEveryContact) {
  Configure();
  Ledger ledger;
  std::vector<std::pair<std::string, std::string>> cut_off;
  std::set<std::string> versions;
  for (int round = 0; round < 3; ++round) {
    ASSERT_NO_FATAL_FAILURE(Start());
    {
      HttpClient client(server_->port());
      for (const auto& [key, body] : cut_off) {
        Reply r = client.Post("/v1/contacts", kPartnerToken, body, {{"Idempotency-Key", key}});
        ASSERT_TRUE(r.status == 200 || r.status == 201) << r.body;
        ledger.AddContact({.id = r.str("id"), .idempotency_key = key, .body = body, .cycle = round});
      }
      cut_off.clear();
    }
    if (round > 0) Verify(ledger, nullptr, data_);

    const int kill_at = 1 + static_cast<int>(rng_() % 6);
    const int us = static_cast<int>(rng_() % 5000);
    std::printf("round %d: kill -9 at reload %d + %d us\n", round, kill_at, us);
    std::atomic<bool> dead{false};
    std::atomic<int> reloads{0};
    absl::Mutex mu;
    std::thread intake([&, round] {
      LoadClient client(server_->port());
      for (int i = 0; !dead; ++i) {
        const std::string key = "reload-" + std::to_string(round) + "-" + std::to_string(i);
        const std::string body = ContactJson(i);
        Reply r = client.Post("/v1/contacts", kPartnerToken, body, {{"Idempotency-Key", key}});
        if (r.status == 201) {
          ledger.AddContact({.id = r.str("id"), .idempotency_key = key, .body = body, .cycle = round});
        } else if (r.status == 0) {
          absl::MutexLock lock(&mu);
          cut_off.emplace_back(key, body);
          break;
        }
      }
    });
    const pid_t pid = server_->pid();
    std::thread admin([&, round, pid] {
      LoadClient client(server_->port());
      for (int i = 0; !dead; ++i) {
        RelabelPolicy(policy_, "Northfield reload " + std::to_string(round) + "." +
                                   std::to_string(i));
        ++reloads;
        if (i % 2 == 1) {
          if (!dead) ::kill(pid, SIGHUP);
          continue;
        }
        Reply r = client.Post("/v1/admin/policy/reload", kAdminToken, "{}");
        if (r.status == 0) break;
        EXPECT_EQ(r.status, 200) << r.body;
        absl::MutexLock lock(&mu);
        versions.insert(r.str("rules_version"));
      }
    });
    WaitUntil([&] { return reloads.load() >= kill_at; });
    std::this_thread::sleep_for(std::chrono::microseconds(us));
    server_->Kill();
    dead = true;
    intake.join();
    admin.join();
  }
  ASSERT_NO_FATAL_FAILURE(Start());
  Verified v = Verify(ledger, nullptr, data_);
  EXPECT_GT(v.contacts, 0u);
  HttpClient client(server_->port());
  for (const auto& c : ledger.Contacts()) {
    Reply r = client.Get("/v1/contacts/" + c.id, kTriageToken);
    ASSERT_EQ(r.status, 200) << c.id << " " << r.body;
    EXPECT_TRUE(r.json.as_object().contains("explanation")) << c.id;
    EXPECT_FALSE(r.at("recommendation").as_object().at("rules_version").as_string().empty());
  }
  EXPECT_EQ(client.Get("/v1/worklist?limit=1000", kTriageToken).status, 200);
  std::printf("%zu contacts under %zu answered policy versions\n", v.contacts, versions.size());
}

// The backup and its store, checked: a complete backup verifies, restores
// into an empty folder and a server started on the copy finds every
// contact acknowledged before the backup began, fires each timescale once
// and delivers every letter; an incomplete one fails `backup verify`.
class BackupCrash : public CrashPoint {
 protected:
  // Checks the backup in `dir`: true when it verifies (and then it is
  // restored and checked against `ledger`), false when it is detectably
  // incomplete.
  bool CheckBackup(const fs::path& dir, const Ledger& ledger, const std::string& what) {
    std::string out;
    const int verify = RunFrontdoor({"backup", "verify", dir.string()}, &out);
    std::printf("%s: backup verify exits %d\n", what.c_str(), verify);
    if (verify != 0) return false;
    const fs::path restored = dir_.path() / (what + "-restored");
    EXPECT_EQ(RunFrontdoor({"backup", "restore", dir.string(), "--data-dir", restored.string()},
                           &out),
              0)
        << out;
    auto live = std::move(server_);
    const int64_t ceiling = ceiling_;
    Start(restored);
    if (!server_) {
      server_ = std::move(live);
      return true;
    }
    // A day later on the copy: each decision timescale breached once.
    HttpClient client(server_->port());
    ceiling_ += 25 * kHour;
    client.Advance("PT25H");
    DeliveryMemory copy;
    Verify(ledger, nullptr, restored, &copy, 4);
    EXPECT_GE(BreachedContacts(server_->port()).size(), ledger.contacts());
    server_ = std::move(live);
    ceiling_ = std::max(ceiling, ceiling_);
    return true;
  }
};

TEST_F(BackupCrash, KillOfTheBackupLeavesItDetectablyIncompleteAndTheDataUntouched) {
  Configure();
  ASSERT_NO_FATAL_FAILURE(Start());
  Ledger ledger;
  SubmitBatches(250, &ledger);
  // A whole backup first, to learn how long one takes here.
  const auto began = std::chrono::steady_clock::now();
  std::string out;
  ASSERT_EQ(RunFrontdoor({"backup", "create", "--data-dir", data_.string(),
                          (dir_.path() / "whole").string()},
                         &out),
            0)
      << out;
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - began);
  EXPECT_TRUE(CheckBackup(dir_.path() / "whole", ledger, "whole"));

  int incomplete = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto at = std::chrono::microseconds(rng_() % std::max<int64_t>(1, took.count()));
    const fs::path dir = dir_.path() / ("killed-" + std::to_string(attempt));
    pid_t backup = SpawnFrontdoor({"backup", "create", "--data-dir", data_.string(), dir.string()},
                                  dir_.path() / "backup.log");
    std::this_thread::sleep_for(at);
    ::kill(backup, SIGKILL);
    const int rc = WaitChild(backup);
    std::printf("backup killed %lld us in (a whole one takes %lld us): exit %d\n",
                static_cast<long long>(at.count()), static_cast<long long>(took.count()), rc);
    if (!CheckBackup(dir, ledger, "killed-" + std::to_string(attempt))) ++incomplete;
    // A killed backup's folder is not reused by mistake.
    if (fs::exists(dir) && !fs::is_empty(dir)) {
      EXPECT_NE(RunFrontdoor({"backup", "create", "--data-dir", data_.string(), dir.string()}), 0);
    }
  }
  std::printf("%d of 2 killed backups were incomplete and said so\n", incomplete);
  // The server's data untouched: still serving, and after its own crash.
  Verify(ledger, nullptr, data_);
  server_->Kill();
  ASSERT_NO_FATAL_FAILURE(Start());
  Verify(ledger, nullptr, data_);
}

TEST_F(BackupCrash, KillOfTheServerDuringABackupLosesNothingAndTheBackupIsWholeOrSaysSo) {
  Configure();
  ASSERT_NO_FATAL_FAILURE(Start());
  Ledger before;  // acknowledged before the backup began
  SubmitBatches(250, &before);
  Ledger all;
  for (const auto& c : before.Contacts()) all.AddContact(c);
  std::atomic<bool> dead{false};
  std::thread intake([&] {
    LoadClient client(server_->port());
    for (int i = 0; !dead; ++i) {
      Reply r = client.Post("/v1/contacts", kPartnerToken, ContactJson(5000 + i));
      if (r.status == 0) break;
      if (r.status == 201) {
        all.AddContact({.id = r.str("id"), .idempotency_key = "", .body = "", .cycle = 0});
      }
    }
  });
  const fs::path dir = dir_.path() / "during-crash";
  pid_t backup = SpawnFrontdoor({"backup", "create", "--data-dir", data_.string(), dir.string()},
                                dir_.path() / "backup.log");
  const int us = static_cast<int>(rng_() % 150000);
  std::this_thread::sleep_for(std::chrono::microseconds(us));
  server_->Kill();
  dead = true;
  intake.join();
  const int created = WaitChild(backup);
  std::printf("server killed %d us into the backup; backup create exits %d\n", us, created);
  const bool whole = CheckBackup(dir, before, "during-crash");
  if (created == 0) {
    EXPECT_TRUE(whole) << "backup create said yes, backup verify said no";
  }

  ASSERT_NO_FATAL_FAILURE(Start());
  Verify(all, nullptr, data_);
}

// Deliveries under way to the spool and a webhook receiver (one event at a
// time, so well behind the writer) when kill -9 lands: after the restart
// every event reaches both at least once, a repeat only under the same id
// with the same body.
TEST_F(CrashPoint, KillDuringDeliveryDeliversEveryEventAtLeastOnceUnderItsStableId) {
  WebhookReceiver receiver;
  Configure(SubscriptionTo(receiver));
  ASSERT_NO_FATAL_FAILURE(Start());
  Ledger ledger;
  std::vector<std::string> ids = SubmitBatches(200, &ledger);
  {
    HttpClient client(server_->port());
    for (size_t i = 0; i < ids.size(); i += 2) {
      Reply r = client.Post("/v1/contacts/" + ids[i] + "/decision", kTriageToken,
                            R"({"route":"SOCIAL_CARE_ASSESSMENT","reason":"Crash test."})");
      ASSERT_EQ(r.status, 200) << r.body;
      ledger.AddDecision({.contact_id = ids[i], .route = "SOCIAL_CARE_ASSESSMENT"});
    }
  }
  // 200 acknowledgements and letters, 100 decisions, closures and letters:
  // 700 webhook deliveries. Kill somewhere in the first 500.
  const size_t target = 1 + rng_() % 500;
  ASSERT_TRUE(WaitUntil([&] { return receiver.Requests() >= target; })) << server_->Logs();
  server_->Kill();
  std::printf("kill -9 after %zu of about 700 webhook deliveries\n", receiver.Requests());
  ASSERT_NO_FATAL_FAILURE(Start());
  Verified v = Verify(ledger, &receiver, data_);
  EXPECT_GE(v.webhook_events, 700u);
  size_t repeated = 0;
  for (const auto& [id, bodies] : receiver.Bodies()) repeated += bodies.size() > 1;
  std::printf("%zu webhook ids, %zu of them received more than once\n", v.webhook_events,
              repeated);
}

// Found by the timer storm test (FOUND.md): contact numbers are reserved
// ahead in blocks of 64 (FRONTDOOR-CONTACT-IDS); after a restart the writer
// carries on above the reservation, and the first batch that stored no
// contact wrote that reserved number into the file as "committed", above
// the store's own counter. The start after that refused the store as one
// missing acknowledged contacts. No kill -9 needed: 66 contacts leave 130
// reserved and 64 committed.
TEST_F(CrashPoint, AStoreRestartedAfterABatchWithoutContactsStillStarts) {
  Configure();
  ASSERT_NO_FATAL_FAILURE(Start());
  Ledger ledger;
  std::vector<std::string> ids;
  {
    HttpClient client(server_->port());
    for (int i = 0; i < 66; ++i) {
      Reply r = client.Post("/v1/contacts", kPartnerToken, ContactJson(i));
      ASSERT_EQ(r.status, 201) << r.body;
      ids.push_back(r.str("id"));
      ledger.AddContact({.id = r.str("id"), .idempotency_key = "", .body = "", .cycle = 0});
    }
  }
  EXPECT_EQ(server_->Terminate(), 0);
  ASSERT_NO_FATAL_FAILURE(Start());
  {
    // A batch that stores no contact: a decision.
    HttpClient client(server_->port());
    Reply r = client.Post("/v1/contacts/" + ids[0] + "/decision", kTriageToken,
                          R"({"route":"SOCIAL_CARE_ASSESSMENT","reason":"Regression test."})");
    ASSERT_EQ(r.status, 200) << r.body;
    ledger.AddDecision({.contact_id = ids[0], .route = "SOCIAL_CARE_ASSESSMENT"});
  }
  EXPECT_EQ(server_->Terminate(), 0);
  ASSERT_NO_FATAL_FAILURE(Start());
  Verify(ledger, nullptr, data_);
  HttpClient client(server_->port());
  Reply next = client.Post("/v1/contacts", kPartnerToken, ContactJson(99));
  ASSERT_EQ(next.status, 201) << next.body;
  EXPECT_EQ(std::count(ids.begin(), ids.end(), next.str("id")), 0);
  // And once more after a crash.
  server_->Kill();
  ASSERT_NO_FATAL_FAILURE(Start());
}

}  // namespace
}  // namespace frontdoor::testing
