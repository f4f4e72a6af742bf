// What a request names (its path, a contact id decoded from it) made fit
// for one log line: bytes outside printable ASCII, and the backslash, are
// written as \xNN, so that a decoded newline cannot forge a line and NUL or
// 0xFF never reach the log (issue 11).
#pragma once

#include <string>
#include <string_view>

namespace frontdoor {

inline std::string LogSafe(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace frontdoor
