// `frontdoor serve`: opens the store, loads the policy, starts the
// Processor, the outbox dispatcher with its spool sink and the HTTP
// server, and runs until SIGTERM or SIGINT, then stops accepting, finishes
// what is in flight, flushes and returns 0.
#pragma once

#include <optional>
#include <string>

namespace frontdoor {

struct ServeArgs {
  std::string config;
  std::string data_dir;
  std::string listen = "127.0.0.1:8080";
  // --clock manual[=RFC3339]: nullopt for the system clock; "" for a manual
  // clock starting at the real time now.
  std::optional<std::string> manual_clock;
};

// Returns the process exit code.
int Serve(const ServeArgs& args);

}  // namespace frontdoor
