// Token digests with OpenSSL; CRYPTO_memcmp keeps comparisons constant-time.
#include "adapters/http/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace frontdoor {

namespace {

std::array<unsigned char, 32> Digest(std::string_view data) {
  std::array<unsigned char, 32> out;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

std::optional<std::array<unsigned char, 32>> FromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  std::array<unsigned char, 32> out;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < 32; ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

std::optional<Role> ParseRole(std::string_view text) {
  if (text == "partner") return Role::kPartner;
  if (text == "triage") return Role::kTriage;
  if (text == "manager") return Role::kManager;
  if (text == "admin") return Role::kAdmin;
  if (text == "case_system") return Role::kCaseSystem;
  return std::nullopt;
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kPartner:
      return "partner";
    case Role::kTriage:
      return "triage";
    case Role::kManager:
      return "manager";
    case Role::kAdmin:
      return "admin";
    case Role::kCaseSystem:
      return "case_system";
  }
  return "unknown";
}

absl::StatusOr<Authenticator> Authenticator::Make(const std::vector<ApiKeyConfig>& keys) {
  Authenticator auth;
  for (const ApiKeyConfig& k : keys) {
    auto role = ParseRole(k.role);
    if (!role) {
      return absl::InvalidArgumentError("api key '" + k.name + "': unknown role '" + k.role +
                                        "' (partner, triage, manager, admin, case_system)");
    }
    Key key{Principal{.name = k.name,
                      .role = *role,
                      .organisation = k.organisation.empty() ? k.name : k.organisation,
                      .agency = k.agency,
                      .kind = Principal::Kind::kKey,
                      .subject = {}},
            {},
            k.expires_at};
    if (std::string_view(k.token).starts_with("sha256:")) {
      auto digest = FromHex(std::string_view(k.token).substr(7));
      if (!digest) {
        return absl::InvalidArgumentError("api key '" + k.name +
                                          "': a sha256 token needs 64 hex digits");
      }
      key.digest = *digest;
    } else {
      key.digest = Digest(k.token);
    }
    for (const Key& other : auth.keys_) {
      if (other.principal.name == k.name) {
        return absl::InvalidArgumentError("api key name '" + k.name + "' is used twice");
      }
      if (other.digest == key.digest) {
        return absl::InvalidArgumentError("api keys '" + other.principal.name + "' and '" + k.name +
                                          "' share a token");
      }
    }
    auth.keys_.push_back(std::move(key));
  }
  return auth;
}

std::optional<Principal> Authenticator::Authenticate(std::string_view authorization) const {
  auto now =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  return Check(authorization, now).who;
}

AuthOutcome Authenticator::Check(std::string_view authorization,
                                 std::chrono::sys_time<std::chrono::milliseconds> now) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.empty()) return {std::nullopt, AuthRefusal::kMissing, {}, {}};
  const AuthOutcome unknown{std::nullopt, AuthRefusal::kUnknown, {}, {}};
  if (authorization.size() <= kBearer.size()) return unknown;
  // The scheme name is case-insensitive (RFC 9110).
  for (size_t i = 0; i + 1 < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kBearer[i]))) {
      return unknown;
    }
  }
  if (authorization[kBearer.size() - 1] != ' ') return unknown;
  auto presented = Digest(authorization.substr(kBearer.size()));
  const Key* match = nullptr;
  // Every key is compared, so the time taken does not say which one matched.
  for (const Key& key : keys_) {
    bool same = CRYPTO_memcmp(presented.data(), key.digest.data(), presented.size()) == 0;
    if (same) match = &key;
  }
  if (match == nullptr) return unknown;
  if (match->expires_at && now >= *match->expires_at) {
    return {std::nullopt, AuthRefusal::kExpired, {}, {}};
  }
  return {match->principal, AuthRefusal::kNone, {}, {}};
}

}  // namespace frontdoor
