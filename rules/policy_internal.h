// The compiled form of a policy, shared by the loader (policy_load.cc,
// policy_check.cc and policy_compile.cc), the evaluator (evaluate.cc) and
// the letter renderer (letters.cc). Conditions are turned into flat checks
// over bitmasks and integer ranges when the policy loads, so that
// evaluating a contact is a few comparisons per rule with no parsing,
// lookups or allocation; the words an explanation needs (what each
// condition asks for) are written once here too.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rules/policy.h"

namespace frontdoor::rules {
namespace internal {

inline constexpr int32_t kNoMin = std::numeric_limits<int32_t>::min();
inline constexpr int32_t kNoMax = std::numeric_limits<int32_t>::max();

// Bit n stands for enum value n. Every code list in codes.proto has fewer
// than 64 values; a value outside 1..63 never sets a bit.
inline uint64_t Bit(int value) { return value > 0 && value < 64 ? uint64_t{1} << value : 0; }

enum class CheckKind : uint8_t {
  kConcernsAnyOf,
  kConcernsAllOf,
  kConcernsNoneOf,
  kConcernsOnlyFrom,
  kImmediateRisk,
  kConsent,
  kSource,
  kChannel,
  kChildAge,
  kChildren,
  kContacts12m,
  kReferrals12m,
  kOpenCase,
  kOutOfHours,
};

// One condition of a rule, ready to test.
struct Check {
  CheckKind kind = CheckKind::kImmediateRisk;
  // Concerns and code lists: the accepted values as bits.
  uint64_t mask = 0;
  // Yes/no conditions: the value wanted.
  bool flag = false;
  // Ranges, inclusive; ages in whole months.
  int32_t min = kNoMin;
  int32_t max = kNoMax;
  // Age: -1 any child with a known age or unborn per the bounds, 0 a born
  // child, 1 an unborn child.
  int8_t unborn = -1;
  // For the words: ages were written in years.
  bool years = false;
  // The words of the explanation, fixed at load time.
  std::string condition;
  std::string expected;
  // The concern group's label when the rule named a group, for reasons.
  std::string group_label;
};

// A rule's conditions per dimension, for deciding at load time whether two
// rules can match the same contact.
struct AgePredicate {
  bool given = false;
  bool unborn = false;  // true: an unborn child; false: a born child in range
  int32_t min_months = 0;
  int32_t max_months = kNoMax;
};

struct Constraints {
  uint64_t concerns_any = 0;  // 0: not constrained
  uint64_t concerns_all = 0;
  uint64_t concerns_none = 0;
  uint64_t concerns_only = ~uint64_t{0};
  int8_t immediate_risk = -1;  // -1 either, 0 no, 1 yes
  uint64_t consent = ~uint64_t{0};
  uint64_t source = ~uint64_t{0};
  uint64_t channel = ~uint64_t{0};
  AgePredicate age;
  int32_t children_min = 1, children_max = kNoMax;
  int32_t contacts_min = 0, contacts_max = kNoMax;
  int32_t referrals_min = 0, referrals_max = kNoMax;
  int8_t open_case = -1;
  int8_t out_of_hours = -1;
};

// True when some contact satisfies both (exact, dimension by dimension).
bool CanBothMatch(const Constraints& a, const Constraints& b);

struct CompiledRule {
  // Points into Policy::spec_, which never moves once loaded.
  const v1::Rule* rule = nullptr;
  std::string path;  // "tables[1].rules[0]", for errors
  int line = 0;
  std::vector<Check> checks;
  Constraints constraints;
  // The policy's timescales with this rule's overrides and the defaults.
  v1::Timescales timescales;
  std::vector<v1::Signpost> signposts;
};

struct CompiledTable {
  const v1::DecisionTable* table = nullptr;
  std::vector<CompiledRule> rules;
  // The order rules are tried in: written order, or by priority (highest
  // first, ties in written order) for PRIORITY tables.
  std::vector<uint32_t> order;
};

// "a, b or c": the labels of the values whose bits are set, in code order.
std::string MaskLabels(uint64_t mask, const google::protobuf::EnumDescriptor& type,
                       std::string_view last_separator);
// "a, b and c".
std::string JoinWords(const std::vector<std::string>& words, std::string_view last_separator);

// `s` in double quotes, for naming a bad value in an error.
std::string Quote(std::string_view s);

// One problem in a letter template, with its line in the template.
struct TemplateProblem {
  int line = 0;
  std::string message;
};

// Every placeholder a template uses must be one LetterValues fills; the
// template must parse. Empty when the template is fine.
std::vector<TemplateProblem> CheckLetterTemplate(std::string_view text);

// The letter templates parsed once (letters.cc); mustache's render is not
// const, so each is rendered under a lock of its own.
struct ParsedLetters;
std::shared_ptr<ParsedLetters> ParseLetters(
    const std::map<std::string, std::string, std::less<>>& letters);

struct CompiledPolicy {
  std::vector<CompiledTable> tables;
  // The policy's timescales with the defaults filled in.
  v1::Timescales timescales;
  // Template text by letter name.
  std::map<std::string, std::string, std::less<>> letters;
  std::shared_ptr<ParsedLetters> parsed_letters;
};

}  // namespace internal

// Policy's private name for it, so that policy.h need not show it.
struct Policy::Compiled : internal::CompiledPolicy {};

}  // namespace frontdoor::rules
