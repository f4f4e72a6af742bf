// Declared flags, checked in one pass over the words of a command line.
#include "adapters/cli/flags.h"

#include <algorithm>
#include <charconv>

#include "boost/url/parse.hpp"
#include "frontdoor/proto_time.h"

namespace frontdoor::cli {

FlagParser& FlagParser::Required(std::string name, FlagReader read) {
  flags_.push_back({std::move(name), std::move(read), true});
  return *this;
}

FlagParser& FlagParser::Optional(std::string name, FlagReader read) {
  flags_.push_back({std::move(name), std::move(read), false});
  return *this;
}

FlagParser& FlagParser::Word(std::string name, std::string* out) {
  words_.push_back({std::move(name), out});
  return *this;
}

const FlagParser::Flag* FlagParser::Find(std::string_view name) const {
  for (const Flag& flag : flags_) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

absl::Status FlagParser::Refuse(const std::string& message) const {
  return absl::InvalidArgumentError(command_ + ": " + message);
}

absl::Status FlagParser::Parse(const std::vector<std::string>& args) const {
  std::vector<const Flag*> seen;
  size_t words = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') {
      if (words == words_.size()) return Refuse("unexpected argument " + arg);
      *words_[words++].out = arg;
      continue;
    }
    if (arg.rfind("--", 0) != 0) return Refuse("unknown flag " + arg);
    std::string_view name = std::string_view(arg).substr(2);
    std::optional<std::string_view> value;
    if (size_t eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const Flag* flag = Find(name);
    if (flag == nullptr) return Refuse("unknown flag --" + std::string(name));
    if (std::find(seen.begin(), seen.end(), flag) != seen.end()) {
      return Refuse("--" + std::string(name) + " is given twice");
    }
    seen.push_back(flag);
    if (!value) {
      if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) value = args[++i];
    }
    if (!value || value->empty()) return Refuse("--" + std::string(name) + " needs a value");
    if (absl::Status read = flag->read(*value); !read.ok()) {
      return Refuse("--" + std::string(name) + " " + std::string(read.message()));
    }
  }
  std::vector<std::string> missing;
  for (const Flag& flag : flags_) {
    if (flag.required && std::find(seen.begin(), seen.end(), &flag) == seen.end()) {
      missing.push_back("--" + flag.name);
    }
  }
  if (!missing.empty()) {
    std::string list = missing[0];
    for (size_t i = 1; i < missing.size(); ++i) {
      list += (i + 1 == missing.size() ? " and " : ", ") + missing[i];
    }
    return Refuse(list + (missing.size() == 1 ? " is required" : " are required"));
  }
  if (words < words_.size()) return Refuse("needs " + words_[words].name);
  return absl::OkStatus();
}

FlagReader Text(std::string* out) {
  return [out](std::string_view value) {
    *out = std::string(value);
    return absl::OkStatus();
  };
}

FlagReader Count(uint64_t* out, uint64_t most) {
  return [out, most](std::string_view value) {
    uint64_t n = 0;
    const char* end = value.data() + value.size();
    auto [at, error] = std::from_chars(value.data(), end, n);
    if (value.empty() || error != std::errc() || at != end || n > most) {
      return absl::InvalidArgumentError("takes a whole number from 0 to " + std::to_string(most) +
                                        ", not \"" + std::string(value) + "\"");
    }
    *out = n;
    return absl::OkStatus();
  };
}

FlagReader Date(std::optional<std::chrono::year_month_day>* out) {
  return [out](std::string_view value) {
    *out = ParseIsoDate(value);
    if (!*out) {
      return absl::InvalidArgumentError("takes a date written YYYY-MM-DD, not " +
                                        std::string(value));
    }
    return absl::OkStatus();
  };
}

absl::Status SplitListenAddress(std::string_view listen, std::string* host, uint16_t* port) {
  auto bad = [] { return absl::InvalidArgumentError("takes HOST:PORT, e.g. 127.0.0.1:8080"); };
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string_view name = listen.substr(0, colon);
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  std::string_view digits = listen.substr(colon + 1);
  unsigned value = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || p != digits.data() + digits.size() || value > 65535) return bad();
  *host = std::string(name);
  *port = static_cast<uint16_t>(value);
  return absl::OkStatus();
}

FlagReader ListenAddress(std::string* out) {
  return [out](std::string_view value) {
    std::string host;
    uint16_t port = 0;
    if (absl::Status s = SplitListenAddress(value, &host, &port); !s.ok()) return s;
    *out = std::string(value);
    return absl::OkStatus();
  };
}

FlagReader Clock(std::optional<std::string>* manual) {
  return [manual](std::string_view value) {
    constexpr std::string_view kManual = "manual=";
    if (value == "system") {
      manual->reset();
    } else if (value == "manual") {
      *manual = "";
    } else if (value.substr(0, kManual.size()) == kManual) {
      std::string_view start = value.substr(kManual.size());
      if (auto parsed = ParseRfc3339(start); !parsed.ok()) {
        return absl::InvalidArgumentError(std::string(value) + " " +
                                          std::string(parsed.status().message()));
      }
      *manual = std::string(start);
    } else {
      return absl::InvalidArgumentError("takes system, manual or manual=RFC3339, not " +
                                        std::string(value));
    }
    return absl::OkStatus();
  };
}

FlagReader HttpUrl(std::string* out) {
  return [out](std::string_view value) {
    auto parsed = boost::urls::parse_uri(value);
    if (!parsed || parsed->scheme() != "http" || parsed->host().empty()) {
      return absl::InvalidArgumentError("must be http://HOST:PORT");
    }
    *out = std::string(value);
    return absl::OkStatus();
  };
}

}  // namespace frontdoor::cli
