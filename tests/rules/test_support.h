// Helpers the rule tests share: contacts written as YAML, facts for a given
// day, line lookups, and (from tests/support) the temporary folder for
// policy files and their templates and where the shipped files are.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "rules/policy.h"
#include "rules/yaml_node.h"
#include "tests/support/source_tree.h"
#include "tests/support/temp_dir.h"

namespace frontdoor::rules::testing {

// The suite's one temporary-folder helper and the shipped files.
using frontdoor::testing::BankHolidaysPath;
using frontdoor::testing::DefaultPolicyPath;
using frontdoor::testing::SourceDir;
using frontdoor::testing::TempDir;

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

}  // namespace frontdoor::rules::testing
