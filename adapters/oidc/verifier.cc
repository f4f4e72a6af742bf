// libjwt 1.10 verifies the signature with the algorithm the token's header
// names, so the header is read first (jwt_decode without a key checks
// nothing) and only RS256 and ES256 go further, with a key of that kid whose
// own algorithm is the same. The documents and the verified claims are read
// with protobuf's JSON parser (unknown fields ignored: they are the
// provider's), the claims into a google.protobuf.Struct.
#include "adapters/oidc/verifier.h"

#include <jwt.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace frontdoor::oidc {

namespace {

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using Jwt = std::unique_ptr<jwt_t, JwtDeleter>;

constexpr size_t kMaxTokenBytes = 16 * 1024;

absl::Status Refuse(std::string why) { return absl::UnauthenticatedError(std::move(why)); }

template <typename Message>
absl::StatusOr<Message> ReadDocument(const std::string& what, const std::string& body) {
  Message message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(body, &message, options).ok()) {
    return absl::InvalidArgumentError(what + " is not the JSON expected");
  }
  return message;
}

std::string Trimmed(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

const google::protobuf::Value* Claim(const google::protobuf::Struct& claims,
                                     const std::string& name) {
  auto it = claims.fields().find(name);
  if (it == claims.fields().end() ||
      it->second.kind_case() == google::protobuf::Value::kNullValue) {
    return nullptr;
  }
  return &it->second;
}

std::optional<double> NumberClaim(const google::protobuf::Struct& claims, const std::string& name) {
  const auto* value = Claim(claims, name);
  if (value == nullptr || value->kind_case() != google::protobuf::Value::kNumberValue ||
      !std::isfinite(value->number_value())) {
    return std::nullopt;
  }
  return value->number_value();
}

}  // namespace

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::Start(
    VerifierOptions options, std::shared_ptr<HttpGetter> getter, SteadyNow steady_now) {
  if (auto status = CheckProviderUrl(options.issuer); !status.ok()) return status;
  if (options.audience.empty()) return absl::InvalidArgumentError("the audience is empty");
  if (!steady_now) steady_now = [] { return std::chrono::steady_clock::now(); };
  std::string url = Trimmed(options.issuer) + "/.well-known/openid-configuration";
  auto body = getter->Get(url);
  if (!body.ok()) return body.status();
  auto discovery = ReadDocument<v1::OidcDiscovery>(url, *body);
  if (!discovery.ok()) return discovery.status();
  if (discovery->issuer() != options.issuer) {
    return absl::InvalidArgumentError(url + " names the issuer '" + discovery->issuer() +
                                      "', not '" + options.issuer + "'");
  }
  if (discovery->jwks_uri().empty()) return absl::InvalidArgumentError(url + " has no jwks_uri");
  if (auto status = CheckProviderUrl(discovery->jwks_uri()); !status.ok()) {
    return absl::InvalidArgumentError("jwks_uri " + std::string(status.message()));
  }
  std::unique_ptr<TokenVerifier> verifier(new TokenVerifier(
      std::move(options), std::move(getter), std::move(steady_now), *std::move(discovery)));
  {
    absl::MutexLock lock(&verifier->fetch_mu_);
    if (auto status = verifier->FetchKeys(); !status.ok()) return status;
  }
  return verifier;
}

TokenVerifier::TokenVerifier(VerifierOptions options, std::shared_ptr<HttpGetter> getter,
                             SteadyNow steady_now, v1::OidcDiscovery discovery)
    : options_(std::move(options)),
      getter_(std::move(getter)),
      steady_now_(std::move(steady_now)),
      discovery_(std::move(discovery)) {}

absl::Status TokenVerifier::FetchKeys() const {
  {
    absl::MutexLock lock(&mu_);
    ++fetches_;
  }
  auto body = getter_->Get(discovery_.jwks_uri());
  if (!body.ok()) return body.status();
  auto jwks = ReadDocument<v1::Jwks>(discovery_.jwks_uri(), *body);
  if (!jwks.ok()) return jwks.status();
  absl::flat_hash_map<std::string, PublicKey> keys;
  for (const auto& jwk : jwks->keys()) {
    // Keys of other kinds (encryption, RS512, ...) are skipped, not fatal.
    auto key = KeyFromJwk(jwk);
    if (key.ok() && !key->kid.empty()) keys.emplace(key->kid, *std::move(key));
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError(discovery_.jwks_uri() +
                                      " has no RS256 or ES256 signing key with a kid");
  }
  absl::MutexLock lock(&mu_);
  keys_ = std::move(keys);
  return absl::OkStatus();
}

std::optional<PublicKey> TokenVerifier::FindKey(const std::string& kid) const {
  absl::MutexLock lock(&mu_);
  auto it = keys_.find(kid);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

std::optional<PublicKey> TokenVerifier::RefetchAndFind(const std::string& kid) const {
  absl::MutexLock fetching(&fetch_mu_);
  // Another request may have fetched the new set while this one waited.
  if (auto key = FindKey(kid)) return key;
  const auto steady = steady_now_();
  if (last_refetch_ && steady - *last_refetch_ < options_.min_refetch_interval) {
    return std::nullopt;
  }
  last_refetch_ = steady;
  // A failed fetch keeps the keys held so far.
  (void)FetchKeys();
  return FindKey(kid);
}

int TokenVerifier::key_fetches() const {
  absl::MutexLock lock(&mu_);
  return fetches_;
}

absl::StatusOr<TokenPerson> TokenVerifier::Verify(std::string_view token,
                                                  std::chrono::system_clock::time_point now) const {
  if (token.empty() || token.size() > kMaxTokenBytes ||
      std::count(token.begin(), token.end(), '.') != 2) {
    return Refuse("not a JWT");
  }
  const std::string text(token);

  // The header, unverified: only to learn the algorithm and the key id.
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, text.c_str(), nullptr, 0) != 0) {
    // libjwt 1.10 also refuses a header whose typ is not "JWT" (e.g. RFC 9068's "at+jwt").
    return Refuse("not a JWT (or its header's typ is not JWT)");
  }
  Jwt unverified(raw);
  // Without a key libjwt reports the algorithm as none: the header's own alg is read.
  const char* alg_header = jwt_get_header(unverified.get(), "alg");
  const std::string alg_name = alg_header != nullptr ? alg_header : "";
  if (alg_name != "RS256" && alg_name != "ES256") {
    return Refuse("signing algorithm '" + alg_name + "' is not accepted (RS256 or ES256)");
  }
  const jwt_alg_t alg = alg_name == "RS256" ? JWT_ALG_RS256 : JWT_ALG_ES256;
  const char* kid_header = jwt_get_header(unverified.get(), "kid");
  if (kid_header == nullptr || *kid_header == '\0') return Refuse("the token names no key (kid)");
  const std::string kid(kid_header);
  unverified.reset();

  std::optional<PublicKey> key = FindKey(kid);
  if (!key) key = RefetchAndFind(kid);
  if (!key) return Refuse("the token is signed with a key the provider does not publish");
  if (key->alg != alg_name) return Refuse("the token's algorithm does not match its key");

  raw = nullptr;
  if (jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(key->pem.data()),
                 static_cast<int>(key->pem.size())) != 0) {
    return Refuse("the token's signature does not verify");
  }
  Jwt verified(raw);
  if (jwt_get_alg(verified.get()) != alg) return Refuse("the token's algorithm changed");

  char* json = jwt_get_grants_json(verified.get(), nullptr);
  if (json == nullptr) return Refuse("the token has no claims");
  std::string claims_json(json);
  free(json);
  google::protobuf::Struct claims;
  if (!google::protobuf::util::JsonStringToMessage(claims_json, &claims).ok()) {
    return Refuse("the token's claims are not JSON");
  }

  const auto* iss = Claim(claims, "iss");
  if (iss == nullptr || iss->string_value() != options_.issuer) {
    return Refuse("the token is from another issuer");
  }
  const auto* aud = Claim(claims, "aud");
  bool audience_ok = false;
  if (aud != nullptr && aud->kind_case() == google::protobuf::Value::kStringValue) {
    audience_ok = aud->string_value() == options_.audience;
  } else if (aud != nullptr && aud->kind_case() == google::protobuf::Value::kListValue) {
    for (const auto& value : aud->list_value().values()) {
      if (value.string_value() == options_.audience) audience_ok = true;
    }
  }
  if (!audience_ok) return Refuse("the token is for another audience");

  const double seconds_now = std::chrono::duration<double>(now.time_since_epoch()).count();
  const double leeway = static_cast<double>(options_.leeway.count());
  auto exp = NumberClaim(claims, "exp");
  if (!exp) return Refuse("the token has no expiry (exp)");
  if (seconds_now > *exp + leeway) return Refuse("the token has expired");
  if (auto nbf = NumberClaim(claims, "nbf"); nbf && seconds_now + leeway < *nbf) {
    return Refuse("the token is not valid yet (nbf)");
  }

  TokenPerson person;
  const auto* sub = Claim(claims, "sub");
  if (sub == nullptr || sub->string_value().empty()) return Refuse("the token has no subject");
  person.subject = sub->string_value();
  const auto* name = Claim(claims, options_.name_claim);
  person.name =
      name != nullptr && !name->string_value().empty() ? name->string_value() : person.subject;
  if (const auto* roles = Claim(claims, options_.roles_claim)) {
    if (roles->kind_case() == google::protobuf::Value::kStringValue) {
      for (auto part : absl::StrSplit(roles->string_value(), ' ', absl::SkipEmpty())) {
        person.roles.emplace_back(part);
      }
    } else if (roles->kind_case() == google::protobuf::Value::kListValue) {
      for (const auto& value : roles->list_value().values()) {
        if (value.kind_case() == google::protobuf::Value::kStringValue) {
          person.roles.push_back(value.string_value());
        }
      }
    }
  }
  return person;
}

}  // namespace frontdoor::oidc
