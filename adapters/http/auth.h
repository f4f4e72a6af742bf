// Bearer-token authentication against the API keys of the config file.
// Tokens are held only as SHA-256 digests (the config may give them as
// "sha256:<hex>" so that the plain token is never on disk), compared in
// constant time against every key, and never logged.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/http/config.h"
#include "frontdoor/digest.h"

namespace frontdoor {

enum class Role { kPartner, kTriage, kManager, kAdmin, kCaseSystem };
// A set of roles, one bit each.
using RoleMask = unsigned;
constexpr RoleMask Bit(Role r) { return 1u << static_cast<unsigned>(r); }

std::optional<Role> ParseRole(std::string_view text);
std::string_view RoleName(Role role);

// Who is calling. A person signed in through the council's identity
// provider (kPerson: `subject` is the token's `sub`, `name` their display
// name), or a machine client holding an API key or client certificate
// (kKey: `name` is the key's name, `subject` empty). `organisation` is
// whose contacts a partner sees; `agency` the referral source it speaks
// for (empty when none).
struct Principal {
  enum class Kind { kKey, kPerson };
  std::string name;
  Role role;
  std::string organisation;
  std::string agency;
  Kind kind = Kind::kKey;
  std::string subject;

  // The one stable id of the caller, as events, idempotency records and the
  // audit log hold it: the key's name, or the person's subject.
  const std::string& Id() const { return kind == Kind::kPerson ? subject : name; }
};

// Why a request was not let in.
enum class AuthRefusal {
  kNone,
  // No Authorization header: not counted as a failed attempt.
  kMissing,
  // Malformed, or no key has this token.
  kUnknown,
  // The key's expires_at has passed.
  kExpired,
  // Too many failures from this address lately; the token was not looked at.
  kThrottled,
  // A good identity provider token whose roles claim has no staff role: 403.
  kNoRole,
};

struct AuthOutcome {
  std::optional<Principal> who;
  AuthRefusal refusal = AuthRefusal::kNone;
  // For kThrottled: when to try again.
  std::chrono::seconds retry_after{0};
  // For a refused identity provider token: why, for the problem's detail.
  std::string detail;
};

class Authenticator {
 public:
  // Errors: InvalidArgument for an unknown role, a malformed sha256 token,
  // or two keys with the same name or token.
  static absl::StatusOr<Authenticator> Make(const std::vector<ApiKeyConfig>& keys);

  // The caller for an `Authorization: Bearer <token>` header value at the
  // real time `now`: `who` is set, or `refusal` says why not (kMissing,
  // kUnknown or kExpired). Thread-safe.
  AuthOutcome Check(std::string_view authorization,
                    std::chrono::sys_time<std::chrono::milliseconds> now) const;

  // Check at the system clock's now; nullopt for any refusal.
  std::optional<Principal> Authenticate(std::string_view authorization) const;

  size_t size() const { return keys_.size(); }

 private:
  struct Key {
    Principal principal;
    std::array<unsigned char, 32> digest;
    std::optional<std::chrono::sys_time<std::chrono::milliseconds>> expires_at;
  };
  std::vector<Key> keys_;
};

}  // namespace frontdoor
