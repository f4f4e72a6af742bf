// The three stages of loading a policy, and what they share. Loading
// (policy_load.cc) reads the YAML into the policy.proto messages, indexing
// the line of every field, and reads the letter templates; checking
// (policy_check.cc) finds what the schema cannot say (levels 1 to 4, unique
// rule ids, names that refer to letters, signposts and groups, timescales,
// office hours, rules that overlap or can never match); compiling
// (policy_compile.cc) turns each rule into the flat checks evaluate.cc runs,
// reporting the conditions it cannot compile. Every stage adds to one
// PolicyProblems by field path, which finds the line, so a partnership
// fixing a policy sees every problem at once, in the order of the file's
// sections.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rules/policy.h"
#include "rules/policy_internal.h"
#include "yaml-cpp/yaml.h"

namespace frontdoor::rules::internal {

// "a.b" from "a" and "b"; "b" when `path` is empty.
inline std::string JoinPath(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// Where each field of the document is, by the same paths TreeReader uses
// ("tables[0].rules[2].then.level"), so that problems found after reading
// still name their line.
class SourceIndex {
 public:
  struct Node {
    int line = 0;
    bool scalar = false;
    std::string text;
  };

  // Indexes `node` and everything under it. Also reports keys given twice
  // in one object and keys that are not plain names, which the reader
  // would otherwise let through silently.
  void Build(const YAML::Node& node, const std::string& path,
             const std::function<void(const std::string&, int, std::string)>& error);

  // The line of `path`, or of its nearest ancestor in the document; 0 when
  // none is known.
  int LineOf(std::string path) const;

  // The node at exactly `path`; null when the document has none.
  const Node* Find(const std::string& path) const;

 private:
  std::unordered_map<std::string, Node> nodes_;
};

// The problems found in one policy file, appended to the caller's list.
class PolicyProblems {
 public:
  PolicyProblems(std::string file, std::vector<PolicyError>& errors)
      : file_(std::move(file)), errors_(errors) {}

  const std::string& file() const { return file_; }
  SourceIndex& index() { return index_; }
  const SourceIndex& index() const { return index_; }
  int LineOf(const std::string& path) const { return index_.LineOf(path); }

  // A problem with the document itself (syntax, shape), at `line`.
  void AtLine(int line, std::string message);
  // A problem the schema reader found at `path`. Later problems at or under
  // `path` are not reported: this one already explains them.
  void Schema(const std::string& path, int line, std::string message);
  // A problem at `path`, on its line, unless a schema problem explains it.
  void Error(const std::string& path, std::string message);

  bool empty() const { return errors_.size() == before_; }

 private:
  const std::string file_;
  std::vector<PolicyError>& errors_;
  const size_t before_ = errors_.size();
  SourceIndex index_;
  std::vector<std::string> schema_error_paths_;
};

// --- Checking (policy_check.cc) -------------------------------------------

// The fields outside the tables (label, timescales, office hours, concern
// groups and signposts), and that there is at least one table.
void CheckPolicyFields(const v1::Policy& spec, PolicyProblems& problems);

// Each timescale given has exactly one length, above 0.
void CheckTimescales(const v1::Timescales& timescales, const std::string& path,
                     PolicyProblems& problems);

// A table's name, hit policy and rules are given.
void CheckTable(const v1::DecisionTable& table, const std::string& path, PolicyProblems& problems);

// A rule's id is given and not used by an earlier rule (`ids`: id to path,
// across all tables; the rule's id is added).
void CheckRuleId(const v1::Rule& rule, const std::string& path,
                 std::map<std::string, std::string>& ids, PolicyProblems& problems);

// What a rule does: a route, a level of need 1 to 4, reasons that are not
// empty, and letters, signposts and timescales that exist.
void CheckRuleOutcome(const v1::Policy& spec, const v1::RuleOutcome& then, const std::string& path,
                      PolicyProblems& problems);

// A compiled rule whose conditions contradict each other.
void CheckRuleCanMatch(const CompiledRule& rule, PolicyProblems& problems);

// In UNIQUE tables no two rules, and in PRIORITY tables no two rules of the
// same priority, can match the same contact.
void CheckOverlaps(const CompiledTable& table, PolicyProblems& problems);

// MASH checks (checks.cc): agencies MASH can ask, by_concern entries that
// are complete, and each check due inside the MASH timescale of its RAG,
// the policy's and every rule's own.
void CheckChecksPolicy(const v1::Policy& spec, const CompiledPolicy& compiled,
                       PolicyProblems& problems);

// --- Compiling (policy_compile.cc) ----------------------------------------

// The policy's timescales with the defaults (24 h decision, 72 h mash), then
// every table and rule; checks each table and rule on the way, in order.
void CompilePolicy(const v1::Policy& spec, CompiledPolicy& compiled, PolicyProblems& problems);

}  // namespace frontdoor::rules::internal
