// Wiring of the engine and the edges into one running server.
#include "adapters/cli/serve.h"

#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "adapters/cli/flags.h"
#include "adapters/http/api.h"
#include "adapters/http/auth.h"
#include "adapters/http/config.h"
#include "adapters/http/live_feed.h"
#include "adapters/http/person_auth.h"
#include "adapters/http/server.h"
#include "adapters/http/tls.h"
#include "adapters/sinks/email.h"
#include "adapters/sinks/notify.h"
#include "adapters/sinks/spool.h"
#include "adapters/sinks/webhook.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/signal_set.hpp"
#include "calendar/london_time.h"
#include "engine/active_policy.h"
#include "engine/audit_log.h"
#include "engine/clock.h"
#include "engine/deliveries.h"
#include "engine/metrics.h"
#include "engine/outbox.h"
#include "engine/policy_library.h"
#include "engine/processor.h"
#include "engine/store.h"
#include "spdlog/async.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace frontdoor {

namespace asio = boost::asio;

namespace {

std::string JoinErrors(const std::vector<rules::PolicyError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "\n";
    out += e.ToString();
  }
  return out;
}

// Logs go to stderr from a thread of their own, so that writing one line
// per request never holds a request up.
void SetUpLogging(const std::string& level) {
  spdlog::init_thread_pool(8192, 1);
  auto logger = spdlog::create_async<spdlog::sinks::stderr_sink_mt>("frontdoor");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

// A retention setting in days as the engine's duration (0: keep for ever).
Millis RetentionDays(int days) { return Millis(static_cast<int64_t>(days) * 86'400'000); }

// The store's size on disk, and per contact stored (the contact counter:
// contacts are never deleted), so that growth shows on /metrics.
void AddStoreSizeGauges(MetricsRegistry& metrics, const Store& store) {
  metrics.AddGauge("frontdoor_store_bytes",
                   "The store's size on disk: live table files and write-ahead log",
                   [&store] { return static_cast<double>(store.ApproximateBytes()); });
  metrics.AddGauge(
      "frontdoor_store_bytes_per_contact",
      "The store's size on disk divided by the contacts stored (0 with none)", [&store] {
        auto contacts = store.GetCounter("contact");
        if (!contacts.ok() || *contacts == 0) return 0.0;
        return static_cast<double>(store.ApproximateBytes()) / static_cast<double>(*contacts);
      });
}

}  // namespace

int Serve(const ServeArgs& args) {
  auto config = LoadServerConfig(args.config);
  if (!config.ok()) {
    std::cerr << "frontdoor serve: " << config.status().message() << "\n";
    return 2;
  }
  SetUpLogging(config->log_level);
  // Without the time zone database London time is UTC: office hours and
  // timescales would be an hour out all summer. Say so at once.
  if (absl::Status zone = LondonStatus(); !zone.ok()) {
    spdlog::warn("the calendar counts in UTC: {}", zone.ToString());
  }
  ServerOptions server_options;
  // main() has checked --listen with the same function; this only unpacks it.
  if (absl::Status listen =
          cli::SplitListenAddress(args.listen, &server_options.host, &server_options.port);
      !listen.ok()) {
    std::cerr << "frontdoor serve: " << listen.message() << "\n";
    return 2;
  }
  server_options.body_limit = config->body_limit_bytes;
  server_options.idle_timeout = config->idle_timeout;
  server_options.max_connections = config->max_connections;
  server_options.max_stream_subscribers = config->max_stream_subscribers;
  std::unique_ptr<TlsSlot> tls;
  if (config->tls) {
    auto loaded = TlsSlot::Load(*config->tls);
    if (!loaded.ok()) {
      std::cerr << "frontdoor serve: " << args.config << ": " << loaded.status().message() << "\n";
      return 2;
    }
    tls = *std::move(loaded);
    server_options.tls = tls.get();
  }

  std::unique_ptr<Clock> clock;
  if (args.manual_clock) {
    TimePoint start = SystemClock().Now();
    if (!args.manual_clock->empty()) {
      auto parsed = ParseRfc3339(*args.manual_clock);
      if (!parsed.ok()) {
        std::cerr << "frontdoor serve: --clock manual=" << *args.manual_clock << " "
                  << parsed.status().message() << "\n";
        return 2;
      }
      start = *parsed;
    }
    clock = std::make_unique<ManualClock>(start);
  } else {
    clock = std::make_unique<SystemClock>();
  }

  auto keys = Authenticator::Make(config->api_keys);
  if (!keys.ok()) {
    std::cerr << "frontdoor serve: " << args.config << ": " << keys.status().message() << "\n";
    return 2;
  }
  // Key expiry and the failed-sign-in window run on real time, also when
  // the business clock is manual.
  SystemClock real_clock;
  // Staff tokens: the provider's discovery document and keys are read now;
  // a provider that cannot be reached stops the start with its reason.
  std::shared_ptr<const PersonAuthenticator> people;
  if (config->oidc) {
    auto started = PersonAuthenticator::Start(*config->oidc);
    if (!started.ok()) {
      std::cerr << "frontdoor serve: oidc: " << config->oidc->issuer << ": "
                << started.status().message() << "\n";
      return 2;
    }
    people = *std::move(started);
    spdlog::info("oidc: tokens from {} accepted for audience {}", config->oidc->issuer,
                 config->oidc->audience);
  }
  AuthGate gate(std::move(*keys), real_clock, config->auth_failures, people);
  std::vector<rules::PolicyError> policy_errors;
  auto active = LoadActivePolicy(config->policy, config->bank_holidays, &policy_errors);
  if (!active.ok()) {
    std::cerr << "frontdoor serve: the policy was refused:\n"
              << (policy_errors.empty() ? std::string(active.status().message())
                                        : JoinErrors(policy_errors))
              << "\n";
    return 2;
  }
  auto store = Store::Open(args.data_dir);
  if (!store.ok()) {
    std::cerr << "frontdoor serve: " << store.status().message() << "\n";
    return 1;
  }
  if (auto s = RememberPolicy(**store, *active->policy, clock->Now()); !s.ok()) {
    std::cerr << "frontdoor serve: " << s.message() << "\n";
    return 1;
  }

  MetricsRegistry metrics;
  PolicySlot policies(std::move(*active));
  ProcessorOptions processor_options;
  processor_options.max_queue = config->max_queue;
  processor_options.idempotency_retention = RetentionDays(config->idempotency_retention_days);
  Processor processor(**store, *clock, policies, &metrics, processor_options);
  PolicyLibrary library(**store, policies);
  // How each letter went out: the email channel records, staff read.
  LetterBook letters(**store);
  std::filesystem::path spool_dir = config->spool_dir.empty()
                                        ? std::filesystem::path(args.data_dir) / "spool"
                                        : config->spool_dir;
  Spool spool(spool_dir, SpoolRetention{.keep = RetentionDays(config->spool_retention_days),
                                        .clock = clock.get(),
                                        .removed = &metrics.GetCounter(
                                            "frontdoor_retention_removed_total",
                                            "Records and files removed by the retention rules",
                                            "what=\"spool_files\"")});
  // Every sink's Outbox shares the cursors: the store keeps an outbox entry
  // until the slowest sink has it. Backoff after a failed delivery to the
  // spool runs on real time, also when the business clock is manual.
  auto cursors = std::make_shared<OutboxCursors>();
  Outbox outbox(**store, spool, real_clock, &metrics, OutboxOptions{.cursors = cursors});
  LiveFeed feed;

  // Receivers that answer for each event: webhook subscriptions and email
  // push their Channel here (one line each, below); each gets a
  // DeliveryQueue (retries, dead letters) and an Outbox of its own, sharing
  // `cursors`, so a slow receiver holds up only its own queue. Retries run
  // on the business clock: the commit listener wakes the queues, so that
  // POST /v1/admin/clock moves them along under --clock manual.
  std::vector<std::unique_ptr<Channel>> channels;
  // Letters by email (adapters/sinks/email.h), always: with no `email:` it
  // still keeps each letter's state (sent by the spool, or to post).
  auto letter_transport = MakeLetterTransport(config->email, real_clock);
  if (!letter_transport.ok()) {
    std::cerr << "frontdoor serve: " << letter_transport.status().message() << "\n";
    return 1;
  }
  channels.push_back(std::make_unique<EmailChannel>(letters, *clock, std::move(*letter_transport)));
  // Late bounces: Notify's status of each letter it took, asked on the
  // business clock for email.notify.status_check_hours (adapters/sinks/notify.h).
  std::optional<DeliveryOptions> status_options;
  if (config->email && config->email->notify && config->email->notify->status_check_hours > 0) {
    channels.push_back(std::make_unique<NotifyStatusChannel>(*config->email->notify, letters,
                                                             *clock, real_clock));
    status_options = NotifyStatusOptions(*config->email->notify);
  }
  // (webhook and email channels are pushed here)
  // Webhooks: one channel per subscription; webhook-timestamp is real time.
  for (auto& webhook : MakeWebhookChannels(*config, **store, real_clock)) {
    channels.push_back(std::move(webhook));
  }
  struct Delivering {
    std::unique_ptr<DeliveryQueue> queue;
    std::unique_ptr<Outbox> outbox;
  };
  std::vector<Delivering> delivering;
  for (auto& channel : channels) {
    DeliveryOptions options;
    if (status_options && channel->name() == kNotifyStatusChannel) options = *status_options;
    options.keep_delivered = RetentionDays(config->delivered_retention_days);
    auto queue = std::make_unique<DeliveryQueue>(**store, *channel, *clock, &metrics, options);
    auto channel_outbox = std::make_unique<Outbox>(**store, queue->sink(), real_clock, &metrics,
                                                   OutboxOptions{.cursors = cursors});
    delivering.push_back({.queue = std::move(queue), .outbox = std::move(channel_outbox)});
  }
  processor.AddCommitListener([&outbox, &feed, &delivering](const CommitNotice& notice) {
    outbox.Notify(notice.outbox_seq);
    for (auto& d : delivering) {
      d.outbox->Notify(notice.outbox_seq);
      d.queue->Wake();
    }
    feed.Publish(notice);
  });
  metrics.AddGauge("frontdoor_timers_pending", "Open timescales waiting to fall due",
                   [&store] { return static_cast<double>((*store)->EstimateTimers()); });
  AddStoreSizeGauges(metrics, **store);

  // Reloads run one at a time, so two sent together finish in order and
  // the file read last is the one in force.
  absl::Mutex reload_mu;
  auto reload = [&]() -> absl::Status {
    absl::MutexLock reload_lock(&reload_mu);
    std::vector<rules::PolicyError> errors;
    auto next = LoadActivePolicy(config->policy, config->bank_holidays, &errors);
    if (!next.ok()) {
      spdlog::warn("policy reload refused; the old policy stays");
      return absl::InvalidArgumentError(errors.empty() ? std::string(next.status().message())
                                                       : JoinErrors(errors));
    }
    if (auto s = RememberPolicy(processor, *next->policy, clock->Now()); !s.ok()) return s;
    spdlog::info("policy {} loaded", next->policy->version());
    policies.Set(std::move(*next));
    return absl::OkStatus();
  };

  // SIGHUP reads the config file's api_keys again; a file with errors
  // keeps the keys in force. The oidc settings stay as they were at start. Messages name lines and settings, never tokens.
  auto reload_keys = [&]() -> absl::Status {
    auto next = LoadServerConfig(args.config);
    if (!next.ok()) return next.status();
    auto next_keys = Authenticator::Make(next->api_keys);
    if (!next_keys.ok()) {
      return absl::InvalidArgumentError(args.config + ": " +
                                        std::string(next_keys.status().message()));
    }
    size_t count = next_keys->size();
    gate.Replace(std::move(*next_keys));
    spdlog::info("api keys reloaded: {} in force", count);
    return absl::OkStatus();
  };

  if (auto s = outbox.Start(); !s.ok()) {
    std::cerr << "frontdoor serve: " << s.message() << "\n";
    return 1;
  }
  // Each queue before its Outbox, which hands it what it stores.
  for (size_t i = 0; i < delivering.size(); ++i) {
    Delivering& d = delivering[i];
    if (auto s = d.queue->Start(); !s.ok()) {
      std::cerr << "frontdoor serve: " << channels[i]->name() << ": " << s.message() << "\n";
      return 1;
    }
    if (auto s = d.outbox->Start(); !s.ok()) {
      std::cerr << "frontdoor serve: " << s.message() << "\n";
      return 1;
    }
  }
  if (auto s = processor.Start(); !s.ok()) {
    std::cerr << "frontdoor serve: " << s.message() << "\n";
    return 1;
  }
  // The read audit: rows stamped with the real time, and the business
  // clock's for ordering among a contact's events.
  AuditLog audit(**store, real_clock, *clock, &metrics);
  if (auto s = audit.Start(); !s.ok()) {
    std::cerr << "frontdoor serve: " << s.message() << "\n";
    return 1;
  }

  asio::io_context ioc(static_cast<int>(config->io_threads));
  ApiDependencies deps;
  deps.store = store->get();
  deps.processor = &processor;
  deps.policies = &policies;
  deps.library = &library;
  deps.feed = &feed;
  deps.clock = clock.get();
  deps.metrics = &metrics;
  deps.delivery = &outbox.watch();
  deps.auth = &gate;
  deps.audit = &audit;
  deps.letters = &letters;
  deps.reload_policy = reload;
  deps.reader_threads = config->reader_threads;
  deps.reader_queue = config->reader_queue;
  for (size_t i = 0; i < delivering.size(); ++i) {
    DeliveryChannel view{.queue = delivering[i].queue.get(), .subscription = std::nullopt};
    for (const SubscriptionConfig& sub : config->subscriptions) {
      if (sub.name == channels[i]->name()) view.subscription = SubscriptionView(sub);
    }
    deps.channels.push_back(std::move(view));
  }
  WebRoot web(config->web_root, config->oidc ? config->oidc->issuer : "");
  deps.web = &web;
  if (config->oidc) deps.oidc = &*config->oidc;
  Api api(std::move(deps));
  HttpServer server(ioc, api, server_options);
  auto endpoint = server.Listen();
  if (!endpoint.ok()) {
    std::cerr << "frontdoor serve: " << endpoint.status().message() << "\n";
    return 1;
  }
  server.Start();

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  asio::signal_set hangup(ioc, SIGHUP);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: stopping", signal);
    hangup.cancel();
    server.Shutdown();
    feed.Close();
  });
  std::function<void()> await_hangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (auto s = reload_keys(); !s.ok()) {
        spdlog::warn("SIGHUP: api keys refused, the old keys stay: {}", std::string(s.message()));
      }
      if (auto s = reload(); !s.ok()) spdlog::warn("SIGHUP: {}", std::string(s.message()));
      // New connections get the new certificate; a bad file keeps the old.
      if (tls != nullptr) {
        if (auto s = tls->Reload(); !s.ok()) {
          spdlog::warn("SIGHUP: TLS files refused, the old certificate stays: {}",
                       std::string(s.message()));
        } else {
          spdlog::info("TLS certificate reloaded");
        }
      }
      await_hangup();
    });
  };
  await_hangup();

  std::string host = endpoint->address().to_string();
  if (endpoint->address().is_v6()) host = "[" + host + "]";
  std::printf("listening on %s:%u\n", host.c_str(), endpoint->port());
  std::fflush(stdout);
  spdlog::info("listening on {}:{} ({}) with {} I/O threads, data in {}", host, endpoint->port(),
               tls != nullptr ? "HTTPS" : "HTTP", config->io_threads, args.data_dir);

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < config->io_threads; ++i) {
    threads.emplace_back([&ioc] {
      pthread_setname_np(pthread_self(), "fd-io");
      ioc.run();
    });
  }
  ioc.run();
  for (auto& t : threads) t.join();

  audit.Stop();
  processor.Stop();
  // Each Outbox before its queue (it hands the queue what it stores).
  for (auto& d : delivering) {
    d.outbox->Stop();
    d.queue->Stop();
  }
  outbox.Stop();
  spdlog::info("stopped");
  spdlog::shutdown();
  return 0;
}

}  // namespace frontdoor
