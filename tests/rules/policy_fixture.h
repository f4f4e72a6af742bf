// The rule tests' small policies: a header with letters, signposts and a
// concern group, the two letter templates, one FIRST table with one rule,
// and PolicyTest, which loads tables under that header from a temporary
// folder and keeps the errors for matching; DefaultPolicyTest, which
// loads the shipped policy; PriorOf. Shared by the files of rules_test.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rules/policy.h"
#include "tests/rules/test_support.h"

namespace frontdoor::rules::testing {

constexpr char kHeader[] = R"(label: Test policy
letters:
  acknowledgement: ack.txt
  outcome: outcome.txt
signposts:
  hub: {service: Test Family Hub, what_for: everyday worries, how_to_reach: 01632 960000}
concern_groups:
  harm: {label: significant harm, concerns: [SEXUAL_ABUSE, PHYSICAL_ABUSE]}
tables:
)";

constexpr char kAck[] = "Received {{contact_id}}\n\nDear {{referrer_name}}, about {{children}}.\n";
constexpr char kOutcome[] =
    "Outcome {{contact_id}}\n\n{{outcome}}: {{reason}}\n{{#signposts}}- {{service}} "
    "({{how_to_reach}})\n{{/signposts}}";

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("ack.txt", kAck);
    dir_.Write("outcome.txt", kOutcome);
  }

  absl::StatusOr<std::shared_ptr<const Policy>> Load(const std::string& tables) {
    text_ = std::string(kHeader) + tables;
    errors_.clear();
    return Policy::LoadText(text_, "test.yaml", dir_.path(), &errors_);
  }

  std::shared_ptr<const Policy> MustLoad(const std::string& tables) {
    auto policy = Load(tables);
    for (const PolicyError& e : errors_) ADD_FAILURE() << e.ToString();
    EXPECT_TRUE(policy.ok()) << policy.status();
    return policy.ok() ? *policy : nullptr;
  }

  // The errors as "line: field: message" lines, for matching.
  std::vector<std::string> ErrorLines() const {
    std::vector<std::string> lines;
    for (const PolicyError& e : errors_) lines.push_back(e.ToString());
    return lines;
  }

  const PolicyError* ErrorFor(std::string_view field) const {
    for (const PolicyError& e : errors_) {
      if (e.field == field) return &e;
    }
    return nullptr;
  }

  TempDir dir_;
  std::string text_;
  std::vector<PolicyError> errors_;
};

constexpr char kOneRule[] = R"(  - name: t
    hit_policy: FIRST
    rules:
      - id: r1
        when: {concerns: {any_of: [NEGLECT]}}
        then: {route: MASH, level: 3}
)";

inline v1::Prior PriorOf(int contacts, int referrals, bool open_case = false) {
  v1::Prior p;
  p.set_contacts_12m(contacts);
  p.set_referrals_12m(referrals);
  if (open_case) {
    p.mutable_open_case()->set_case_id("C-1");
    p.mutable_open_case()->set_team("Team North");
  }
  return p;
}

// The shipped default policy, loaded once per test.
class DefaultPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<PolicyError> errors;
    auto loaded = Policy::LoadFile(DefaultPolicyPath(), &errors);
    for (const PolicyError& e : errors) ADD_FAILURE() << e.ToString();
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    policy_ = *loaded;
  }
  std::shared_ptr<const Policy> policy_;
};

}  // namespace frontdoor::rules::testing
