// The fuzz targets of fuzz_targets.h. Each reads its bytes the way the
// front door reads that input from outside and throws the result away; a
// target fails only by crashing (or by a sanitizer's report). The HTTP
// target keeps one real store, processor and Api for the whole process, in
// a fresh folder under the temp dir that goes when the process ends.
#include "tests/fuzz/fuzz_targets.h"

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/csv/csv.h"
#include "adapters/http/api.h"
#include "adapters/http/config.h"
#include "adapters/json/json.h"
#include "adapters/oidc/verifier.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/http/parser.hpp"
#include "engine/contact_validation.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/v1/api.pb.h"
#include "frontdoor/v1/oidc.pb.h"
#include "rules/policy.h"
#include "spdlog/spdlog.h"

#ifndef FRONTDOOR_SOURCE_DIR
#error "FRONTDOOR_SOURCE_DIR names the source tree (rules/policies, deploy/bank-holidays.json)"
#endif

namespace frontdoor::fuzz {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

const std::filesystem::path kSource = FRONTDOOR_SOURCE_DIR;
// 2026-11-22T10:00:00Z, a fixed business clock to start from.
const TimePoint kStart{Millis(1795514400000)};

std::string_view Bytes(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A folder of its own under the temp dir for this process.
std::filesystem::path MakeScratch(const char* label) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / ("frontdoor-fuzz-" + std::string(label) + "-XXXXXX"))
          .string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  return pattern;
}

void Quiet() {
  static const bool once = [] {
    spdlog::set_level(spdlog::level::off);
    return true;
  }();
  (void)once;
}

// The server's parts as `frontdoor serve` wires them, minus the sockets
// and the sinks: store, policy, processor, library, keys, Api.
struct Server {
  Server() : clock(kStart) {
    Quiet();
    dir = MakeScratch("http");
    auto active = LoadActivePolicy(kSource / "rules/policies/default.yaml",
                                   kSource / "deploy/bank-holidays.json");
    if (!active.ok()) std::abort();
    auto opened = Store::Open(dir / "db");
    if (!opened.ok()) std::abort();
    store = std::move(*opened);
    if (!RememberPolicy(*store, *active->policy, clock.Now()).ok()) std::abort();
    policies = std::make_unique<PolicySlot>(std::move(*active));
    processor = std::make_unique<Processor>(*store, clock, *policies, &metrics);
    if (!processor->Start().ok()) std::abort();
    library = std::make_unique<PolicyLibrary>(*store, *policies);
    ApiKeyConfig partner("police-a", "partner", "partner-token");
    partner.organisation = "police-a";
    auto keys = Authenticator::Make({ApiKeyConfig("ops", "admin", "admin-token"),
                                     ApiKeyConfig("ifd-triage", "triage", "triage-token"),
                                     ApiKeyConfig("ifd-manager", "manager", "manager-token"),
                                     partner});
    if (!keys.ok()) std::abort();
    // Bad tokens are most of what a fuzzer sends: the throttle would answer
    // 429 to everything after the first ten.
    AuthFailureOptions failures;
    failures.burst = std::numeric_limits<size_t>::max();
    gate = std::make_unique<AuthGate>(std::move(*keys), clock, failures);
    ApiDependencies deps;
    deps.store = store.get();
    deps.processor = processor.get();
    deps.policies = policies.get();
    deps.library = library.get();
    deps.clock = &clock;
    deps.metrics = &metrics;
    deps.auth = gate.get();
    deps.reload_policy = [] { return absl::OkStatus(); };
    deps.delivery_wait = std::chrono::milliseconds(0);
    api = std::make_unique<Api>(std::move(deps));
  }
  ~Server() {
    api.reset();
    processor->Stop();
    processor.reset();
    library.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  std::filesystem::path dir;
  ManualClock clock;
  MetricsRegistry metrics;
  std::unique_ptr<Store> store;
  std::unique_ptr<PolicySlot> policies;
  std::unique_ptr<Processor> processor;
  std::unique_ptr<PolicyLibrary> library;
  std::unique_ptr<AuthGate> gate;
  std::unique_ptr<Api> api;
};

}  // namespace

void HttpRequest(const uint8_t* data, size_t size) {
  if (size < 1) return;
  static Server server;
  static const char* const kTokens[] = {nullptr, "admin-token", "triage-token", "manager-token",
                                        "partner-token"};
  const char* token = kTokens[data[0] % 5];

  // As the server reads a request: a Beast parser with the server's limits.
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1024 * 1024);
  parser.eager(true);
  boost::system::error_code ec;
  std::string_view bytes = Bytes(data + 1, size - 1);
  size_t used = 0;
  while (used < bytes.size() && !parser.is_done()) {
    size_t n = parser.put(asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec) return;
    if (n == 0) break;
    used += n;
  }
  if (!parser.is_done()) {
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return;
  }
  Request req = parser.release();
  // FRONTDOOR_FUZZ_TRACE=1: each request's method, target and answer on
  // stderr, to check that seeds reach the handlers they are meant for.
  static const bool trace = std::getenv("FRONTDOOR_FUZZ_TRACE") != nullptr;
  std::string traced = trace ? std::string(req.method_string()) + " " + std::string(req.target()) : "";
  if (token != nullptr && req.find(http::field::authorization) == req.end()) {
    req.set(http::field::authorization, std::string("Bearer ") + token);
  }
  if (Api::IsStream(req)) return;  // takes a socket over; not reachable here

  asio::io_context ioc;
  // The processor answers from its own thread: keep run() going until then.
  auto work = asio::make_work_guard(ioc);
  std::optional<Response> answer;
  asio::co_spawn(ioc, server.api->Handle(std::move(req), asio::ip::make_address("127.0.0.1")),
                 [&](std::exception_ptr e, Response res) {
                   if (e) std::abort();  // Handle never throws
                   answer = std::move(res);
                   work.reset();
                 });
  ioc.run();
  if (!answer) std::abort();
  if (trace) std::fprintf(stderr, "%s -> %u\n", traced.c_str(), answer->result_int());
}

void ContactJson(const uint8_t* data, size_t size) {
  v1::ContactSubmission submission;
  json::ParseResult parsed = json::Parse(Bytes(data, size), &submission);
  if (!parsed.ok()) return;
  auto today = std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(kStart));
  (void)ValidateSubmission(submission, kStart, today);
  (void)json::Write(submission);
}

void PolicyYaml(const uint8_t* data, size_t size) {
  Quiet();
  std::vector<rules::PolicyError> errors;
  (void)rules::Policy::LoadText(Bytes(data, size), "fuzz.yaml", kSource / "rules/policies",
                                &errors);
}

void OpenCasesCsv(const uint8_t* data, size_t size) {
  // The reading of `frontdoor open-cases load` (adapters/cli/tools.cc):
  // a header naming the columns, then a row per child.
  std::istringstream in{std::string(Bytes(data, size))};
  csv::Reader reader(in);
  std::vector<std::string> header, fields;
  if (!reader.Next(&header)) return;
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  auto get = [&](const char* name) -> std::string {
    auto it = column.find(name);
    return it != column.end() && it->second < fields.size() ? fields[it->second] : std::string();
  };
  std::map<std::string, v1::OpenCaseRequest> cases;
  while (reader.Next(&fields)) {
    (void)reader.line();
    v1::OpenCaseRequest& c = cases[get("case_id")];
    c.set_team(get("team"));
    if (std::string worker = get("worker"); !worker.empty()) c.set_worker(worker);
    if (std::string opened = get("opened_at"); !opened.empty()) {
      auto t = ParseRfc3339(opened.size() == 10 ? opened + "T00:00:00Z" : opened);
      if (t.ok()) *c.mutable_opened_at() = ToProto(*t);
    }
    v1::Child* child = c.add_children();
    child->set_given_name(get("given_name"));
    child->set_family_name(get("family_name"));
    if (std::string dob = get("date_of_birth"); !dob.empty()) child->set_date_of_birth(dob);
    child->set_nhs_number(get("nhs_number"));
  }
  auto today = std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(kStart));
  for (const auto& [id, c] : cases) (void)ValidateOpenCase(id, c, today);
}

namespace {

constexpr const char* kIssuer = "https://login.council.example/tenant/v2.0";
constexpr const char* kJwksUri = "https://login.council.example/tenant/keys";

// The identity provider, serving a fixed discovery document and the
// fuzzer's key set.
class FuzzProvider final : public oidc::HttpGetter {
 public:
  explicit FuzzProvider(std::string jwks) : jwks_(std::move(jwks)) {}
  absl::StatusOr<std::string> Get(const std::string& url) override {
    if (url == std::string(kIssuer) + "/.well-known/openid-configuration") {
      v1::OidcDiscovery discovery;
      discovery.set_issuer(kIssuer);
      discovery.set_jwks_uri(kJwksUri);
      return json::Write(discovery);
    }
    if (url == kJwksUri) return jwks_;
    return absl::FailedPreconditionError("HTTP 404");
  }

 private:
  std::string jwks_;
};

}  // namespace

void OidcJwt(const uint8_t* data, size_t size) {
  std::string_view bytes = Bytes(data, size);
  size_t split = bytes.find("\n\n");
  std::string_view jwks = bytes.substr(0, split);
  std::string_view token = split == std::string_view::npos ? "" : bytes.substr(split + 2);
  oidc::VerifierOptions options;
  options.issuer = kIssuer;
  options.audience = "api://frontdoor";
  options.min_refetch_interval = std::chrono::seconds(0);
  auto verifier =
      oidc::TokenVerifier::Start(options, std::make_shared<FuzzProvider>(std::string(jwks)));
  if (!verifier.ok()) return;
  // 2026-11-22: inside the seeds' tokens' lifetimes.
  (void)(*verifier)->Verify(token, std::chrono::system_clock::time_point(std::chrono::seconds(1795514400)));
}

void ServerConfig(const uint8_t* data, size_t size) {
  Quiet();
  static const std::filesystem::path dir = MakeScratch("config");
  // Removed at exit; the file is rewritten for each input.
  static const struct Cleanup {
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup;
  const std::filesystem::path file = dir / "frontdoor.yaml";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  (void)LoadServerConfig(file);
}

}  // namespace frontdoor::fuzz
