// Letters by SMTP through libcurl: STARTTLS required when the config says
// `starttls` (the default), the server's certificate checked (against
// `ca_file` when given), AUTH with `username` and the password in
// `password_file`. Each letter is one message from the config's `from` to
// the referrer's address, `Message-ID` made from the letter id (so a resend
// after a crash is recognisably the same message), a multipart/alternative
// body of the letter's plain text and the same text as escaped HTML, both
// UTF-8 in base64. A 5xx reply (other than an authentication failure) is a
// refusal for good; everything else that fails is tried again.
#pragma once

#include <string>
#include <string_view>

#include "adapters/http/config.h"
#include "adapters/sinks/email.h"

typedef void CURL;

namespace frontdoor {

class SmtpTransport final : public LetterTransport {
 public:
  explicit SmtpTransport(SmtpConfig config);
  ~SmtpTransport() override;
  SmtpTransport(const SmtpTransport&) = delete;
  SmtpTransport& operator=(const SmtpTransport&) = delete;

  std::string_view name() const override { return "smtp"; }
  absl::Status Open() override;
  SendResult Send(const v1::Letter& letter) override;

 private:
  const SmtpConfig config_;
  std::string password_;
  // The address inside `from` ("Front Door <fd@council.example>").
  std::string from_address_;
  // Kept between letters, so that the connection can be reused.
  CURL* curl_ = nullptr;
};

// The whole message as sent (headers and body, CRLF line ends), for a
// letter from `from` (the config's, with its display name). `date` is the
// RFC 5322 date; `boundary` separates the two parts.
std::string SmtpMessage(const v1::Letter& letter, std::string_view from, std::string_view date,
                        std::string_view boundary);

// The address in "Name <address>", or the whole text when it has no <>.
std::string AddressOf(std::string_view mailbox);

}  // namespace frontdoor
