// SMTP with libcurl: the message built here (MIME by hand is a few headers;
// base64 is OpenSSL's), the dialogue, STARTTLS and AUTH are curl's. Errors
// name the SMTP reply code or curl's error, never an address.
#include "adapters/sinks/smtp.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <cstring>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>

#include "absl/strings/str_cat.h"


namespace frontdoor {

namespace {

std::string Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string(text);
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Base64 in lines of 76, CRLF after each.
std::string Base64Lines(std::string_view bytes) {
  std::string encoded = Base64(bytes);
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += 76) {
    out += encoded.substr(i, 76);
    out += "\r\n";
  }
  return out;
}

bool IsAscii(std::string_view text) {
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80 || u < 0x20) return false;
  }
  return true;
}

// An RFC 2047 header value: as it is when plain ASCII, else UTF-8 encoded
// words of at most 45 bytes (whole characters), folded.
std::string HeaderText(std::string_view text) {
  if (IsAscii(text)) return std::string(text);
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = std::min(text.size(), i + 45);
    // Never split a UTF-8 sequence: step back over continuation bytes.
    while (end < text.size() && end > i &&
           (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string DomainOf(std::string_view address) {
  size_t at = address.rfind('@');
  return at == std::string_view::npos ? "frontdoor.invalid" : std::string(address.substr(at + 1));
}

std::string RfcDate() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

// An address that can go between <> on an SMTP command line.
bool IsPlainAddress(std::string_view address) {
  if (address.empty() || address.find('@') == std::string_view::npos) return false;
  for (char c : address) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == ',') return false;
  }
  return true;
}

struct Upload {
  std::string_view data;
  size_t at = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t n = std::min(size * count, upload->data.size() - upload->at);
  std::memcpy(buffer, upload->data.data() + upload->at, n);
  upload->at += n;
  return n;
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

SendResult Failure(SendResult::Kind kind, std::string error) {
  return {.kind = kind, .error = std::move(error), .reference = {}};
}

}  // namespace

std::string AddressOf(std::string_view mailbox) {
  size_t lt = mailbox.rfind('<');
  size_t gt = mailbox.rfind('>');
  if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt) {
    return Trim(mailbox.substr(lt + 1, gt - lt - 1));
  }
  return Trim(mailbox);
}

std::string SmtpMessage(const v1::Letter& letter, std::string_view from, std::string_view date,
                        std::string_view boundary) {
  std::string from_address = AddressOf(from);
  std::string display = Trim(from.substr(0, from.rfind('<')));
  std::string out;
  out += "From: ";
  if (from.find('<') != std::string_view::npos && !display.empty()) {
    out += HeaderText(display) + " <" + from_address + ">";
  } else {
    out += "<" + from_address + ">";
  }
  out += "\r\nTo: <" + letter.email() + ">\r\n";
  out += "Subject: " + HeaderText(letter.subject()) + "\r\n";
  out += "Date: " + std::string(date) + "\r\n";
  out += "Message-ID: <" + letter.id() + "@" + DomainOf(from_address) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + std::string(boundary) + "\"\r\n";
  out += "\r\n";
  out += "--" + std::string(boundary) + "\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n\r\n";
  out += Base64Lines(letter.body());
  out += "--" + std::string(boundary) + "\r\n";
  out += "Content-Type: text/html; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n\r\n";
  out += Base64Lines(LetterHtml(letter));
  out += "--" + std::string(boundary) + "--\r\n";
  return out;
}

SmtpTransport::SmtpTransport(SmtpConfig config) : config_(std::move(config)) {}

SmtpTransport::~SmtpTransport() {
  if (curl_ != nullptr) curl_easy_cleanup(curl_);
}

absl::Status SmtpTransport::Open() {
  InitCurlOnce();
  from_address_ = AddressOf(config_.from);
  if (!IsPlainAddress(from_address_)) {
    return absl::InvalidArgumentError("email.smtp.from: not an email address");
  }
  if (!config_.password_file.empty()) {
    std::ifstream in(config_.password_file, std::ios::binary);
    if (!in) {
      return absl::NotFoundError("email.smtp.password_file: cannot read " +
                                 config_.password_file.string());
    }
    std::stringstream text;
    text << in.rdbuf();
    password_ = text.str();
    while (!password_.empty() && (password_.back() == '\n' || password_.back() == '\r')) {
      password_.pop_back();
    }
  }
  curl_ = curl_easy_init();
  if (curl_ == nullptr) return absl::InternalError("email.smtp: curl_easy_init failed");
  return absl::OkStatus();
}

SendResult SmtpTransport::Send(const v1::Letter& letter) {
  if (!IsPlainAddress(letter.email())) {
    return Failure(SendResult::Kind::kRefused, "not an email address");
  }
  std::string message = SmtpMessage(letter, config_.from, RfcDate(), "=_frontdoor_" + letter.id());
  Upload upload{.data = message, .at = 0};
  CURL* c = curl_;
  curl_easy_reset(c);
  std::string url = "smtp://" + config_.host + ":" + std::to_string(config_.port);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 60'000L);
  if (config_.starttls) curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!config_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config_.ca_file.c_str());
  if (!config_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, config_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, password_.c_str());
  }
  std::string mail_from = "<" + from_address_ + ">";
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  std::string rcpt = "<" + letter.email() + ">";
  curl_slist* recipients = curl_slist_append(nullptr, rcpt.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(recipients);
  if (rc == CURLE_OK) {
    return {.kind = SendResult::Kind::kDelivered,
            .error = {},
            .reference = "<" + letter.id() + "@" + DomainOf(from_address_) + ">"};
  }
  std::string error = code > 0 ? absl::StrCat("smtp ", code, ": ", curl_easy_strerror(rc))
                               : absl::StrCat("smtp: ", curl_easy_strerror(rc));
  // 5xx is permanent (RFC 5321), except a refused login: the config is at
  // fault, not the letter, and an admin can fix it while it retries.
  bool auth = code == 530 || code == 534 || code == 535 || code == 538 || rc == CURLE_LOGIN_DENIED;
  if (code >= 500 && code < 600 && !auth) return Failure(SendResult::Kind::kRefused, error);
  return Failure(SendResult::Kind::kRetry, error);
}

}  // namespace frontdoor
