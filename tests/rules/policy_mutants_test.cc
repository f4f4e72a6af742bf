// Every refusal names a line: the shipped policy (rules/policies) is copied
// with its letters into a temporary folder, and a few hundred deterministic
// mutants of it (a line deleted or repeated, a value replaced by ~, a
// control byte or a non-UTF-8 byte inserted) are loaded. Each must either
// load or be refused with every problem carrying a line number above 0.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rules/policy.h"
#include "tests/rules/test_support.h"

namespace frontdoor::rules {
namespace {

using testing::DefaultPolicyPath;
using testing::TempDir;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

TEST(PolicyMutants, EveryRefusalNamesALine) {
  std::filesystem::path shipped = DefaultPolicyPath();
  std::ifstream in(shipped, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> lines = Lines(text.str());
  ASSERT_GT(lines.size(), 50u);

  TempDir dir;
  std::filesystem::copy(shipped.parent_path() / "letters", dir.path() / "letters",
                        std::filesystem::copy_options::recursive);

  std::vector<std::string> mutants;
  // Content lines only (comments and blank lines change nothing).
  std::vector<size_t> content;
  for (size_t i = 0; i < lines.size(); ++i) {
    size_t first = lines[i].find_first_not_of(' ');
    if (first != std::string::npos && lines[i][first] != '#') content.push_back(i);
  }
  // A fixed stride keeps the run short and the same every time.
  for (size_t k = 0; k < content.size(); k += 4) {
    size_t i = content[k];
    std::vector<std::string> m = lines;
    m.erase(m.begin() + static_cast<std::ptrdiff_t>(i));
    mutants.push_back(Join(m));
    m = lines;
    m.insert(m.begin() + static_cast<std::ptrdiff_t>(i), lines[i]);
    mutants.push_back(Join(m));
    m = lines;
    if (size_t colon = m[i].find(": "); colon != std::string::npos) {
      m[i] = m[i].substr(0, colon) + ": ~";
      mutants.push_back(Join(m));
      m = lines;
      m[i] = m[i].substr(0, colon) + ":";
      mutants.push_back(Join(m));
    }
    m = lines;
    m[i].insert(m[i].size() / 2, 1, static_cast<char>(k % 2 ? 0x01 : 0x1B));
    mutants.push_back(Join(m));
    m = lines;
    m[i] += " \xff";
    mutants.push_back(Join(m));
  }
  ASSERT_GT(mutants.size(), 150u);

  int refused = 0;
  for (size_t n = 0; n < mutants.size(); ++n) {
    std::vector<PolicyError> errors;
    auto policy = Policy::LoadText(mutants[n], "mutant.yaml", dir.path(), &errors);
    if (policy.ok()) continue;
    ++refused;
    ASSERT_FALSE(errors.empty()) << "mutant " << n << ": " << policy.status();
    for (const PolicyError& e : errors) {
      EXPECT_GT(e.line, 0) << "mutant " << n << ": " << e.ToString();
    }
  }
  EXPECT_GT(refused, static_cast<int>(mutants.size() / 2));
}

}  // namespace
}  // namespace frontdoor::rules
