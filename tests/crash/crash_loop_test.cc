// The crash loop: N cycles of load, kill -9 at a seeded random point,
// restart on the same data folder, and full verification. Each cycle starts
// the real binary on a real port, then runs at once: partners submitting
// contacts with Idempotency-Keys, triage deciding them, an admin moving the
// manual clock a day on (every open decision timescale falls due: a timer
// storm, while intake goes on) and reloading a changed policy (by the admin
// endpoint or SIGHUP), with deliveries to the spool and a webhook
// receiver flowing all the while. After a seeded number of requests (and a
// seeded few microseconds) the server gets SIGKILL. The restarted server
// must then hold every contact and decision it acknowledged in any cycle,
// each timescale that fell due breached exactly once, and every event in the
// spool and at the receiver at least once under its stable id, never with
// other content. Requests the kill cut off are sent again with their
// Idempotency-Key, as a partner would.
//
//   crash_test --gtest_filter='CrashLoop.*' --cycles 100 --seed 7
//
// runs the long form (tests/crash/README.md has the figures); ctest runs the
// short one (3 cycles).
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "tests/crash/crash_support.h"

namespace frontdoor::testing {

// Set by main from --cycles, --seed and --contacts.
int g_cycles = 3;
uint64_t g_seed = 20261202;
int g_contacts = 60;  // per intake thread per cycle, at most

namespace {

constexpr int kIntakeThreads = 2;
const char* const kRoutes[] = {"SOCIAL_CARE_ASSESSMENT", "MASH", "SIGNPOST", "EARLY_HELP", "NFA"};
const char* const kRags[] = {"RED", "AMBER", "GREEN"};

// One cycle's load against a running server, until `stop` or the kill.
struct CycleLoad {
  CycleLoad(Ledger& l, ServerProcess& s, std::filesystem::path p, int c, std::atomic<int64_t>& ceiling)
      : ledger(l), server(s), policy(std::move(p)), cycle(c), clock_ceiling(ceiling) {}

  Ledger& ledger;
  ServerProcess& server;
  const std::filesystem::path policy;
  const int cycle;
  std::atomic<int64_t>& clock_ceiling;  // the latest time the clock may show
  std::atomic<int> requests{0};
  std::atomic<bool> dead{false};
  absl::Mutex mu;
  std::vector<std::string> undecided ABSL_GUARDED_BY(mu);
  // Requests the kill cut off: (key, body), sent again after the restart.
  std::vector<std::pair<std::string, std::string>> cut_off ABSL_GUARDED_BY(mu);
  std::atomic<int> advances{0}, reloads{0}, cut_decisions{0}, finished{0};
  // A clock step (timers firing) or a reload is under way.
  std::atomic<bool> in_storm{false}, in_reload{false};

  void Intake(int thread, uint64_t seed) {
    LoadClient client(server.port());
    std::mt19937_64 local(seed);
    for (int i = 0; i < g_contacts && !dead; ++i) {
      const int variant = static_cast<int>(local() % 100000);
      const std::string key =
          "crash-" + std::to_string(g_seed) + "-" + std::to_string(cycle) + "-" +
          std::to_string(thread) + "-" + std::to_string(i);
      const std::string body = ContactJson(variant);
      ++requests;
      Reply r = client.Post("/v1/contacts", kPartnerToken, body, {{"Idempotency-Key", key}});
      if (r.status == 201 || r.status == 200) {
        ledger.AddContact({.id = r.str("id"), .idempotency_key = key, .body = body, .cycle = cycle});
        absl::MutexLock lock(&mu);
        undecided.push_back(r.str("id"));
      } else if (r.status == 0) {
        absl::MutexLock lock(&mu);
        cut_off.emplace_back(key, body);
        dead = true;
      } else if (r.status != 503) {
        ADD_FAILURE() << "POST /v1/contacts answered " << r.status << " " << r.body;
      }
    }
  }

  void Triage(uint64_t seed) {
    LoadClient client(server.port());
    std::mt19937_64 local(seed);
    while (!dead) {
      std::string id;
      {
        absl::MutexLock lock(&mu);
        if (!undecided.empty()) {
          size_t at = local() % undecided.size();
          id = undecided[at];
          undecided.erase(undecided.begin() + static_cast<long>(at));
        }
      }
      if (id.empty()) {
        if (requests.load() >= kIntakeThreads * g_contacts) break;
        std::this_thread::yield();
        continue;
      }
      // Half the contacts are decided; the rest wait for their timescale.
      if (local() % 2 == 0) continue;
      const std::string route = kRoutes[local() % 5];
      std::string body = "{\"route\":\"" + route + "\",\"reason\":\"Crash loop decision.\"";
      if (route == "MASH") body += std::string(",\"rag\":\"") + kRags[local() % 3] + "\"";
      body += "}";
      ++requests;
      Reply r = client.Post("/v1/contacts/" + id + "/decision", kTriageToken, body);
      if (r.status == 200) {
        ledger.AddDecision({.contact_id = id, .route = route});
      } else if (r.status == 0) {
        ++cut_decisions;
        dead = true;
      } else if (r.status != 409 && r.status != 503) {
        ADD_FAILURE() << "decision answered " << r.status << " " << r.body;
      }
    }
  }

  // The admin, every 15 requests: time passes (two times in three; a day
  // makes every open decision timescale due, a timer storm) or the policy
  // changes.
  void Operations(uint64_t seed) {
    LoadClient client(server.port());
    std::mt19937_64 local(seed);
    int step = 0;
    while (!dead && requests.load() < kIntakeThreads * g_contacts) {
      const int next = static_cast<int>(requests.load() / 15);
      if (next <= step) {
        std::this_thread::yield();
        continue;
      }
      step = next;
      if (local() % 3 != 0) {
        static const std::pair<const char*, int64_t> kSteps[] = {
            {"PT25H", 25 * 3600}, {"PT7H13M", 7 * 3600 + 13 * 60}, {"PT49M", 49 * 60}};
        const auto& [text, seconds] = kSteps[local() % 3];
        clock_ceiling += seconds;  // before sending: the kill may come after it takes effect
        ++requests;
        ++advances;
        in_storm = true;
        Reply r = client.Post("/v1/admin/clock", kAdminToken,
                              std::string("{\"advance\":\"") + text + "\"}");
        in_storm = false;
        if (r.status == 0) {
          dead = true;
        } else if (r.status != 200) {
          ADD_FAILURE() << "clock answered " << r.status << " " << r.body;
        }
      } else {
        RelabelPolicy(policy, "Northfield crash loop " + std::to_string(cycle) + "." +
                                  std::to_string(step));
        ++requests;
        ++reloads;
        if (local() % 2 == 0) {
          server.Signal(SIGHUP);
        } else {
          in_reload = true;
          Reply r = client.Post("/v1/admin/policy/reload", kAdminToken, "{}");
          in_reload = false;
          if (r.status == 0) {
            dead = true;
          } else if (r.status != 200) {
            ADD_FAILURE() << "reload answered " << r.status << " " << r.body;
          }
        }
      }
    }
  }
};

TEST(CrashLoop, CyclesOfLoadKillRestartLoseNothing) {
  TempDir dir("crash-loop");
  WebhookReceiver receiver;
  const auto policy = CopyPolicy(dir.path());
  auto config = WriteConfig(dir.path(), SubscriptionTo(receiver));
  {
    // The copied policy instead of the shipped one.
    std::string text = ReadFile(config);
    const std::string from = "policy: " + DefaultPolicyPath().string();
    text.replace(text.find(from), from.size(), "policy: " + policy.string());
    std::ofstream(config, std::ios::trunc) << text;
  }
  const auto data = dir.path() / "data";
  std::mt19937_64 rng(g_seed);
  std::atomic<int64_t> clock_ceiling{ParseRfc3339Seconds("2026-11-24T10:00:00Z")};
  Ledger ledger;
  DeliveryMemory memory;
  std::vector<std::pair<std::string, std::string>> cut_off;
  const auto began = std::chrono::steady_clock::now();
  int kills_in_storm = 0, kills_in_reload = 0;
  std::printf("crash loop: %d cycles, seed %llu, up to %d contacts per cycle\n", g_cycles,
              static_cast<unsigned long long>(g_seed), kIntakeThreads * g_contacts);

  for (int cycle = 0; cycle <= g_cycles; ++cycle) {
    // A minute after the latest time the clock may have reached.
    clock_ceiling += 60;
    auto server = ServerProcess::Start({config, data, "manual=" + Rfc3339(clock_ceiling)});
    ASSERT_TRUE(server) << "cycle " << cycle;
    // What the kill cut off, sent again as a partner would.
    {
      HttpClient client(server->port());
      for (const auto& [key, body] : cut_off) {
        Reply r = client.Post("/v1/contacts", kPartnerToken, body, {{"Idempotency-Key", key}});
        ASSERT_TRUE(r.status == 201 || r.status == 200) << r.status << " " << r.body;
        ledger.AddContact({.id = r.str("id"), .idempotency_key = key, .body = body, .cycle = cycle});
      }
      cut_off.clear();
    }
    VerifyOptions check{.port = server->port(),
                        .spool_dir = data / "spool",
                        .receiver = &receiver,
                        .replay_keys_of_cycle = cycle - 1,
                        .threads = 4};
    Verified v = VerifyAll(ledger, check, memory);
    {
      // Verification may have moved the clock for webhook retries.
      HttpClient client(server->port());
      Reply now = client.Advance("PT0S");
      clock_ceiling = std::max<int64_t>(clock_ceiling, ParseRfc3339Seconds(now.str("now")));
    }
    std::printf(
        "cycle %d: verified %zu contacts, %zu decisions, %zu breaches, %zu spool files, %zu "
        "webhook ids, lost %zu\n",
        cycle, v.contacts, v.decisions, v.breaches, v.spooled, v.webhook_events, v.lost);
    std::fflush(stdout);
    if (v.lost > 0) {
      // Kept for a look: the data folder and the server logs of every cycle.
      const std::filesystem::path kept = std::filesystem::temp_directory_path() /
                                         ("frontdoor-crash-loop-kept-" + std::to_string(g_seed) +
                                          "-" + std::to_string(cycle));
      server->Kill();
      std::filesystem::copy(dir.path(), kept, std::filesystem::copy_options::recursive);
      std::printf("cycle %d: lost %zu; data and logs kept in %s\n", cycle, v.lost,
                  kept.c_str());
    }
    ASSERT_EQ(v.lost, 0u) << "cycle " << cycle << " (seed " << g_seed << ")";
    if (cycle == g_cycles) {
      EXPECT_EQ(server->Terminate(), 0);
      break;
    }

    // Load, and kill -9 after `kill_after` requests and `extra_us`.
    const int kill_after = 10 + static_cast<int>(rng() % (kIntakeThreads * g_contacts));
    const int extra_us = static_cast<int>(rng() % 3000);
    CycleLoad load(ledger, *server, policy, cycle, clock_ceiling);
    std::vector<std::thread> threads;
    for (int t = 0; t < kIntakeThreads; ++t) {
      threads.emplace_back([&load, t, s = rng()] {
        load.Intake(t, s);
        ++load.finished;
      });
    }
    threads.emplace_back([&load, s = rng()] {
      load.Triage(s);
      ++load.finished;
    });
    threads.emplace_back([&load, s = rng()] {
      load.Operations(s);
      ++load.finished;
    });
    const int all_threads = static_cast<int>(threads.size());
    // Polls the request count (no timing of the business clock here).
    while (load.requests.load() < kill_after && load.finished.load() < all_threads) {
      std::this_thread::yield();
    }
    std::this_thread::sleep_for(std::chrono::microseconds(extra_us));
    const bool storm = load.in_storm.load(), reloading = load.in_reload.load();
    server->Kill();
    load.dead = true;
    for (auto& t : threads) t.join();
    kills_in_storm += storm;
    kills_in_reload += reloading;
    {
      absl::MutexLock lock(&load.mu);
      cut_off = load.cut_off;
    }
    std::printf(
        "cycle %d: kill -9 after %d requests + %d us%s%s (%d clock steps, %d reloads); %zu "
        "contacts cut off\n",
        cycle, kill_after, extra_us, storm ? ", during a clock step" : "",
        reloading ? ", during a reload" : "", load.advances.load(), load.reloads.load(),
        cut_off.size());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::printf(
      "crash loop done: %d cycles, seed %llu: %zu contacts, %zu decisions acknowledged, %d "
      "kills during a clock step, %d during a reload; lost 0; %.1f s\n",
      g_cycles, static_cast<unsigned long long>(g_seed), ledger.contacts(), ledger.decisions(),
      kills_in_storm, kills_in_reload, seconds);
}

}  // namespace
}  // namespace frontdoor::testing

// GoogleTest's flags, then --cycles N, --seed S and --contacts N (per
// intake thread per cycle); anything else, or a bad number, is refused.
int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag != "--cycles" && flag != "--seed" && flag != "--contacts") {
      std::fprintf(stderr, "crash_test: unknown flag %s (--cycles N, --seed S, --contacts N)\n",
                   argv[i]);
      return 2;
    }
    char* end = nullptr;
    const char* text = i + 1 < argc ? argv[i + 1] : "";
    const unsigned long long value = std::strtoull(text, &end, 10);
    if (*text == '\0' || *text == '-' || *end != '\0' || (flag != "--seed" && value == 0) ||
        value > (flag == "--seed" ? ~0ull : 100000ull)) {
      std::fprintf(stderr, "crash_test: %s needs a positive whole number, not \"%s\"\n",
                   flag.c_str(), text);
      return 2;
    }
    if (flag == "--cycles") frontdoor::testing::g_cycles = static_cast<int>(value);
    if (flag == "--seed") frontdoor::testing::g_seed = value;
    if (flag == "--contacts") frontdoor::testing::g_contacts = static_cast<int>(value);
  }
  return RUN_ALL_TESTS();
}
