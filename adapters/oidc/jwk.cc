// OpenSSL 3's EVP_PKEY_fromdata builds the key from the JWK's numbers; the
// key is checked (EVP_PKEY_public_check) and written as PEM.
#include "adapters/oidc/jwk.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <memory>
#include <vector>

#include "absl/strings/escaping.h"

namespace frontdoor::oidc {

namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using KeyContext = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

absl::StatusOr<std::string> Base64Url(const std::string& field, const std::string& text) {
  std::string out;
  if (text.empty() || !absl::WebSafeBase64Unescape(text, &out)) {
    return absl::InvalidArgumentError("JWK field '" + field + "' is not base64url");
  }
  return out;
}

absl::StatusOr<Key> FromData(const char* type, OSSL_PARAM_BLD* builder) {
  Params params(OSSL_PARAM_BLD_to_param(builder));
  KeyContext context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return absl::InvalidArgumentError(std::string("not a valid ") + type + " public key");
  }
  Key key(raw);
  KeyContext check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return absl::InvalidArgumentError(std::string("not a valid ") + type + " public key");
  }
  return key;
}

absl::StatusOr<Key> RsaKey(const v1::Jwk& jwk) {
  auto n = Base64Url("n", jwk.n());
  if (!n.ok()) return n.status();
  auto e = Base64Url("e", jwk.e());
  if (!e.ok()) return e.status();
  Bignum bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()),
                        static_cast<int>(n->size()), nullptr));
  Bignum bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()),
                        static_cast<int>(e->size()), nullptr));
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return absl::InternalError("OpenSSL could not take the RSA numbers");
  }
  auto key = FromData("RSA", builder.get());
  if (!key.ok()) return key.status();
  if (EVP_PKEY_get_bits(key->get()) < 2048) {
    return absl::InvalidArgumentError("RSA key shorter than 2048 bits");
  }
  return key;
}

absl::StatusOr<Key> EcKey(const v1::Jwk& jwk) {
  if (jwk.crv() != "P-256") {
    return absl::InvalidArgumentError("EC curve '" + jwk.crv() + "' is not P-256");
  }
  auto x = Base64Url("x", jwk.x());
  if (!x.ok()) return x.status();
  auto y = Base64Url("y", jwk.y());
  if (!y.ok()) return y.status();
  if (x->size() != 32 || y->size() != 32) {
    return absl::InvalidArgumentError("EC coordinates must be 32 bytes each");
  }
  std::vector<unsigned char> point;
  point.push_back(0x04);  // uncompressed: x then y
  point.insert(point.end(), x->begin(), x->end());
  point.insert(point.end(), y->begin(), y->end());
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return absl::InternalError("OpenSSL could not take the EC point");
  }
  return FromData("EC", builder.get());
}

}  // namespace

absl::StatusOr<PublicKey> KeyFromJwk(const v1::Jwk& jwk) {
  if (!jwk.use().empty() && jwk.use() != "sig") {
    return absl::InvalidArgumentError("key '" + jwk.kid() + "' is not for signatures");
  }
  PublicKey out;
  out.kid = jwk.kid();
  absl::StatusOr<Key> key = absl::InvalidArgumentError("");
  if (jwk.kty() == "RSA") {
    out.alg = "RS256";
    key = RsaKey(jwk);
  } else if (jwk.kty() == "EC") {
    out.alg = "ES256";
    key = EcKey(jwk);
  } else {
    return absl::InvalidArgumentError("key '" + jwk.kid() + "' has type '" + jwk.kty() +
                                      "' (RSA or EC expected)");
  }
  if (!jwk.alg().empty() && jwk.alg() != out.alg) {
    return absl::InvalidArgumentError("key '" + jwk.kid() + "' is for " + jwk.alg() + ", not " +
                                      out.alg);
  }
  if (!key.ok()) {
    return absl::InvalidArgumentError("key '" + jwk.kid() +
                                      "': " + std::string(key.status().message()));
  }
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key->get()) != 1) {
    return absl::InternalError("OpenSSL could not write the key as PEM");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  out.pem.assign(data, static_cast<size_t>(size));
  return out;
}

}  // namespace frontdoor::oidc
