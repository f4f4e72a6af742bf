// Bearer-token authentication against the API keys of the config file.
// Tokens are held only as SHA-256 digests (the config may give them as
// "sha256:<hex>" so that the plain token is never on disk), compared in
// constant time against every key, and never logged.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/http/config.h"
#include "frontdoor/digest.h"

namespace frontdoor {

enum class Role { kPartner, kTriage, kManager, kAdmin, kCaseSystem };

std::optional<Role> ParseRole(std::string_view text);
std::string_view RoleName(Role role);

// Who is calling: the API key's name (recorded as the actor of what they
// do) and its role.
struct Principal {
  std::string name;
  Role role;
};

class Authenticator {
 public:
  // Errors: InvalidArgument for an unknown role, a malformed sha256 token,
  // or two keys with the same name or token.
  static absl::StatusOr<Authenticator> Make(const std::vector<ApiKeyConfig>& keys);

  // The caller for an `Authorization: Bearer <token>` header value; nullopt
  // when the header is missing, malformed or matches no key. Thread-safe.
  std::optional<Principal> Authenticate(std::string_view authorization) const;

 private:
  struct Key {
    Principal principal;
    std::array<unsigned char, 32> digest;
  };
  std::vector<Key> keys_;
};

}  // namespace frontdoor
