// The shared pieces of the handlers: answers, bodies, contacts as the
// caller may see them, and waiting for delivery.
#include "adapters/http/handler_support.h"

#include <strings.h>

#include <atomic>

#include "adapters/json/json.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/this_coro.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "engine/queries.h"
#include "spdlog/spdlog.h"

namespace frontdoor {

namespace asio = boost::asio;
namespace http = boost::beast::http;

bool IsJson(const Request& req) {
  auto it = req.find(http::field::content_type);
  if (it == req.end()) return false;
  std::string_view type(it->value().data(), it->value().size());
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return type.size() == 16 && strncasecmp(type.data(), "application/json", 16) == 0;
}

namespace {

// Appends the row and resumes the coroutine, on its own executor, with the
// store's answer.
template <typename Token>
auto AsyncAppend(AuditLog& log, v1::AuditRecord row, Token&& token) {
  return asio::async_initiate<Token, void(absl::Status)>(
      [&log](auto handler, v1::AuditRecord r) {
        auto executor = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        log.Append(std::move(r), [shared, executor](absl::Status status) {
          asio::post(executor, [shared, status = std::move(status)]() mutable {
            (*shared)(std::move(status));
          });
        });
      },
      token, std::move(row));
}

}  // namespace

std::string Call::What() const { return std::string(req.method_string()) + " " + contact_id; }

Response JsonAnswer(const Call& call, http::status status, std::string body) {
  Response res(status, call.version());
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response JsonAnswer(const Call& call, http::status status, const google::protobuf::Message& message,
                    bool list) {
  return JsonAnswer(call, status, list ? json::WriteList(message) : json::Write(message));
}

Response CsvAnswer(const Call& call, std::string body, const std::string& filename) {
  Response res(http::status::ok, call.version());
  res.set(http::field::content_type, "text/csv; charset=utf-8");
  res.set(http::field::content_disposition, "attachment; filename=\"" + filename + "\"");
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response FromStatus(const Call& call, const absl::Status& status) {
  return ProblemFromStatus(call.version(), status, call.What());
}

std::optional<Response> ReadBody(const Call& call, google::protobuf::Message* message) {
  if (!IsJson(call.req)) {
    return MakeProblem(call.version(), http::status::unsupported_media_type,
                       "unsupported-media-type", "The body must be JSON",
                       "send Content-Type: application/json");
  }
  json::ParseResult parsed = json::Parse(call.req.body(), message);
  if (parsed.malformed) {
    return MakeProblem(call.version(), http::status::bad_request, "malformed-json",
                       "The body is not JSON", parsed.detail);
  }
  if (!parsed.errors.empty()) return InvalidRequest(call.version(), parsed.errors);
  return std::nullopt;
}

std::string Header(const Request& req, http::field field) {
  auto it = req.find(field);
  return it == req.end() ? std::string() : std::string(it->value());
}

std::string Header(const Request& req, std::string_view name) {
  auto it = req.find(name);
  return it == req.end() ? std::string() : std::string(it->value());
}

Response Refused(unsigned version, const AuthOutcome& outcome) {
  switch (outcome.refusal) {
    case AuthRefusal::kExpired:
      return KeyExpired(version);
    case AuthRefusal::kThrottled:
      return TooManyFailures(version, outcome.retry_after);
    case AuthRefusal::kNoRole:
      return Forbidden(version, outcome.detail);
    case AuthRefusal::kUnknown:
      if (!outcome.detail.empty()) return InvalidToken(version, outcome.detail);
      return Unauthenticated(version);
    default:
      return Unauthenticated(version);
  }
}

std::variant<Principal, Response> Admit(const ApiDependencies& deps, const Request& request,
                                        const std::string& peer,
                                        const std::string& client_certificate, RoleMask allowed) {
  const std::string authorization = Header(request, http::field::authorization);
  AuthOutcome outcome = authorization.empty() && !client_certificate.empty()
                            ? deps.auth->AuthenticateCertificate(client_certificate, peer)
                            : deps.auth->Authenticate(authorization, peer);
  if (!outcome.who) return Refused(request.version(), outcome);
  if ((allowed & Bit(outcome.who->role)) == 0) {
    if (outcome.who->kind == Principal::Kind::kPerson) {
      return Forbidden(request.version(), "the role " + std::string(RoleName(outcome.who->role)) +
                                              " may not do this");
    }
    return Forbidden(request.version());
  }
  return *std::move(outcome.who);
}

v1::Actor ActorOf(const Principal& who) {
  v1::Actor actor;
  actor.set_kind(who.kind == Principal::Kind::kPerson ? v1::Actor::PERSON : v1::Actor::KEY);
  actor.set_id(who.Id());
  actor.set_name(who.name);
  actor.set_role(std::string(RoleName(who.role)));
  actor.set_organisation(who.organisation);
  return actor;
}

v1::Contact ViewFor(const Principal& who, const v1::Contact& contact) {
  return who.role == Role::kPartner ? PartnerView(contact) : contact;
}

absl::StatusOr<v1::ContactRecord> LoadContact(const ApiDependencies& deps, Call& call) {
  call.contact_id = call.params.at(0);
  auto record = deps.store->GetContact(call.contact_id);
  if (!record.ok()) return record.status();
  if (!record->has_value() ||
      (call.who->role == Role::kPartner &&
       !PartnerMaySee((*record)->contact(), call.who->Id(), call.who->organisation))) {
    return absl::NotFoundError("no contact " + call.contact_id);
  }
  return std::move(**record);
}

asio::awaitable<std::optional<Response>> Audit(const ApiDependencies& deps, const Call& call,
                                               AuditedRead read) {
  if (deps.audit == nullptr) co_return std::nullopt;
  v1::AuditRecord row;
  if (call.who) *row.mutable_actor() = ActorOf(*call.who);
  row.set_peer(call.peer.to_string());
  row.set_what(read.what);
  row.set_method(std::string(call.req.method_string()));
  std::string_view target(call.req.target().data(), call.req.target().size());
  row.set_path(std::string(target.substr(0, target.find('?'))));
  for (auto& id : read.contact_ids) row.add_contact_ids(std::move(id));
  for (auto& id : read.child_ids) row.add_child_ids(std::move(id));
  row.set_about_actor(std::move(read.about_actor));
  std::string what = row.method() + " " + row.path();
  absl::Status status = co_await AsyncAppend(*deps.audit, std::move(row), asio::use_awaitable);
  if (status.ok()) co_return std::nullopt;
  spdlog::error("{}: the read could not be recorded: {}", what, std::string(status.message()));
  co_return MakeProblem(call.version(), http::status::service_unavailable, "unavailable",
                        "Service unavailable",
                        "the read could not be recorded in the audit log; try again in a moment");
}

asio::awaitable<std::optional<Response>> Audit(const ApiDependencies& deps, const Call& call,
                                               v1::AuditRead::Code what) {
  AuditedRead read;
  read.what = what;
  read.contact_ids.push_back(call.contact_id);
  co_return co_await Audit(deps, call, std::move(read));
}

asio::awaitable<bool> WaitDelivered(const ApiDependencies& deps, uint64_t seq) {
  if (deps.delivery == nullptr) co_return true;
  auto executor = co_await asio::this_coro::executor;
  auto timer = std::make_shared<asio::steady_timer>(executor, deps.delivery_wait);
  auto done = std::make_shared<std::atomic<bool>>(false);
  deps.delivery->WhenDelivered(seq, [timer, done, executor] {
    asio::post(executor, [timer, done] {
      done->store(true);
      timer->cancel();
    });
  });
  if (!done->load()) co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  co_return done->load();
}

}  // namespace frontdoor
