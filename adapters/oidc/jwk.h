// Turning the provider's JSON Web Keys into public keys the JWT library can
// verify with (PEM), through OpenSSL: RSA keys (n, e) of 2048 bits or more
// for RS256, EC keys on P-256 (x, y) for ES256. Nothing else is accepted.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "frontdoor/v1/oidc.pb.h"

namespace frontdoor::oidc {

// A key frontdoor may verify with: its id, the one algorithm it is for, and
// the public key as PEM (SubjectPublicKeyInfo).
struct PublicKey {
  std::string kid;
  // "RS256" or "ES256".
  std::string alg;
  std::string pem;
};

// Errors: InvalidArgument for a key of another type, curve or algorithm, one
// meant for encryption (use "enc"), a short RSA modulus, or bad numbers.
absl::StatusOr<PublicKey> KeyFromJwk(const v1::Jwk& jwk);

}  // namespace frontdoor::oidc
