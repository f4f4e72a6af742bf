// TLS settings with OpenSSL through Asio's ssl::context. OpenSSL's errors
// are read from its error queue here and turned into Status messages that
// name the file at fault; Asio's exceptions stop here too.
#include "adapters/http/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "boost/asio/ssl/context.hpp"
#include "frontdoor/status_macros.h"
#include "spdlog/spdlog.h"

namespace frontdoor {

namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2: forward secrecy (ECDHE) and authenticated encryption (GCM,
// ChaCha20-Poly1305) only, as Mozilla's "intermediate" list without DHE.
// TLS 1.3's own suites are all AEAD.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr char kTls13Suites[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
// Client certificates are checked again on a resumed session; OpenSSL
// needs a name for the sessions this server issues.
constexpr unsigned char kSessionContext[] = "frontdoor";

// The last reason on this thread's OpenSSL error queue, which is emptied.
std::string OpenSslReason() {
  unsigned long last = 0;
  while (unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(last, text, sizeof text);
  return text;
}

absl::Status Refused(const char* setting, const std::filesystem::path& file,
                     const std::string& what) {
  return absl::InvalidArgumentError(std::string(setting) + " " + file.string() + ": " + what +
                                    " (" + OpenSslReason() + ")");
}

// A key file must not make OpenSSL ask for a passphrase on the terminal.
int NoPassphrase(char*, int, int, void*) { return 0; }

absl::Status LoadClientCa(SSL_CTX* native, const std::filesystem::path& file) {
  BIO* bio = BIO_new_file(file.c_str(), "r");
  if (bio == nullptr) return Refused("tls.client_ca", file, "cannot be read");
  X509_STORE* store = SSL_CTX_get_cert_store(native);
  int count = 0;
  while (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    bool added = X509_STORE_add_cert(store, ca) == 1 && SSL_CTX_add_client_CA(native, ca) == 1;
    X509_free(ca);
    if (!added) {
      BIO_free(bio);
      return Refused("tls.client_ca", file, "a certificate could not be used");
    }
    ++count;
  }
  BIO_free(bio);
  // Reading stops at the end of the file with a "no start line" error.
  ERR_clear_error();
  if (count == 0) {
    return absl::InvalidArgumentError("tls.client_ca " + file.string() +
                                      ": holds no PEM certificate");
  }
  // Asked for, not required: a partner without a certificate may still use
  // a token. One that sends a certificate must send a good one.
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<ssl::context>> MakeContext(const TlsConfig& config) {
  std::shared_ptr<ssl::context> context;
  try {
    context = std::make_shared<ssl::context>(ssl::context::tls_server);
  } catch (const boost::system::system_error& e) {
    return absl::InternalError(std::string("TLS cannot start: ") + e.what());
  }
  SSL_CTX* native = context->native_handle();
  ERR_clear_error();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(native, kTls13Suites) != 1) {
    return absl::InternalError("TLS ciphers refused by OpenSSL: " + OpenSslReason());
  }
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);

  if (SSL_CTX_use_certificate_chain_file(native, config.cert.c_str()) != 1) {
    return Refused("tls.cert", config.cert, "not a PEM certificate (chain)");
  }
  BIO* key_file = BIO_new_file(config.key.c_str(), "r");
  if (key_file == nullptr) return Refused("tls.key", config.key, "cannot be read");
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_file, nullptr, NoPassphrase, nullptr);
  BIO_free(key_file);
  if (key == nullptr) return Refused("tls.key", config.key, "not an unencrypted PEM private key");
  const bool key_taken = SSL_CTX_use_PrivateKey(native, key) == 1;
  EVP_PKEY_free(key);
  if (!key_taken || SSL_CTX_check_private_key(native) != 1) {
    return Refused("tls.key", config.key, "does not match the certificate " + config.cert.string());
  }
  if (X509* cert = SSL_CTX_get0_certificate(native);
      cert != nullptr && X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
    spdlog::warn("tls.cert {} has expired: clients will refuse it", config.cert.string());
  }
  if (!config.client_ca.empty()) RETURN_IF_ERROR(LoadClientCa(native, config.client_ca));
  return context;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsSlot>> TlsSlot::Load(TlsConfig config) {
  auto context = MakeContext(config);
  if (!context.ok()) return context.status();
  auto slot = std::unique_ptr<TlsSlot>(new TlsSlot(std::move(config)));
  absl::MutexLock lock(&slot->mu_);
  slot->context_ = *std::move(context);
  return slot;
}

absl::Status TlsSlot::Reload() {
  auto context = MakeContext(config_);
  if (!context.ok()) return context.status();
  absl::MutexLock lock(&mu_);
  context_ = *std::move(context);
  return absl::OkStatus();
}

std::shared_ptr<ssl::context> TlsSlot::Current() const {
  absl::MutexLock lock(&mu_);
  return context_;
}

std::string VerifiedClientCertificate(ssl_st* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return {};
  // RFC 2253, with UTF-8 kept as it is rather than escaped byte by byte.
  X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string subject(data, size > 0 ? static_cast<size_t>(size) : 0);
  BIO_free(bio);
  return subject;
}

}  // namespace frontdoor
