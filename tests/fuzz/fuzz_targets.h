// The front door's fuzz targets: each takes arbitrary bytes and feeds them
// to one reader of outside input (an HTTP request through the router and
// handlers, a JSON contact, a policy, an open-cases CSV, an OIDC key set and
// token, the server config with its subscriptions). libFuzzer drives them in
// the clang build (fuzz_main.cc, FRONTDOOR_FUZZ=ON); replay_test.cc runs the
// committed corpora and regressions through the same functions in every
// build, so a crash once found stays fixed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace frontdoor::fuzz {

using Target = void (*)(const uint8_t* data, size_t size);

// First byte picks the caller (none, admin, triage, manager,
// partner) unless the
// request carries its own Authorization; the rest is parsed as an HTTP/1.1
// request and answered by the real Api over a store in a temp dir.
void HttpRequest(const uint8_t* data, size_t size);
// A POST /v1/contacts body read into ContactSubmission, then validated.
void ContactJson(const uint8_t* data, size_t size);
// A policy file's text, loaded with letter templates from rules/policies.
void PolicyYaml(const uint8_t* data, size_t size);
// An open-cases CSV: header, rows mapped to OpenCaseRequest, validated.
void OpenCasesCsv(const uint8_t* data, size_t size);
// A JWKS document, then "\n\n", then a token verified against those keys.
void OidcJwt(const uint8_t* data, size_t size);
// A server config file (YAML), subscriptions and all.
void ServerConfig(const uint8_t* data, size_t size);

struct NamedTarget {
  std::string_view name;  // the corpus folder's name
  Target run;
};
inline constexpr NamedTarget kTargets[] = {
    {"http_request", HttpRequest}, {"contact_json", ContactJson},   {"policy_yaml", PolicyYaml},
    {"open_cases_csv", OpenCasesCsv}, {"oidc_jwt", OidcJwt}, {"server_config", ServerConfig},
};

}  // namespace frontdoor::fuzz
