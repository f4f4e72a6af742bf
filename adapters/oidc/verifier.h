// Verifies the council identity provider's access tokens (JWTs) for the API.
// At start it reads the provider's discovery document and its key set
// (JWKS); keys are cached by kid and the set is fetched again when a token
// names a kid it does not hold (the provider rotated its keys), at most once
// per `min_refetch_interval` (the fetch at start aside), one fetch at a time. A token is good when
// its header's alg is RS256 or ES256 (checked before any key is chosen, so a public key is never
// used as an HMAC secret and "none" never passes), its signature verifies with the key of that kid
// and algorithm (libjwt), and iss, aud, exp and nbf hold, exp and nbf with a leeway, against the
// real time the caller passes (never the business clock).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "adapters/oidc/http_get.h"
#include "adapters/oidc/jwk.h"
#include "frontdoor/thread_annotations.h"
#include "frontdoor/v1/oidc.pb.h"

namespace frontdoor::oidc {

struct VerifierOptions {
  // Exactly as the tokens' iss says, e.g. https://login.microsoftonline.com/{tenant}/v2.0.
  std::string issuer;
  // The aud a token must carry (a string, or one of a list).
  std::string audience;
  // The claim with the person's role names (a string or a list of strings).
  std::string roles_claim = "roles";
  // The claim with the person's display name.
  std::string name_claim = "name";
  std::chrono::seconds leeway{60};
  std::chrono::seconds min_refetch_interval{30};
};

// Who a good token speaks for, as the provider says.
struct TokenPerson {
  // The token's sub.
  std::string subject;
  // From name_claim; the subject when the token has none.
  std::string name;
  // From roles_claim, in the token's order (empty when the claim is missing).
  std::vector<std::string> roles;
};

class TokenVerifier {
 public:
  using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;

  // Fetches {issuer}/.well-known/openid-configuration (whose issuer must be
  // `options.issuer`) and the key set it names. `steady_now` paces the
  // refetches (default: the steady clock). Errors: InvalidArgument for a bad
  // issuer URL or documents; Unavailable / FailedPrecondition when the
  // provider cannot be reached.
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> Start(VerifierOptions options,
                                                              std::shared_ptr<HttpGetter> getter,
                                                              SteadyNow steady_now = {});

  // The person a bearer token speaks for at the real time `now`. Errors:
  // Unauthenticated with a reason that never quotes the token. Thread-safe;
  // may block on a key set fetch when the kid is unknown.
  absl::StatusOr<TokenPerson> Verify(std::string_view token,
                                     std::chrono::system_clock::time_point now) const;

  const v1::OidcDiscovery& discovery() const { return discovery_; }
  // How many times the key set has been fetched (1 after Start).
  int key_fetches() const;

 private:
  TokenVerifier(VerifierOptions options, std::shared_ptr<HttpGetter> getter, SteadyNow steady_now,
                v1::OidcDiscovery discovery);
  absl::Status FetchKeys() const EXCLUSIVE_LOCKS_REQUIRED(fetch_mu_);
  std::optional<PublicKey> FindKey(const std::string& kid) const;
  // Fetches the key set again unless it was fetched within the bound; then
  // looks `kid` up.
  std::optional<PublicKey> RefetchAndFind(const std::string& kid) const;

  const VerifierOptions options_;
  const std::shared_ptr<HttpGetter> getter_;
  const SteadyNow steady_now_;
  const v1::OidcDiscovery discovery_;

  // Held while the key set is fetched: one fetch at a time.
  mutable absl::Mutex fetch_mu_;
  // The last fetch for an unknown kid (the one at start does not count).
  mutable std::optional<std::chrono::steady_clock::time_point> last_refetch_ GUARDED_BY(fetch_mu_);

  mutable absl::Mutex mu_;
  mutable absl::flat_hash_map<std::string, PublicKey> keys_ GUARDED_BY(mu_);
  mutable int fetches_ GUARDED_BY(mu_) = 0;
};

}  // namespace frontdoor::oidc
