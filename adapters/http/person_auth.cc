// Role names are matched after role_map; the 403's detail lists what the
// token had (role names are not personal data), never the token.
#include "adapters/http/person_auth.h"

#include <utility>

#include "absl/strings/str_join.h"

namespace frontdoor {

namespace {

std::optional<Role> StaffRole(std::string_view name) {
  auto role = ParseRole(name);
  if (role && (*role == Role::kTriage || *role == Role::kManager || *role == Role::kAdmin)) {
    return role;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PersonAuthenticator>> PersonAuthenticator::Start(
    const OidcConfig& config, std::shared_ptr<oidc::HttpGetter> getter) {
  if (!getter) getter = std::make_shared<oidc::CurlGetter>();
  oidc::VerifierOptions options;
  options.issuer = config.issuer;
  options.audience = config.audience;
  options.roles_claim = config.roles_claim;
  options.name_claim = config.name_claim;
  auto verifier = oidc::TokenVerifier::Start(std::move(options), std::move(getter));
  if (!verifier.ok()) return verifier.status();
  return std::unique_ptr<PersonAuthenticator>(
      new PersonAuthenticator(config, *std::move(verifier)));
}

AuthOutcome PersonAuthenticator::Check(std::string_view token,
                                       std::chrono::system_clock::time_point now) const {
  AuthOutcome outcome;
  auto person = verifier_->Verify(token, now);
  if (!person.ok()) {
    outcome.refusal = AuthRefusal::kUnknown;
    outcome.detail = std::string(person.status().message());
    return outcome;
  }
  for (const std::string& name : person->roles) {
    auto renamed = config_.role_map.find(name);
    auto role = StaffRole(renamed == config_.role_map.end() ? name : renamed->second);
    if (!role) continue;
    Principal who;
    who.kind = Principal::Kind::kPerson;
    who.subject = person->subject;
    who.name = person->name;
    who.role = *role;
    outcome.who = std::move(who);
    return outcome;
  }
  outcome.refusal = AuthRefusal::kNoRole;
  outcome.detail = "token has no role frontdoor knows: roles claim '" + config_.roles_claim + "' ";
  outcome.detail += person->roles.empty()
                        ? "is empty"
                        : "has " + absl::StrJoin(person->roles, ", ") +
                              " (frontdoor knows triage, manager and admin; role_map may "
                              "rename the provider's)";
  return outcome;
}

}  // namespace frontdoor
