// SHA-256 as lowercase hex, for policy versions and request fingerprints.
// (OpenSSL's libcrypto, which Debian ships.)
#pragma once

#include <string>
#include <string_view>

namespace frontdoor {

// The 64 hex digits of SHA-256 over `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace frontdoor
