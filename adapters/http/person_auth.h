// Staff signed in through the council's identity provider: a bearer JWT
// verified by oidc::TokenVerifier becomes a Principal of kind kPerson, whose
// role is the first name in the token's roles claim (renamed by role_map)
// that is a staff role frontdoor knows (triage, manager, admin).
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "adapters/http/auth.h"
#include "adapters/http/config.h"
#include "adapters/oidc/verifier.h"

namespace frontdoor {

class PersonAuthenticator {
 public:
  // Reads the provider's discovery document and keys through `getter`
  // (default: libcurl). Errors: as oidc::TokenVerifier::Start.
  static absl::StatusOr<std::unique_ptr<PersonAuthenticator>> Start(
      const OidcConfig& config, std::shared_ptr<oidc::HttpGetter> getter = nullptr);

  // The person for a bearer token at the real time `now`: `who` set, or
  // `refusal` kUnknown (not a good token: 401) or kNoRole (a good token
  // without a staff role: 403), with `detail` saying why. Thread-safe.
  AuthOutcome Check(std::string_view token, std::chrono::system_clock::time_point now) const;

  const oidc::TokenVerifier& verifier() const { return *verifier_; }

 private:
  PersonAuthenticator(OidcConfig config, std::unique_ptr<oidc::TokenVerifier> verifier)
      : config_(std::move(config)), verifier_(std::move(verifier)) {}

  const OidcConfig config_;
  const std::unique_ptr<oidc::TokenVerifier> verifier_;
};

}  // namespace frontdoor
