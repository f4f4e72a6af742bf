// The one command-line flag parser of frontdoor. Each command declares its
// flags (--name VALUE or --name=VALUE, each at most once) with a reader that
// checks and stores the value, and the words it takes; Parse then refuses,
// with one clear message, an unknown flag, a flag given twice, a flag with
// no value, a value its reader refuses, a missing required flag and a
// missing or extra word. Commands print the message and their usage and exit
// with 2.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace frontdoor::cli {

// Checks one value and stores it where the command wants it. An error's
// message says what the flag takes, to follow its name: "takes a date
// written YYYY-MM-DD, not 2026-13-01".
using FlagReader = std::function<absl::Status(std::string_view value)>;

class FlagParser {
 public:
  // `command` begins every message, e.g. "frontdoor serve".
  explicit FlagParser(std::string command) : command_(std::move(command)) {}

  // Flags by their name without the dashes ("data-dir").
  FlagParser& Required(std::string name, FlagReader read);
  FlagParser& Optional(std::string name, FlagReader read);
  // A word that is not a flag ("POLICY.yaml"), stored in *out; words are
  // taken in the order declared, and every one is required.
  FlagParser& Word(std::string name, std::string* out);

  // Reads `args`, the words after the command. A word starting with "-" is
  // a flag; a value starting with "--" is taken for a forgotten value.
  // Errors: InvalidArgument, with a message for the user that starts with
  // the command ("frontdoor serve: unknown flag --bogus").
  absl::Status Parse(const std::vector<std::string>& args) const;

 private:
  struct Flag {
    std::string name;
    FlagReader read;
    bool required = false;
  };
  struct Positional {
    std::string name;
    std::string* out;
  };

  const Flag* Find(std::string_view name) const;
  absl::Status Refuse(const std::string& message) const;

  const std::string command_;
  std::vector<Flag> flags_;
  std::vector<Positional> words_;
};

// Readers for the values frontdoor's flags take.

// Any text but the empty one (paths, tokens).
FlagReader Text(std::string* out);
// A whole number from 0 to `most`, in decimal digits.
FlagReader Count(uint64_t* out, uint64_t most);
// A calendar date written YYYY-MM-DD.
FlagReader Date(std::optional<std::chrono::year_month_day>* out);
// HOST:PORT, the host in brackets for IPv6 ("[::1]:8080"); stored as given.
FlagReader ListenAddress(std::string* out);
// "system" (nullopt), "manual" (a manual clock from now: "") or
// "manual=RFC3339" (a manual clock from then: the time as given).
FlagReader Clock(std::optional<std::string>* manual);
// http://HOST[:PORT], as the open-cases loader talks to the server.
FlagReader HttpUrl(std::string* out);

// HOST:PORT into its parts. Errors: InvalidArgument.
absl::Status SplitListenAddress(std::string_view listen, std::string* host, uint16_t* port);

}  // namespace frontdoor::cli
