// Policy files that must not load, as data: each file under policy_errors/
// is a bad policy whose leading comments say what the loader must report,
// in the manner of DuckDB's `statement error` cases. Adding a case is adding
// a file. The expectations:
//
//   # error: LINE: FIELD: TEXT   an error at LINE ("*" for any line) on FIELD
//                                ("-" for none) whose message includes TEXT
//   # errors: N                  exactly N errors in all
//   # status: TEXT               the returned status's message includes TEXT
//
// Every error must also name the file. Letter templates the cases use are
// in policy_errors/templates/.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "rules/policy.h"
#include "rules/rule_cases.h"
#include "tests/rules/test_support.h"

namespace frontdoor::rules {
namespace {

using testing::SourceDir;
using testing::TempDir;

std::filesystem::path CasesDir() { return SourceDir() / "tests" / "rules" / "policy_errors"; }

struct ExpectedError {
  int line = -1;  // -1: any line
  std::string field;
  std::string text;
};

struct PolicyErrorCase {
  std::vector<ExpectedError> errors;
  int count = -1;  // -1: not checked
  std::string status;
};

// The expectations in the file's comments, or a failure naming a bad one.
absl::StatusOr<PolicyErrorCase> ReadExpectations(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return absl::NotFoundError(file.string() + ": cannot read the case");
  PolicyErrorCase out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string where = file.filename().string() + ":" + std::to_string(number) + ": ";
    if (line.starts_with("# errors: ")) {
      out.count = std::stoi(line.substr(10));
    } else if (line.starts_with("# status: ")) {
      out.status = line.substr(10);
    } else if (line.starts_with("# error: ")) {
      std::string rest = line.substr(9);
      size_t colon = rest.find(": ");
      size_t field_end = colon == std::string::npos ? colon : rest.find(": ", colon + 2);
      if (field_end == std::string::npos) {
        // A field with no text after it: "# error: 3: office_hours.opens:".
        if (colon != std::string::npos && rest.ends_with(":")) {
          field_end = rest.size() - 1;
        } else {
          return absl::InvalidArgumentError(where + "write # error: LINE: FIELD: TEXT");
        }
      }
      ExpectedError e;
      std::string line_text = rest.substr(0, colon);
      if (line_text != "*") {
        if (line_text.empty() || !std::all_of(line_text.begin(), line_text.end(), [](char c) {
              return std::isdigit(static_cast<unsigned char>(c));
            })) {
          return absl::InvalidArgumentError(where + "LINE must be a number or *");
        }
        e.line = std::stoi(line_text);
      }
      e.field = rest.substr(colon + 2, field_end - colon - 2);
      if (e.field == "-") e.field.clear();
      e.text = field_end + 2 <= rest.size() ? rest.substr(field_end + 2) : "";
      out.errors.push_back(std::move(e));
    }
  }
  if (out.errors.empty() && out.count < 0 && out.status.empty()) {
    return absl::InvalidArgumentError(file.string() + ": the case expects nothing");
  }
  return out;
}

std::string Describe(const ExpectedError& e) {
  return (e.line < 0 ? std::string("*") : std::to_string(e.line)) + ": " +
         (e.field.empty() ? "-" : e.field) + ": " + e.text;
}

// Loads `file` and compares what went wrong with what the case expects:
// one line per expectation not met, empty when all are.
std::vector<std::string> RunPolicyErrorCase(const std::filesystem::path& file) {
  std::vector<std::string> failures;
  absl::StatusOr<PolicyErrorCase> expected = ReadExpectations(file);
  if (!expected.ok()) return {std::string(expected.status().message())};
  std::vector<PolicyError> errors;
  auto policy = Policy::LoadFile(file, &errors);
  if (policy.ok()) return {"the policy loaded: it was expected not to"};
  std::string seen;
  for (const PolicyError& e : errors) {
    seen += "\n    " + std::to_string(e.line) + ": " + (e.field.empty() ? "-" : e.field) + ": " +
            e.message;
    if (e.file != file.string()) failures.push_back("an error names " + e.file + ", not the file");
  }
  for (const ExpectedError& want : expected->errors) {
    bool found = std::any_of(errors.begin(), errors.end(), [&](const PolicyError& e) {
      return (want.line < 0 || e.line == want.line) && e.field == want.field &&
             e.message.find(want.text) != std::string::npos;
    });
    if (!found) failures.push_back("no error " + Describe(want));
  }
  if (expected->count >= 0 && static_cast<int>(errors.size()) != expected->count) {
    failures.push_back("expected " + std::to_string(expected->count) + " errors, got " +
                       std::to_string(errors.size()));
  }
  if (!expected->status.empty() &&
      std::string(policy.status().message()).find(expected->status) == std::string::npos) {
    failures.push_back("the status does not include \"" + expected->status +
                       "\": " + std::string(policy.status().message()));
  }
  if (!failures.empty()) failures.push_back("the errors were:" + seen);
  return failures;
}

class PolicyErrorCaseTest : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(PolicyErrorCaseTest, ReportsWhatTheCaseExpects) {
  std::string failures;
  for (const std::string& f : RunPolicyErrorCase(GetParam())) failures += "\n  " + f;
  EXPECT_TRUE(failures.empty()) << GetParam().string() << failures;
}

std::string CaseName(const ::testing::TestParamInfo<std::filesystem::path>& info) {
  std::string name = std::filesystem::relative(info.param, CasesDir()).replace_extension().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, PolicyErrorCaseTest, ::testing::ValuesIn(ListRuleCases(CasesDir())),
                         CaseName);

TEST(PolicyErrorCasesTest, ThereAreCases) { EXPECT_GE(ListRuleCases(CasesDir()).size(), 19u); }

// The runner itself: an expectation that is not met fails, so a case
// cannot pass by accident.
TEST(PolicyErrorCasesTest, AnUnmetExpectationFails) {
  TempDir dir;
  std::string base = "label: x\ntables: []\n";
  std::filesystem::path wrong_line = dir.Write("a.yaml", "# error: 99: tables: at least\n" + base);
  EXPECT_THAT(RunPolicyErrorCase(wrong_line),
              ::testing::Contains(::testing::HasSubstr("no error 99: tables: at least")));
  std::filesystem::path right = dir.Write("b.yaml", "# error: *: tables: at least\n" + base);
  EXPECT_THAT(RunPolicyErrorCase(right), ::testing::IsEmpty());
  std::filesystem::path count = dir.Write("c.yaml", "# errors: 1\n" + base);
  EXPECT_THAT(RunPolicyErrorCase(count),
              ::testing::Contains(::testing::HasSubstr("expected 1 errors, got")));
  std::filesystem::path nothing = dir.Write("d.yaml", base);
  EXPECT_THAT(RunPolicyErrorCase(nothing),
              ::testing::Contains(::testing::HasSubstr("the case expects nothing")));
}

TEST(PolicyErrorCasesTest, APolicyThatLoadsFailsTheCase) {
  TempDir dir;
  dir.Write("ack.txt", "Received {{contact_id}}\n");
  dir.Write("outcome.txt", "Outcome {{contact_id}}\n");
  std::filesystem::path good = dir.Write("good.yaml", R"(# error: *: -: anything
label: x
letters: {acknowledgement: ack.txt, outcome: outcome.txt}
tables:
  - name: t
    hit_policy: FIRST
    rules:
      - id: r1
        when: {}
        then: {route: MASH, level: 3}
)");
  EXPECT_THAT(RunPolicyErrorCase(good),
              ::testing::ElementsAre("the policy loaded: it was expected not to"));
}

}  // namespace
}  // namespace frontdoor::rules
