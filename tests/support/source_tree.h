// Where the tests find what the project ships: the source tree (CMake
// passes FRONTDOOR_SOURCE_DIR to every test), the default policy and the
// bank holidays. The one place that knows these paths.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace frontdoor::testing {

inline std::filesystem::path SourceDir() { return FRONTDOOR_SOURCE_DIR; }

// rules/policies/default.yaml: the shipped default policy.
inline std::filesystem::path DefaultPolicyPath() {
  return SourceDir() / "rules" / "policies" / "default.yaml";
}

// deploy/bank-holidays.json: England and Wales bank holidays, GOV.UK's format.
inline std::filesystem::path BankHolidaysPath() {
  return SourceDir() / "deploy" / "bank-holidays.json";
}

// The whole of a file, or "" when it cannot be read.
inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace frontdoor::testing
