// HTTPS against the real binary: certificates made here with OpenSSL (a CA,
// a server certificate for 127.0.0.1 and localhost, client certificates
// from that CA and from a stranger's), a Beast/Asio TLS client, and what a
// council and its partners rely on: TLS 1.2 and 1.3 only with AEAD
// ciphers, Strict-Transport-Security, a partner system signing in with its
// certificate and seeing only its organisation's contacts, the certificate
// swapped on SIGHUP (a bad file keeps the old one), the live feed over TLS,
// a clear refusal of bad files at start, and plain HTTP as before.
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/http/read.hpp"
#include "boost/beast/http/string_body.hpp"
#include "boost/beast/http/write.hpp"
#include "boost/json/parse.hpp"
#include "tests/integration/server_harness.h"
#include "tests/support/pki.h"

namespace frontdoor::testing {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;
using ::testing::HasSubstr;
using ::testing::Not;

// ---- A TLS client ------------------------------------------------------------

struct ClientOptions {
  std::filesystem::path ca;
  // NAME for NAME.crt/.key in the PKI folder; empty sends no certificate.
  std::filesystem::path cert, key;
  int max_version = 0;  // e.g. TLS1_1_VERSION; 0 for OpenSSL's default
  int min_version = 0;
  std::string ciphers;  // TLS 1.2 cipher list; empty for OpenSSL's default
};

class HttpsClient {
 public:
  HttpsClient(uint16_t port, const ClientOptions& options) : context_(ssl::context::tls_client) {
    SSL_CTX* native = context_.native_handle();
    if (options.min_version != 0) SSL_CTX_set_min_proto_version(native, options.min_version);
    if (options.max_version != 0) SSL_CTX_set_max_proto_version(native, options.max_version);
    if (!options.ciphers.empty()) SSL_CTX_set_cipher_list(native, options.ciphers.c_str());
    context_.load_verify_file(options.ca.string());
    if (!options.cert.empty()) {
      context_.use_certificate_chain_file(options.cert.string());
      context_.use_private_key_file(options.key.string(), ssl::context::pem);
    }
    // After the context is set up: a stream copies its settings when made.
    stream_ = std::make_unique<ssl::stream<asio::ip::tcp::socket>>(ioc_, context_);
    stream_->set_verify_mode(ssl::verify_peer);
    stream_->set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    boost::system::error_code ec;
    stream_->lowest_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    // Reads give up after 10 s: a test waiting for the server never hangs.
    timeval timeout{10, 0};
    ::setsockopt(stream_->lowest_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout,
                 sizeof timeout);
    if (!ec) stream_->handshake(ssl::stream_base::client, ec);
    handshake_ = ec;
  }

  // Why the handshake failed; success when it did not.
  const boost::system::error_code& handshake() const { return handshake_; }
  bool connected() const { return !handshake_; }
  std::string protocol() { return SSL_get_version(stream_->native_handle()); }
  std::string cipher() { return SSL_get_cipher_name(stream_->native_handle()); }
  // The serial number of the certificate the server presented, in hex.
  std::string ServedSerial() {
    X509* cert = SSL_get0_peer_certificate(stream_->native_handle());
    if (cert == nullptr) return "";
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    char* hex = BN_bn2hex(bn);
    std::string out(hex);
    OPENSSL_free(hex);
    BN_free(bn);
    return out;
  }

  Reply Request(const std::string& method, const std::string& target, const std::string& token,
                const std::string& body = "") {
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    Reply reply;
    boost::system::error_code ec;
    http::write(*stream_, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    if (!ec) http::read(*stream_, buffer_, parser, ec);
    if (ec) {
      ADD_FAILURE() << method << " " << target << ": " << ec.message();
      return reply;
    }
    return ReplyFrom(parser.release());
  }

  Reply Get(const std::string& target, const std::string& token = "") {
    return Request("GET", target, token);
  }

  // Sends GET `target` and reads the first bytes of the answer: the error
  // that ends the exchange, or success when bytes came.
  boost::system::error_code FirstAnswer(const std::string& target) {
    std::string raw = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    boost::system::error_code ec;
    asio::write(*stream_, asio::buffer(raw), ec);
    char buf[256];
    if (!ec) stream_->read_some(asio::buffer(buf), ec);
    return ec;
  }

  // For the live feed: sends a raw request, then reads until `text` arrives
  // (false if the stream ends or goes quiet).
  void Send(const std::string& raw) {
    boost::system::error_code ec;
    asio::write(*stream_, asio::buffer(raw), ec);
    EXPECT_FALSE(ec) << ec.message();
  }
  bool WaitFor(const std::string& text) {
    while (received_.find(text) == std::string::npos) {
      char buf[4096];
      boost::system::error_code ec;
      size_t n = stream_->read_some(asio::buffer(buf), ec);
      if (ec || n == 0) return false;
      received_.append(buf, n);
    }
    return true;
  }
  const std::string& received() const { return received_; }

 private:
  asio::io_context ioc_;
  ssl::context context_;
  std::unique_ptr<ssl::stream<asio::ip::tcp::socket>> stream_;
  boost::beast::flat_buffer buffer_;
  boost::system::error_code handshake_;
  std::string received_;
};

// The test config (WriteConfig) with `keys` added to its api_keys.
std::filesystem::path WriteConfigWithKeys(const std::filesystem::path& dir, const std::string& keys,
                                          const std::string& extra) {
  auto path = WriteConfig(dir, extra);
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  std::string config = text.str();
  const std::string head = "api_keys:\n";
  config.insert(config.find(head) + head.size(), keys);
  std::ofstream(path, std::ios::trunc) << config;
  return path;
}

const std::string kCertificateKeys =
    "  - {name: police-cms, role: partner, organisation: merseyside-police, agency: POLICE,\n"
    "     client_certificate_subject: \"CN=police-cms,O=Merseyside Police\"}\n"
    "  - {name: ops-dashboard, role: manager, client_certificate_subject: \"CN=ops-dashboard\"}\n";

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_.WriteClient("police-cms", {{"O", "Merseyside Police"}, {"CN", "police-cms"}});
    pki_.WriteClient("ops-dashboard", {{"CN", "ops-dashboard"}});
    pki_.WriteClient("unmapped", {{"CN", "unmapped-system"}});
    pki_.WriteClient("impostor", {{"O", "Merseyside Police"}, {"CN", "police-cms"}},
                     /*by_stranger=*/true);
  }
  void Start(bool client_ca) {
    config_ = WriteConfigWithKeys(
        dir_.path(), client_ca ? kCertificateKeys : "",
        "auth_failures: {burst: 10000, per_seconds: 60}\n" + pki_.TlsSettings(client_ca));
    server_ = ServerProcess::Start({config_, dir_.path() / "data"});
    ASSERT_TRUE(server_);
  }
  ClientOptions Options(const std::string& client = "") const {
    ClientOptions options;
    options.ca = pki_.Path("ca.crt");
    if (!client.empty()) {
      options.cert = pki_.Path(client + ".crt");
      options.key = pki_.Path(client + ".key");
    }
    return options;
  }

  TempDir dir_{"tls"};
  Pki pki_{dir_};
  std::filesystem::path config_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(TlsTest, ServesHttpsWithTls13And12AndStrictTransportSecurity) {
  Start(false);
  HttpsClient client(server_->port(), Options());
  ASSERT_TRUE(client.connected()) << client.handshake().message();
  EXPECT_EQ(client.protocol(), "TLSv1.3");
  Reply health = client.Get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.headers["strict-transport-security"], "max-age=63072000");
  // Every answer, also a refusal and a path that is not there.
  Reply refused = client.Get("/v1/whoami");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.headers["strict-transport-security"], "max-age=63072000");
  Reply missing = client.Get("/v1/nothing-here", kTriageToken);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.headers["strict-transport-security"], "max-age=63072000");
  // A keep-alive connection carries the API as over HTTP.
  Reply created = client.Request("POST", "/v1/contacts", kPartnerToken, ContactJson(1));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(client.Get("/v1/contacts/" + created.str("id"), kTriageToken).status, 200);

  ClientOptions tls12 = Options();
  tls12.max_version = TLS1_2_VERSION;
  HttpsClient older(server_->port(), tls12);
  ASSERT_TRUE(older.connected()) << older.handshake().message();
  EXPECT_EQ(older.protocol(), "TLSv1.2");
  EXPECT_THAT(older.cipher(), ::testing::StartsWith("ECDHE-ECDSA-"));
  EXPECT_EQ(older.Get("/healthz").status, 200);
}

TEST_F(TlsTest, RefusesTls11AndCiphersWithoutAead) {
  Start(false);
  // The client is allowed everything down to TLS 1.0 (security level 0),
  // so the refusal is the server's own.
  ClientOptions tls11 = Options();
  tls11.min_version = TLS1_VERSION;
  tls11.max_version = TLS1_1_VERSION;
  tls11.ciphers = "DEFAULT:@SECLEVEL=0";
  HttpsClient old(server_->port(), tls11);
  EXPECT_FALSE(old.connected());
  EXPECT_EQ(ERR_GET_REASON(static_cast<unsigned long>(old.handshake().value())),
            SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)
      << old.handshake().message();

  // TLS 1.2 with CBC ciphers only: no cipher in common.
  ClientOptions cbc = Options();
  cbc.max_version = TLS1_2_VERSION;
  cbc.ciphers = "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA:@SECLEVEL=0";
  HttpsClient weak(server_->port(), cbc);
  EXPECT_FALSE(weak.connected());
  EXPECT_EQ(ERR_GET_REASON(static_cast<unsigned long>(weak.handshake().value())),
            SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE)
      << weak.handshake().message();

  // The server is still there for good clients.
  HttpsClient good(server_->port(), Options());
  ASSERT_TRUE(good.connected()) << good.handshake().message();
  EXPECT_EQ(good.Get("/healthz").status, 200);
}

TEST_F(TlsTest, AClientCertificateSignsInAsItsOrganisation) {
  Start(true);
  HttpsClient police(server_->port(), Options("police-cms"));
  ASSERT_TRUE(police.connected()) << police.handshake().message();
  Reply whoami = police.Get("/v1/whoami");
  ASSERT_EQ(whoami.status, 200) << whoami.body;
  EXPECT_EQ(whoami.str("name"), "police-cms");
  EXPECT_EQ(whoami.str("role"), "partner");

  // Tokens still work over the same server, with or without a certificate.
  HttpsClient token_only(server_->port(), Options());
  ASSERT_TRUE(token_only.connected()) << token_only.handshake().message();
  Reply by_token = token_only.Request("POST", "/v1/contacts", kPartnerToken, ContactJson(1));
  ASSERT_EQ(by_token.status, 201) << by_token.body;
  Reply by_school = token_only.Request("POST", "/v1/contacts", kOtherPartnerToken, ContactJson(2));
  ASSERT_EQ(by_school.status, 201) << by_school.body;
  EXPECT_EQ(police.Get("/v1/whoami", kTriageToken).str("name"), "ifd-triage");

  // The certificate is merseyside-police's: it sees what the organisation
  // sent through its token, and not the school's contact.
  Reply own = police.Get("/v1/contacts/" + by_token.str("id"));
  EXPECT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.str("external_ref"), "REF-1");
  EXPECT_FALSE(own.json.as_object().contains("narrative"));
  EXPECT_EQ(police.Get("/v1/contacts/" + by_school.str("id")).status, 404);

  Reply sent = police.Request("POST", "/v1/contacts", "", ContactJson(3));
  ASSERT_EQ(sent.status, 201) << sent.body;
  Reply staff = token_only.Get("/v1/contacts/" + sent.str("id"), kTriageToken);
  ASSERT_EQ(staff.status, 200);
  EXPECT_EQ(staff.str("submitted_by"), "police-cms");
  EXPECT_EQ(staff.str("submitted_by_organisation"), "merseyside-police");
  EXPECT_EQ(token_only.Get("/v1/contacts/" + sent.str("id"), kPartnerToken).status, 200);
  EXPECT_EQ(token_only.Get("/v1/contacts/" + sent.str("id"), kOtherPartnerToken).status, 404);

  // A good certificate no key names: not signed in.
  HttpsClient unmapped(server_->port(), Options("unmapped"));
  ASSERT_TRUE(unmapped.connected()) << unmapped.handshake().message();
  EXPECT_EQ(unmapped.Get("/v1/whoami").status, 401);

  // The same subject from another CA: refused by the handshake. Under TLS
  // 1.3 the client finishes its half first and hears the alert on its first
  // read.
  HttpsClient impostor(server_->port(), Options("impostor"));
  boost::system::error_code refusal =
      impostor.connected() ? impostor.FirstAnswer("/v1/whoami") : impostor.handshake();
  EXPECT_EQ(ERR_GET_REASON(static_cast<unsigned long>(refusal.value())),
            SSL_R_TLSV1_ALERT_UNKNOWN_CA)
      << refusal.message();
  EXPECT_THAT(server_->Logs(), Not(HasSubstr("token-for-tests")));
}

TEST_F(TlsTest, SighupSwapsTheCertificateAndABadFileKeepsTheOld) {
  Start(false);
  {
    HttpsClient before(server_->port(), Options());
    ASSERT_TRUE(before.connected()) << before.handshake().message();
    EXPECT_EQ(before.ServedSerial(), "03E9");  // 1001
  }
  // A connection open across the reload keeps its session.
  HttpsClient across(server_->port(), Options());
  ASSERT_TRUE(across.connected());

  pki_.WriteServer(2002);
  server_->Signal(SIGHUP);
  std::string serial;
  for (int attempt = 0; attempt < 2000 && serial != "07D2"; ++attempt) {
    HttpsClient after(server_->port(), Options());
    ASSERT_TRUE(after.connected()) << after.handshake().message();
    serial = after.ServedSerial();
  }
  EXPECT_EQ(serial, "07D2");  // 2002
  EXPECT_EQ(across.Get("/healthz").status, 200);

  // A broken certificate file: the warning names it, the old one stays.
  dir_.Write("pki/server.crt", "-----BEGIN CERTIFICATE-----\nnot a certificate\n");
  server_->Signal(SIGHUP);
  bool warned = false;
  for (int attempt = 0; attempt < 2000 && !warned; ++attempt) {
    HttpsClient probe(server_->port(), Options());
    ASSERT_TRUE(probe.connected()) << probe.handshake().message();
    EXPECT_EQ(probe.ServedSerial(), "07D2");
    warned = server_->Logs().find("TLS files refused") != std::string::npos;
  }
  EXPECT_TRUE(warned);
  EXPECT_THAT(server_->Logs(), HasSubstr(pki_.Path("server.crt").string()));
  HttpsClient still(server_->port(), Options());
  ASSERT_TRUE(still.connected()) << still.handshake().message();
  EXPECT_EQ(still.ServedSerial(), "07D2");
  EXPECT_EQ(still.Get("/healthz").status, 200);
}

TEST_F(TlsTest, TheLiveFeedRunsOverTls) {
  Start(true);
  // The manager's dashboard signs in with its certificate, no token.
  HttpsClient stream(server_->port(), Options("ops-dashboard"));
  ASSERT_TRUE(stream.connected()) << stream.handshake().message();
  stream.Send("GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  ASSERT_TRUE(stream.WaitFor(": connected")) << stream.received();
  EXPECT_THAT(stream.received(), ::testing::StartsWith("HTTP/1.1 200 OK"));
  EXPECT_THAT(stream.received(), HasSubstr("Content-Type: text/event-stream"));
  EXPECT_THAT(stream.received(), HasSubstr("Strict-Transport-Security: max-age=63072000"));

  HttpsClient partner(server_->port(), Options("police-cms"));
  ASSERT_TRUE(partner.connected());
  Reply created = partner.Request("POST", "/v1/contacts", "", ContactJson(4));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_TRUE(stream.WaitFor("event: contact\ndata: {\"id\":\"" + created.str("id") + "\""))
      << stream.received();

  // A partner's certificate may not read the feed.
  HttpsClient not_allowed(server_->port(), Options("police-cms"));
  ASSERT_TRUE(not_allowed.connected());
  not_allowed.Send("GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_TRUE(not_allowed.WaitFor("HTTP/1.1 403")) << not_allowed.received();
}

struct CommandRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// `frontdoor serve` with `config`, bounded in time: it is expected to refuse.
CommandRun Serve(const std::filesystem::path& config, const std::filesystem::path& data) {
  std::string command = "timeout 20 " + std::string(FRONTDOOR_BINARY_DIR) +
                        "/frontdoor serve --config " + config.string() + " --data-dir " +
                        data.string() + " --listen 127.0.0.1:0 2>&1";
  CommandRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST_F(TlsTest, BadFilesAtStartAreRefusedNamingTheFile) {
  auto data = dir_.path() / "data";
  auto garbage = dir_.Write("pki/garbage.crt", "this is not PEM\n");
  auto config = WriteConfig(dir_.path(), "tls:\n  cert: " + garbage.string() +
                                             "\n  key: " + pki_.Path("server.key").string() + "\n");
  CommandRun bad_cert = Serve(config, data);
  EXPECT_EQ(bad_cert.exit_code, 2) << bad_cert.output;
  EXPECT_THAT(bad_cert.output, HasSubstr("tls.cert " + garbage.string()));
  EXPECT_THAT(bad_cert.output, Not(HasSubstr("listening on")));

  // A key that is not the certificate's.
  config = WriteConfig(dir_.path(), "tls:\n  cert: " + pki_.Path("server.crt").string() +
                                        "\n  key: " + pki_.Path("police-cms.key").string() + "\n");
  CommandRun wrong_key = Serve(config, data);
  EXPECT_EQ(wrong_key.exit_code, 2) << wrong_key.output;
  EXPECT_THAT(wrong_key.output, HasSubstr("tls.key " + pki_.Path("police-cms.key").string()));
  EXPECT_THAT(wrong_key.output, HasSubstr("does not match"));

  config = WriteConfig(dir_.path(), "tls:\n  cert: " + (dir_.path() / "nowhere.crt").string() +
                                        "\n  key: " + pki_.Path("server.key").string() + "\n");
  CommandRun missing = Serve(config, data);
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_THAT(missing.output, HasSubstr("nowhere.crt"));

  // A CA file with no certificate in it.
  config =
      WriteConfig(dir_.path(), pki_.TlsSettings(false) + "  client_ca: " + garbage.string() + "\n");
  CommandRun bad_ca = Serve(config, data);
  EXPECT_EQ(bad_ca.exit_code, 2) << bad_ca.output;
  EXPECT_THAT(bad_ca.output, HasSubstr("tls.client_ca " + garbage.string()));
}

TEST_F(TlsTest, WithoutTlsTheServerStaysPlainHttp) {
  config_ = WriteConfig(dir_.path());
  server_ = ServerProcess::Start({config_, dir_.path() / "data"});
  ASSERT_TRUE(server_);
  HttpClient plain(server_->port());
  Reply health = plain.Get("/healthz", "");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.headers.count("strict-transport-security"), 0u);
  EXPECT_EQ(plain.Get("/v1/whoami", kTriageToken).status, 200);
  // And it does not speak TLS.
  HttpsClient tls(server_->port(), Options());
  EXPECT_FALSE(tls.connected());
  EXPECT_EQ(plain.Get("/healthz", "").status, 200);
}

}  // namespace
}  // namespace frontdoor::testing
