// Certificates for tests, made with OpenSSL's API: a CA, server
// certificates for 127.0.0.1 and localhost, client certificates, written as
// PEM files under <dir>/pki/. Used by the HTTPS tests of the server
// (tests/integration/tls_test.cc) and by the test receivers that frontdoor
// itself connects to over TLS (webhooks, SMTP).
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace frontdoor::testing {

struct Issued {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
  std::unique_ptr<X509, decltype(&X509_free)> cert{nullptr, X509_free};
};

inline void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr) << value;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

enum class Use { kCa, kServer, kClient };

// A P-256 key and a certificate for it: `names` are (attribute, value) in
// order, `issuer` null for a self-signed CA.
inline Issued Issue(const std::vector<std::pair<std::string, std::string>>& names, long serial, Use use,
             const Issued* issuer) {
  Issued out;
  out.key.reset(EVP_EC_gen("P-256"));
  out.cert.reset(X509_new());
  X509* cert = out.cert.get();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 24 * 3600);
  X509_set_pubkey(cert, out.key.get());
  X509_NAME* name = X509_get_subject_name(cert);
  for (const auto& [attribute, value] : names) {
    X509_NAME_add_entry_by_txt(name, attribute.c_str(), MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0);
  }
  X509* signer = issuer ? issuer->cert.get() : cert;
  X509_set_issuer_name(cert, X509_get_subject_name(signer));
  AddExtension(cert, signer, NID_subject_key_identifier, "hash");
  if (use == Use::kCa) {
    AddExtension(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert, signer, NID_key_usage, "critical,digitalSignature");
    AddExtension(cert, signer, NID_authority_key_identifier, "keyid");
    AddExtension(cert, signer, NID_ext_key_usage,
                 use == Use::kServer ? "serverAuth" : "clientAuth");
    if (use == Use::kServer) {
      AddExtension(cert, signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    }
  }
  EVP_PKEY* signing_key = issuer ? issuer->key.get() : out.key.get();
  EXPECT_GT(X509_sign(cert, signing_key, EVP_sha256()), 0);
  return out;
}

inline std::string Pem(const Issued& issued, bool key) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (key) {
    PEM_write_bio_PrivateKey(bio, issued.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_X509(bio, issued.cert.get());
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<size_t>(size));
  BIO_free(bio);
  return text;
}

// Writes NAME.crt and NAME.key into `dir`.
inline void WriteFiles(const TempDir& dir, const std::string& name, const Issued& issued) {
  dir.Write("pki/" + name + ".crt", Pem(issued, false));
  dir.Write("pki/" + name + ".key", Pem(issued, true));
}

// The test's public key infrastructure: the partners' CA (which also signs
// the server's certificate here), a stranger's CA, and certificates.
struct Pki {
  explicit Pki(const TempDir& d) : dir(d) {
    ca = Issue({{"O", "Example Council"}, {"CN", "Example Council Partner CA"}}, 1, Use::kCa,
               nullptr);
    stranger_ca = Issue({{"CN", "Somebody Else CA"}}, 1, Use::kCa, nullptr);
    WriteFiles(dir, "ca", ca);
    WriteFiles(dir, "stranger-ca", stranger_ca);
    WriteServer(1001);
  }
  // A new server certificate (and key) with this serial, over the old files.
  void WriteServer(long serial) {
    WriteFiles(dir, "server", Issue({{"CN", "localhost"}}, serial, Use::kServer, &ca));
  }
  // A client certificate written as NAME.crt/.key, signed by the CA (or the stranger's).
  void WriteClient(const std::string& name,
                   const std::vector<std::pair<std::string, std::string>>& subject,
                   bool by_stranger = false) {
    WriteFiles(dir, name, Issue(subject, 7, Use::kClient, by_stranger ? &stranger_ca : &ca));
  }
  std::filesystem::path Path(const std::string& file) const { return dir.path() / "pki" / file; }
  std::string TlsSettings(bool client_ca) const {
    return "tls:\n  cert: " + Path("server.crt").string() +
           "\n  key: " + Path("server.key").string() + "\n" +
           (client_ca ? "  client_ca: " + Path("ca.crt").string() + "\n" : "");
  }

  const TempDir& dir;
  Issued ca;
  Issued stranger_ca;
};

}  // namespace frontdoor::testing
