// Helpers the rule tests share: a scratch folder for policy files and their
// letter templates, contacts written as YAML, facts for a given day, and
// where the default policy and the shipped bank holidays are.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "rules/policy.h"
#include "rules/yaml_node.h"

namespace frontdoor::rules::testing {

// A folder under the test's temporary directory, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info ? info->test_suite_name() : "suite") + "." +
                       (info ? info->name() : "test") + "." + std::to_string(::getpid());
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    path_ = std::filesystem::path(::testing::TempDir()) / ("frontdoor_rules_" + name);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  std::filesystem::path Write(const std::string& relative, std::string_view text) const {
    std::filesystem::path file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

// Reads YAML (or JSON) into any message; fails the test on a schema error.
template <typename Message>
Message FromYaml(std::string_view text) {
  Message message;
  std::vector<FieldError> errors;
  TreeReader<YamlNode>(&errors).ReadMessage(YamlNode(YAML::Load(std::string(text))), &message);
  for (const FieldError& e : errors) ADD_FAILURE() << e.field << ": " << e.message;
  return message;
}

// A contact plus the facts about it; the facts borrow the submission.
struct TestContact {
  v1::ContactSubmission submission;
  Facts facts;

  explicit TestContact(std::string_view yaml,
                       std::chrono::year_month_day on = std::chrono::year{2026} /
                                                        std::chrono::March / 3)
      : submission(FromYaml<v1::ContactSubmission>(yaml)) {
    facts.submission = &submission;
    facts.received_on = on;
  }
  TestContact(const TestContact&) = delete;
  TestContact& operator=(const TestContact&) = delete;
};

// The 1-based line of the first line containing `needle`; 0 if none.
inline int LineOf(std::string_view text, std::string_view needle) {
  size_t at = text.find(needle);
  if (at == std::string_view::npos) return 0;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

inline std::filesystem::path SourceDir() { return FRONTDOOR_SOURCE_DIR; }
inline std::filesystem::path DefaultPolicyPath() {
  return SourceDir() / "rules" / "policies" / "default.yaml";
}
// The bank holidays the engine ships with, as `serve` and `rules test` use.
inline std::filesystem::path BankHolidaysPath() {
  return SourceDir() / "deploy" / "bank-holidays.json";
}

}  // namespace frontdoor::rules::testing
