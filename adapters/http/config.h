// The server's configuration file (YAML), as CONTRACT.md describes it: API
// keys with their roles and tokens, the policy file, and optional settings
// that all have defaults. Relative paths are taken from the config file's
// folder first.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace frontdoor {

struct ApiKeyConfig {
  ApiKeyConfig() = default;
  ApiKeyConfig(std::string key_name, std::string key_role, std::string key_token)
      : name(std::move(key_name)), role(std::move(key_role)), token(std::move(key_token)) {}

  std::string name;
  std::string role;
  // "plain-text" or "sha256:<64 hex digits>"; empty for a key that signs in
  // with a client certificate only.
  std::string token;
  // The organisation the key belongs to: a partner sees the contacts its
  // organisation sent, through any of its keys. Default: the key's name.
  std::string organisation;
  // From this instant (real time, also under --clock manual) the key is
  // refused. Default: never.
  std::optional<std::chrono::sys_time<std::chrono::milliseconds>> expires_at;
  // The referral source code (a Source code such as POLICE) the key speaks
  // for. Default: none.
  std::string agency;
  // A partner system may present a client certificate (signed by
  // tls.client_ca) instead of a token: its subject in RFC 2253 form, as
  // `openssl x509 -noout -subject -nameopt RFC2253` prints it
  // ("CN=police-cms,O=Example Police"). A key needs a token, this, or both.
  // Default: none.
  std::string client_certificate_subject;
};

// `tls: {cert, key, client_ca?}`: HTTPS instead of HTTP. PEM files; the key
// unencrypted. Read at start and again on SIGHUP.
struct TlsConfig {
  // The server's certificate, followed by any intermediates.
  std::filesystem::path cert;
  std::filesystem::path key;
  // The CA that signs partner systems' client certificates. Default: none
  // (no client certificates asked for).
  std::filesystem::path client_ca;
};

// How failed authentication from one address is slowed down: after `burst`
// failures within `per` of the first, the address gets 429 until `per` has
// passed since that first failure.
struct AuthFailureOptions {
  // Failures allowed in one window. Default: 10.
  size_t burst = 10;
  // The window. Default: 60 s.
  std::chrono::seconds per{60};
  // Addresses tracked at once; beyond it the stalest are forgotten.
  // Default: 10000.
  size_t max_addresses = 10000;
};

// `oidc:`: staff sign in with the council's identity provider (OpenID
// Connect); its JWT access tokens are accepted as bearer tokens.
struct OidcConfig {
  // https://, or http:// on a loopback address only. Discovery at
  // {issuer}/.well-known/openid-configuration.
  std::string issuer;
  // The aud an access token must carry.
  std::string audience;
  // The pages' client at the provider.
  std::string client_id;
  // The claim with role names. Default: roles.
  std::string roles_claim = "roles";
  // The claim with the display name. Default: name.
  std::string name_claim = "name";
  // The provider's role name -> triage, manager or admin.
  std::map<std::string, std::string> role_map;
  // The scopes the pages ask for, space-separated; a provider that picks the
  // access token's audience by scope (Entra ID) needs the API's scope here.
  std::string scopes = "openid profile offline_access";
};

// `subscriptions: [{name, url, secrets, events?, organisation?, ca_file?,
// timeout_ms?}]`: partner and council systems that receive events as signed
// webhooks (Standard Webhooks, structured CloudEvents).
struct SubscriptionConfig {
  // Unique; letters, digits and '-'. Keys its deliveries and metrics.
  std::string name;
  // https://, or http:// on a loopback address only.
  std::string url;
  // "whsec_<base64>", one or two (during a rotation); every delivery is
  // signed with each.
  std::vector<std::string> secrets;
  // CloudEvents types wanted; empty: all.
  std::vector<std::string> events;
  // Only events about contacts this organisation sent (and checks asked of
  // its agency); empty: everything.
  std::string organisation;
  // The CA certificates to check the receiver's with. Default: the system's.
  std::filesystem::path ca_file;
  // One attempt's limit. Default: 10 s.
  std::chrono::milliseconds timeout{10'000};
};

// `email: {smtp: {host, port, starttls, username?, password_file?, from},
// notify: {api_key_file, base_url?, email_template_id}}`: the referrer's
// letters by email, through one of the two.
struct SmtpConfig {
  std::string host;
  unsigned port = 587;
  bool starttls = true;
  std::string username;
  std::filesystem::path password_file;
  // "Front Door <frontdoor@council.example>".
  std::string from;
  // The CA certificates to check the server's with. Default: the system's.
  std::filesystem::path ca_file;
};

struct NotifyConfig {
  // The file holding the service's API key
  // ("<key name>-<service id>-<secret key>").
  std::filesystem::path api_key_file;
  // Default: https://api.notifications.service.gov.uk
  std::string base_url = "https://api.notifications.service.gov.uk";
  // The Notify email template with ((subject)) and ((body)) placeholders.
  std::string email_template_id;
  std::filesystem::path ca_file;
  // How long after a letter is issued its Notify status is asked
  // (`GET /v2/notifications/{id}`, on the business clock) so that a late
  // bounce puts it on the post list; 0: never asked. Default: 72.
  int status_check_hours = 72;
};

struct EmailConfig {
  std::optional<SmtpConfig> smtp;
  std::optional<NotifyConfig> notify;
};

struct ServerConfig {
  std::vector<ApiKeyConfig> api_keys;
  std::filesystem::path policy;
  // GOV.UK bank-holidays.json format. Default: bank-holidays.json beside the
  // config file, else deploy/bank-holidays.json of the installation.
  std::filesystem::path bank_holidays;
  // Where letters and other emitted events are written as CloudEvents JSON
  // files. Default: <data-dir>/spool.
  std::filesystem::path spool_dir;
  // Largest request body accepted. Default: 1 MiB.
  size_t body_limit_bytes = 1u << 20;
  // I/O threads. Default: one per core.
  unsigned io_threads = 0;
  // Commands queued for the writer before 503s. Default: 20000.
  size_t max_queue = 20000;
  // Connections open at once, and GET /v1/stream subscribers; beyond them
  // 503 with Retry-After. Defaults fit the usual limit of 1024 open files.
  size_t max_connections = 768;
  size_t max_stream_subscribers = 256;
  // Threads for heavy reads (worklist, reports, exports, audit). Default: 2.
  size_t reader_threads = 2;
  // Heavy reads under way or waiting before 503s. Default: 32.
  size_t reader_queue = 32;
  // A client that sends nothing for this long is disconnected. Default: 60 s.
  std::chrono::seconds idle_timeout{60};
  // The web app's built files. Default: web/ beside the frontdoor binary.
  std::filesystem::path web_root;
  // trace, debug, info, warn, error. Default: info.
  std::string log_level = "info";
  // `auth_failures: {burst, per_seconds}`. Default: see AuthFailureOptions.
  AuthFailureOptions auth_failures;
  // HTTPS when set. Default: plain HTTP.
  std::optional<TlsConfig> tls;
  // Not set: API keys only.
  std::optional<OidcConfig> oidc;
  std::vector<SubscriptionConfig> subscriptions;
  // Not set: letters go to the spool only, and those without an email
  // address to the post list.
  std::optional<EmailConfig> email;
  // Retention (docs/operations.md, "Retention"), in days on the business
  // clock, 0 to 3650; 0 keeps for ever. An Idempotency-Key expires this
  // long after its first use. Default: 30.
  int idempotency_retention_days = 30;
  // A DELIVERED webhook or email delivery is deleted this long after it
  // went out. Default: 30.
  int delivered_retention_days = 30;
  // A spool file is deleted this long after it was written. Default: 30.
  int spool_retention_days = 30;
};

// The root of the build or installation this binary runs from (the folder
// above the frontdoor binary's), where rules/ and deploy/ are found.
std::filesystem::path InstallRoot();

// Reads and checks the config file. Each setting is checked on its own, so
// the error names every one at fault, a line each ("file:line: setting:
// what"). Errors: NotFound when every problem is a missing file (the config
// file itself, or one it names); InvalidArgument otherwise. `errors`, when
// given, also gets each problem as a status of its own, in file order.
absl::StatusOr<ServerConfig> LoadServerConfig(const std::filesystem::path& file,
                                              std::vector<absl::Status>* errors = nullptr);

}  // namespace frontdoor
