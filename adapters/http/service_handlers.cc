// The service's own resources: GET /healthz, /readyz, /metrics (loopback
// unsigned, managers otherwise), /v1/whoami and /v1/signin.
#include "adapters/http/handlers.h"
#include "adapters/http/prometheus.h"
#include "adapters/http/router.h"
#include "frontdoor/v1/api.pb.h"

namespace frontdoor {

namespace http = boost::beast::http;

HandlerResult Healthz(const ApiDependencies&, Call& call) {
  v1::HealthStatus status;
  status.set_status("ok");
  co_return JsonAnswer(call, http::status::ok, status);
}

namespace {

// The cause at the end of a sink's error ("cannot create /spool/x.tmp:
// Read-only file system" gives "Read-only file system"): /readyz needs no
// token, so it shows neither paths nor event ids; the log has the rest.
std::string FailureCause(std::string_view error) {
  size_t colon = error.rfind(": ");
  std::string_view cause = colon == std::string_view::npos ? error : error.substr(colon + 2);
  return std::string(cause.substr(0, 80));
}

}  // namespace

// Ready means able to take contacts: not while the store refuses writes
// (asking it to resume, so a server its load balancer stopped sending to
// still recovers by itself) or overdue timers from before the start are
// still firing. A failing sink does not make the server unready (its
// events wait in the outbox), but the answer names it.
HandlerResult Readyz(const ApiDependencies& deps, Call& call) {
  if (deps.store != nullptr && !deps.store->writing()) {
    if (absl::Status resumed = deps.store->ResumeWrites(); !resumed.ok()) {
      co_return MakeProblem(call.version(), http::status::service_unavailable, "writes-refused",
                            "Not ready",
                            deps.store->writes_refused()
                                ? "the disk was full when frontdoor started: the store is "
                                  "read-only until a restart with free space"
                                : "the store cannot write (the last write failed: full disk "
                                  "or failed sync); it retries on every request");
    }
  }
  if (!deps.processor->recovered()) {
    co_return MakeProblem(call.version(), http::status::service_unavailable, "recovering",
                          "Not ready", "overdue timers are still firing after start-up");
  }
  v1::HealthStatus status;
  status.set_status("ready");
  if (deps.delivery != nullptr) {
    // deps.delivery is the spool's dispatcher (adapters/cli/serve.cc).
    SinkHealth spool = deps.delivery->health();
    (*status.mutable_deliveries())["spool"] =
        spool.failing ? "failing: " + FailureCause(spool.last_error) : "ok";
  }
  co_return JsonAnswer(call, http::status::ok, status);
}

HandlerResult GetMetrics(const ApiDependencies& deps, Call& call) {
  if (!call.peer.is_loopback()) {
    auto admitted =
        Admit(deps, call.req, call.peer.to_string(), call.client_certificate, roles::kManager);
    if (auto* refusal = std::get_if<Response>(&admitted)) co_return std::move(*refusal);
  }
  Response res(http::status::ok, call.version());
  res.set(http::field::content_type, "text/plain; version=0.0.4");
  res.body() = deps.metrics ? PrometheusText(deps.metrics->Snapshot()) : "";
  res.prepare_payload();
  co_return res;
}

HandlerResult GetWhoami(const ApiDependencies& deps, Call& call) {
  v1::Whoami whoami;
  whoami.set_name(call.who->name);
  whoami.set_role(std::string(RoleName(call.who->role)));
  const bool person = call.who->kind == Principal::Kind::kPerson;
  whoami.set_kind(person ? v1::Actor::PERSON : v1::Actor::KEY);
  if (person) whoami.set_subject(call.who->subject);
  if (!call.who->organisation.empty()) whoami.set_organisation(call.who->organisation);
  *whoami.mutable_now() = ToProto(deps.clock->Now());
  co_return JsonAnswer(call, http::status::ok, whoami);
}

HandlerResult GetSignIn(const ApiDependencies& deps, Call& call) {
  if (deps.oidc == nullptr || deps.oidc->client_id.empty()) {
    co_return MakeProblem(call.version(), http::status::not_found, "no-oidc", "No OpenID provider",
                          "this server signs in with API tokens only");
  }
  v1::SignInOptions options;
  options.set_issuer(deps.oidc->issuer);
  options.set_client_id(deps.oidc->client_id);
  options.set_audience(deps.oidc->audience);
  options.set_scope(deps.oidc->scopes);
  co_return JsonAnswer(call, http::status::ok, options);
}

}  // namespace frontdoor
