// The Node adapter that lets TreeReader (frontdoor/tree_reader.h) read a
// yaml-cpp document into a protobuf message, so that policy files, rule
// cases and contacts written as YAML or JSON are checked against the schema
// with every error naming its line. It is stricter than yaml-cpp's own
// conversions on purpose: a quoted "3" is not a number, and only
// true/false are booleans (not YAML 1.1's yes/no/on/off, which would turn a
// country code "NO" into false).
#pragma once

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "yaml-cpp/yaml.h"

namespace frontdoor::rules {

class YamlNode {
 public:
  explicit YamlNode(YAML::Node node) : node_(std::move(node)) {}

  bool IsNull() const { return !node_.IsDefined() || node_.IsNull(); }
  bool IsObject() const { return node_.IsMap(); }
  bool IsArray() const { return node_.IsSequence(); }

  std::optional<std::string> AsString() const {
    if (!node_.IsScalar()) return std::nullopt;
    return node_.Scalar();
  }

  std::optional<bool> AsBool() const {
    if (!IsPlainScalar()) return std::nullopt;
    const std::string& s = node_.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    return std::nullopt;
  }

  std::optional<int64_t> AsInt() const {
    if (!IsPlainScalar()) return std::nullopt;
    std::string_view s = node_.Scalar();
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return value;
  }

  std::optional<uint64_t> AsUint() const {
    if (!IsPlainScalar()) return std::nullopt;
    std::string_view s = node_.Scalar();
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return value;
  }

  std::optional<double> AsDouble() const {
    if (!IsPlainScalar()) return std::nullopt;
    const std::string& s = node_.Scalar();
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    double value = std::strtod(s.c_str(), &end);
    if (errno != 0 || end != s.c_str() + s.size()) return std::nullopt;
    return value;
  }

  // Keys that are not scalars (YAML allows a list as a key) are skipped
  // here; the policy loader reports them as errors of their own.
  template <typename F>
  void ForEachMember(F f) const {
    if (!node_.IsMap()) return;
    for (const auto& entry : node_) {
      if (!entry.first.IsScalar()) continue;
      const std::string& key = entry.first.Scalar();
      f(std::string_view(key), YamlNode(entry.second));
    }
  }

  template <typename F>
  void ForEachElement(F f) const {
    if (!node_.IsSequence()) return;
    size_t index = 0;
    for (const auto& element : node_) f(index++, YamlNode(element));
  }

  int Line() const {
    YAML::Mark mark = node_.Mark();
    return mark.is_null() ? 0 : mark.line + 1;
  }

  const YAML::Node& yaml() const { return node_; }

 private:
  // yaml-cpp tags a plain (unquoted) scalar "?" and a quoted one "!".
  bool IsPlainScalar() const { return node_.IsScalar() && node_.Tag() != "!"; }

  YAML::Node node_;
};

namespace yaml_internal {
inline bool WithinLimits(const YAML::Node& node, int depth, int max_depth, size_t& budget) {
  if (depth > max_depth || budget == 0) return false;
  --budget;
  if (node.IsMap()) {
    for (const auto& entry : node) {
      if (!WithinLimits(entry.first, depth + 1, max_depth, budget) ||
          !WithinLimits(entry.second, depth + 1, max_depth, budget)) {
        return false;
      }
    }
  } else if (node.IsSequence()) {
    for (const auto& element : node) {
      if (!WithinLimits(element, depth + 1, max_depth, budget)) return false;
    }
  }
  return true;
}
}  // namespace yaml_internal

// Aliases make a YAML document a graph rather than a tree, even a cycle
// (`a: &x [*x]`), which anything walking it as a tree would follow forever
// or expand exponentially ("billion laughs"). Call this before reading a
// document: false when it nests deeper than `max_depth` or has more than
// `max_nodes` nodes once aliases are expanded.
inline bool YamlWithinLimits(const YAML::Node& root, int max_depth = 64,
                             size_t max_nodes = 1'000'000) {
  size_t budget = max_nodes;
  return yaml_internal::WithinLimits(root, 0, max_depth, budget);
}

inline constexpr char kYamlTooLarge[] =
    "the document nests too deeply or is too large once its aliases (*name) are expanded";

}  // namespace frontdoor::rules
