// The API's door: the API keys in force (swapped whole when the config is
// reloaded on SIGHUP), staff tokens from the identity provider when `oidc:`
// is configured (tried after the keys), and the slowing down of addresses
// that keep failing to authenticate. Expiry and the failure window run on a real clock, also
// when the business clock is manual.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "adapters/http/auth.h"
#include "adapters/http/config.h"
#include "adapters/http/person_auth.h"
#include "engine/clock.h"
#include "frontdoor/thread_annotations.h"

namespace frontdoor {

// Counts failed authentications per address in a window that starts with
// the first failure: after `burst` failures the address is held back until
// `per` has passed since that first one. A success changes nothing (so a
// caller with one good key cannot wipe its own record). At most
// `max_addresses` are tracked: when full, windows that have passed are
// dropped, then the oldest. Thread-safe.
class AuthFailureThrottle {
 public:
  // `clock` is borrowed and outlives the throttle.
  AuthFailureThrottle(const Clock& clock, AuthFailureOptions options);

  // How long `address` must wait, or nullopt when it may try now.
  std::optional<std::chrono::seconds> HeldBack(const std::string& address) const;
  void RecordFailure(const std::string& address);
  size_t tracked() const;

 private:
  struct Window {
    TimePoint start;
    size_t failures = 0;
  };
  void MakeRoom(TimePoint now) EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  const AuthFailureOptions options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Window> windows_ GUARDED_BY(mu_);
};

class AuthGate {
 public:
  // `real_clock` is borrowed and outlives the gate. `people`, when set,
  // verifies bearer tokens that are no key's as identity provider JWTs.
  AuthGate(Authenticator keys, const Clock& real_clock, AuthFailureOptions options,
           std::shared_ptr<const PersonAuthenticator> people = nullptr);

  // The caller from `peer` with this Authorization header value: a held
  // back address is refused (kThrottled) without the token being looked at;
  // otherwise the keys in force decide, then the identity provider's token
  // check; a failure other than a missing header or a token without a staff
  // role counts against `peer`. Thread-safe.
  AuthOutcome Authenticate(std::string_view authorization, const std::string& peer);

  // Puts `keys` in force for every request from now on. Thread-safe.
  void Replace(Authenticator keys);

 private:
  std::shared_ptr<const Authenticator> Keys() const;

  const Clock& real_clock_;
  const std::shared_ptr<const PersonAuthenticator> people_;
  AuthFailureThrottle throttle_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const Authenticator> keys_ GUARDED_BY(mu_);
};

}  // namespace frontdoor
