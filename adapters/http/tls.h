// HTTPS for the server: the TLS settings in force (certificate, key and the
// optional CA for partners' client certificates, read from the files that
// `tls:` in the config names), swapped whole when SIGHUP reloads them, and
// the identity of a client certificate a handshake verified. TLS 1.2 and
// 1.3 only; for 1.2, ECDHE key exchange with AEAD ciphers only.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "adapters/http/config.h"
#include "frontdoor/thread_annotations.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl
struct ssl_st;

namespace frontdoor {

// The Strict-Transport-Security value on every HTTPS answer: two years,
// without includeSubDomains (the council's other hosts are not ours to pin).
inline constexpr char kStrictTransportSecurity[] = "max-age=63072000";

class TlsSlot {
 public:
  // Reads the files `config` names. Errors: InvalidArgument naming the
  // setting and the file that could not be read or used (a certificate that
  // is not PEM, a key that does not match it, a CA file with no
  // certificate).
  static absl::StatusOr<std::unique_ptr<TlsSlot>> Load(TlsConfig config);

  // Reads the same files again and puts them in force for connections
  // accepted from now on; on error the settings in force stay and the error
  // says why. Thread-safe.
  absl::Status Reload();

  // The settings for a new connection; the connection keeps them alive for
  // as long as it lasts. Thread-safe.
  std::shared_ptr<boost::asio::ssl::context> Current() const;

  // Whether client certificates are asked for (tls.client_ca is set).
  bool asks_for_client_certificates() const { return !config_.client_ca.empty(); }

 private:
  explicit TlsSlot(TlsConfig config) : config_(std::move(config)) {}

  const TlsConfig config_;
  mutable absl::Mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> context_ GUARDED_BY(mu_);
};

// After a server handshake: the RFC 2253 subject ("CN=police-cms,O=Example
// Police") of the client certificate the handshake verified against
// tls.client_ca; empty when the client sent none.
std::string VerifiedClientCertificate(ssl_st* ssl);

}  // namespace frontdoor
