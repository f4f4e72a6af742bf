// Loading a threshold policy: YAML is read into the policy.proto messages
// through TreeReader (so the schema decides what is a field, a code or a
// number), then checked for what the schema cannot say (levels 1 to 4, rule
// ids unique, names that refer to letters, signposts and concern groups,
// timescales, office hours, overlapping rules in UNIQUE and PRIORITY
// tables), and compiled into the checks evaluate.cc runs. Every problem is
// collected with its file, line and bad value, so a partnership fixing a
// policy sees them all at once rather than one per attempt.
#include "rules/policy.h"

#include "frontdoor/digest.h"


#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "frontdoor/codes.h"
#include "rules/policy_internal.h"
#include "rules/yaml_node.h"

namespace frontdoor::rules {

namespace internal {

std::string JoinWords(const std::vector<std::string>& words, std::string_view last_separator) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) {
      if (i + 1 == words.size()) {
        out += ' ';
        out += last_separator;
        out += ' ';
      } else {
        out += ", ";
      }
    }
    out += words[i];
  }
  return out;
}

std::string MaskLabels(uint64_t mask, const google::protobuf::EnumDescriptor& type,
                       std::string_view last_separator) {
  std::vector<std::string> words;
  for (int i = 0; i < type.value_count(); ++i) {
    int number = type.value(i)->number();
    if (mask & Bit(number)) words.emplace_back(CodeLabel(type, number));
  }
  return JoinWords(words, last_separator);
}

namespace {

// Whether some single child can satisfy both age predicates.
bool AgesIntersect(const AgePredicate& a, const AgePredicate& b) {
  if (a.unborn != b.unborn) return false;
  if (a.unborn) return true;
  return std::max(a.min_months, b.min_months) <= std::min(a.max_months, b.max_months);
}

bool AgeSatisfiable(const AgePredicate& a) {
  return a.unborn || (a.min_months <= a.max_months && a.max_months >= 0);
}

bool RangesMeet(int32_t min_a, int32_t max_a, int32_t min_b, int32_t max_b) {
  return std::max(min_a, min_b) <= std::min(max_a, max_b);
}

bool FlagsMeet(int8_t a, int8_t b) { return a < 0 || b < 0 || a == b; }

uint64_t AllValues(const google::protobuf::EnumDescriptor& type) {
  uint64_t mask = 0;
  for (int i = 0; i < type.value_count(); ++i) mask |= Bit(type.value(i)->number());
  return mask;
}

}  // namespace

bool CanBothMatch(const Constraints& a, const Constraints& b) {
  // Concerns: a set C of at least one concern with C ⊇ all, C ∩ none = ∅,
  // C ⊆ only, and C meeting each any-of list. Any concern allowed may be
  // added freely, so it is enough that `all` fits and each any-of list has
  // an allowed member.
  static const uint64_t kConcerns = AllValues(*v1::Concern::Code_descriptor());
  uint64_t allowed =
      a.concerns_only & b.concerns_only & ~(a.concerns_none | b.concerns_none) & kConcerns;
  uint64_t all = a.concerns_all | b.concerns_all;
  if ((all & ~allowed) != 0 || allowed == 0) return false;
  if (a.concerns_any != 0 && (a.concerns_any & allowed) == 0) return false;
  if (b.concerns_any != 0 && (b.concerns_any & allowed) == 0) return false;

  if (!FlagsMeet(a.immediate_risk, b.immediate_risk)) return false;
  if (!FlagsMeet(a.open_case, b.open_case)) return false;
  if (!FlagsMeet(a.out_of_hours, b.out_of_hours)) return false;
  static const uint64_t kConsents = AllValues(*v1::ConsentStatus::Code_descriptor());
  static const uint64_t kSources = AllValues(*v1::Source::Code_descriptor());
  static const uint64_t kChannels = AllValues(*v1::Channel::Code_descriptor());
  if ((a.consent & b.consent & kConsents) == 0) return false;
  if ((a.source & b.source & kSources) == 0) return false;
  if ((a.channel & b.channel & kChannels) == 0) return false;
  if (!RangesMeet(a.contacts_min, a.contacts_max, b.contacts_min, b.contacts_max)) return false;
  if (!RangesMeet(a.referrals_min, a.referrals_max, b.referrals_min, b.referrals_max)) {
    return false;
  }

  // Age conditions ask for "some child" in range, so two different ones can
  // both hold when the contact is about two or more children.
  int32_t children_needed = 1;
  if (a.age.given && !AgeSatisfiable(a.age)) return false;
  if (b.age.given && !AgeSatisfiable(b.age)) return false;
  if (a.age.given && b.age.given && !AgesIntersect(a.age, b.age)) children_needed = 2;
  int32_t lo = std::max({a.children_min, b.children_min, children_needed});
  int32_t hi = std::min(a.children_max, b.children_max);
  return lo <= hi;
}

std::string Quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

}  // namespace internal

namespace {

using internal::Bit;
using internal::Check;
using internal::CheckKind;
using internal::CompiledRule;
using internal::CompiledTable;
using internal::Constraints;
using internal::kNoMax;
using internal::kNoMin;
using internal::MaskLabels;

constexpr char kDays[7][10] = {"SUNDAY",   "MONDAY", "TUESDAY", "WEDNESDAY",
                               "THURSDAY", "FRIDAY", "SATURDAY"};

using internal::Quote;

std::string ParentPath(const std::string& path) {
  if (path.empty()) return path;
  if (path.back() == ']') {
    size_t open = path.rfind('[');
    return open == std::string::npos ? std::string() : path.substr(0, open);
  }
  size_t dot = path.rfind('.');
  return dot == std::string::npos ? std::string() : path.substr(0, dot);
}

std::string Join(const std::string& path, std::string_view key) {
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

  // Also reports keys given twice in one object and keys that are not
  // plain names, which the reader would otherwise let through silently.
  void Build(const YAML::Node& node, const std::string& path,
             const std::function<void(const std::string&, int, std::string)>& error) {
    YamlNode adapter(node);
    Node& info = nodes_[path];
    info.line = adapter.Line();
    if (node.IsScalar()) {
      info.scalar = true;
      info.text = node.Scalar();
    } else if (node.IsMap()) {
      std::map<std::string, int> seen;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          error(path, YamlNode(entry.first).Line(), "keys must be plain names");
          continue;
        }
        const std::string& key = entry.first.Scalar();
        int key_line = YamlNode(entry.first).Line();
        auto [it, inserted] = seen.emplace(key, key_line);
        if (!inserted) {
          error(Join(path, key), key_line,
                "is given twice in the same object (first on line " + std::to_string(it->second) +
                    ")");
          continue;
        }
        Build(entry.second, Join(path, key), error);
        // An empty value's mark points past it; the key's line is clearer.
        if (entry.second.IsNull()) nodes_[Join(path, key)].line = key_line;
      }
    } else if (node.IsSequence()) {
      size_t i = 0;
      for (const auto& element : node) {
        Build(element, path + "[" + std::to_string(i++) + "]", error);
      }
    }
  }

  // The line of `path`, or of its nearest ancestor in the document.
  int LineOf(std::string path) const {
    while (true) {
      auto it = nodes_.find(path);
      if (it != nodes_.end() && it->second.line > 0) return it->second.line;
      if (path.empty()) return 0;
      path = ParentPath(path);
    }
  }

  const Node* Find(const std::string& path) const {
    auto it = nodes_.find(path);
    return it == nodes_.end() ? nullptr : &it->second;
  }

 private:
  std::unordered_map<std::string, Node> nodes_;
};

// "HH:MM" to minutes after midnight.
std::optional<int> ParseClock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  auto digit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (!digit(0) || !digit(1) || !digit(3) || !digit(4)) return std::nullopt;
  int h = (text[0] - '0') * 10 + (text[1] - '0');
  int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::string RangeWords(int32_t min, int32_t max) {
  if (min == kNoMin && max == kNoMax) return "any number";
  if (min == kNoMin) return max == 0 ? "none" : std::to_string(max) + " or fewer";
  if (max == kNoMax) return std::to_string(min) + " or more";
  if (min == max) return "exactly " + std::to_string(min);
  return std::to_string(min) + " to " + std::to_string(max);
}

class Loader {
 public:
  // `stored_templates`, when given, holds the letter templates by the path
  // the policy names them with, instead of files under `base_dir`.
  Loader(std::string file, std::filesystem::path base_dir, std::vector<PolicyError>& errors,
         const std::map<std::string, std::string>* stored_templates = nullptr)
      : file_(std::move(file)),
        base_dir_(std::move(base_dir)),
        errors_(errors),
        stored_templates_(stored_templates) {}

  // Reads, checks and compiles. Returns false when any problem was found.
  bool Load(std::string_view text, v1::Policy& spec, internal::CompiledPolicy& compiled,
            std::string& hash_input) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      errors_.push_back(PolicyError{file_, e.mark.is_null() ? 0 : e.mark.line + 1, "", e.msg});
      return false;
    }
    if (!root.IsDefined() || root.IsNull()) {
      errors_.push_back(PolicyError{file_, 0, "", "the policy file is empty"});
      return false;
    }
    if (!YamlWithinLimits(root)) {
      errors_.push_back(PolicyError{file_, 0, "", kYamlTooLarge});
      return false;
    }
    if (!root.IsMap()) {
      errors_.push_back(PolicyError{file_, YamlNode(root).Line(), "",
                                    "must be an object of policy fields (label, tables, ...)"});
      return false;
    }
    index_.Build(root, "", [&](const std::string& path, int line, std::string message) {
      errors_.push_back(PolicyError{file_, line, path, std::move(message)});
      schema_error_paths_.push_back(path);
    });
    std::vector<FieldError> field_errors;
    TreeReader<YamlNode>(&field_errors).ReadMessage(YamlNode(root), &spec);
    for (FieldError& e : field_errors) {
      std::string message = std::move(e.message);
      // The reader names the field; add the value it could not take.
      if (message.starts_with("must be")) {
        if (const SourceIndex::Node* node = index_.Find(e.field); node && node->scalar) {
          message += ", not " + Quote(node->text);
        }
      }
      errors_.push_back(PolicyError{file_, e.line, e.field, std::move(message)});
      schema_error_paths_.push_back(e.field);
    }

    CheckPolicyLevel(spec, compiled);
    CompileTables(spec, compiled);
    LoadLetters(spec, compiled);

    hash_input.assign(text);
    for (const auto& [name, body] : compiled.letters) {
      hash_input += '\0';
      hash_input += name;
      hash_input += '\0';
      hash_input += body;
    }
    return errors_.empty();
  }

 private:
  void Error(const std::string& path, std::string message) {
    for (const std::string& bad : schema_error_paths_) {
      if (path == bad || (path.starts_with(bad) && bad.size() < path.size() &&
                          (path[bad.size()] == '.' || path[bad.size()] == '['))) {
        return;
      }
    }
    errors_.push_back(PolicyError{file_, index_.LineOf(path), path, std::move(message)});
  }

  void CheckTimescale(const v1::TimescaleSpec& spec, const std::string& path) {
    int32_t length = 0;
    switch (spec.length_case()) {
      case v1::TimescaleSpec::kHours: length = spec.hours(); break;
      case v1::TimescaleSpec::kWorkingHours: length = spec.working_hours(); break;
      case v1::TimescaleSpec::kWorkingDays: length = spec.working_days(); break;
      case v1::TimescaleSpec::LENGTH_NOT_SET:
        Error(path, "gives no length: give one of hours, working_hours or working_days");
        return;
    }
    if (length <= 0) {
      std::string field =
          path + "." +
          std::string(spec.GetDescriptor()->FindFieldByNumber(spec.length_case())->name());
      Error(field,
            std::to_string(length) + " is not a length of time: give a whole number above 0");
    }
  }

  void CheckTimescales(const v1::Timescales& t, const std::string& path) {
    const auto* descriptor = t.GetDescriptor();
    const auto* reflection = t.GetReflection();
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const auto* field = descriptor->field(i);
      if (!reflection->HasField(t, field)) continue;
      CheckTimescale(static_cast<const v1::TimescaleSpec&>(reflection->GetMessage(t, field)),
                     Join(path, field->name()));
    }
  }

  void CheckPolicyLevel(const v1::Policy& spec, internal::CompiledPolicy& compiled) {
    if (spec.label().empty()) {
      Error("label",
            "is required: the partnership's name for this policy, e.g. "
            "\"Continuum of need 2026\", which every recommendation records");
    }
    CheckTimescales(spec.timescales(), "timescales");
    compiled.timescales = spec.timescales();
    if (!compiled.timescales.has_decision()) compiled.timescales.mutable_decision()->set_hours(24);
    if (!compiled.timescales.has_mash()) compiled.timescales.mutable_mash()->set_hours(72);

    const v1::OfficeHours& hours = spec.office_hours();
    std::optional<int> opens = 9 * 60, closes = 17 * 60;
    if (!hours.opens().empty()) {
      opens = ParseClock(hours.opens());
      if (!opens)
        Error("office_hours.opens",
              Quote(hours.opens()) + " is not a time: write HH:MM, e.g. 09:00");
    }
    if (!hours.closes().empty()) {
      closes = ParseClock(hours.closes());
      if (!closes)
        Error("office_hours.closes",
              Quote(hours.closes()) + " is not a time: write HH:MM, e.g. 17:00");
    }
    if (opens && closes && *opens >= *closes) {
      Error("office_hours.closes", Quote(hours.closes()) + " is not after opening time " +
                                       Quote(hours.opens().empty() ? "09:00" : hours.opens()));
    }
    std::set<int> days;
    for (int i = 0; i < hours.days_size(); ++i) {
      std::string upper = hours.days(i);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      int found = -1;
      for (int d = 0; d < 7; ++d) {
        if (upper == kDays[d]) found = d;
      }
      std::string path = "office_hours.days[" + std::to_string(i) + "]";
      if (found < 0) {
        Error(path, Quote(hours.days(i)) + " is not a day: write MONDAY to SUNDAY");
      } else if (!days.insert(found).second) {
        Error(path, Quote(hours.days(i)) + " is given twice");
      }
    }

    for (const auto& [name, group] : spec.concern_groups()) {
      std::string path = "concern_groups." + name;
      if (group.label().empty()) {
        Error(path + ".label",
              "is required: the words reasons use for the group, e.g. "
              "\"significant harm\"");
      }
      if (group.concerns().empty()) Error(path + ".concerns", "must list at least one concern");
      for (int i = 0; i < group.concerns_size(); ++i) {
        if (group.concerns(i) == 0) {
          Error(path + ".concerns[" + std::to_string(i) + "]",
                "CONCERN_UNSPECIFIED is not a concern");
        }
      }
    }
    for (const auto& [name, signpost] : spec.signposts()) {
      if (signpost.service().empty()) {
        Error("signposts." + name + ".service", "is required: the service's name");
      }
      if (signpost.how_to_reach().empty()) {
        Error("signposts." + name + ".how_to_reach",
              "is required: how a family reaches the service (phone, web or address)");
      }
    }
  }

  // A repeated code list to bits; the zero value is never a valid code.
  template <typename Repeated>
  uint64_t CodeMask(const Repeated& values, const std::string& path,
                    const google::protobuf::EnumDescriptor& type) {
    uint64_t mask = 0;
    for (int i = 0; i < values.size(); ++i) {
      int v = values.Get(i);
      if (v == 0) {
        Error(path + "[" + std::to_string(i) + "]",
              std::string(CodeName(type, 0)) + " is not one of " + AcceptedEnumNames(type));
      }
      mask |= Bit(v);
    }
    return mask;
  }

  const v1::ConcernGroup* Group(const v1::Policy& spec, const std::string& name,
                                const std::string& path) {
    auto it = spec.concern_groups().find(name);
    if (it != spec.concern_groups().end()) return &it->second;
    std::vector<std::string> names;
    for (const auto& entry : spec.concern_groups()) names.push_back(entry.first);
    std::sort(names.begin(), names.end());
    Error(path, Quote(name) + " is not a concern group" +
                    (names.empty() ? std::string(": the policy defines none")
                                   : "; the groups are " + internal::JoinWords(names, "and")));
    return nullptr;
  }

  void AddRange(std::vector<Check>& checks, CheckKind kind, const v1::IntRange& range,
                const std::string& path, std::string condition, int32_t floor, int32_t& out_min,
                int32_t& out_max) {
    Check check;
    check.kind = kind;
    check.condition = std::move(condition);
    if (range.has_min()) {
      check.min = range.min();
      if (range.min() < floor) {
        Error(path + ".min", std::to_string(range.min()) + " is below " + std::to_string(floor));
      }
    }
    if (range.has_max()) {
      check.max = range.max();
      if (range.max() < floor) {
        Error(path + ".max", std::to_string(range.max()) + " is below " + std::to_string(floor));
      }
    }
    if (!range.has_min() && !range.has_max()) {
      Error(path, "gives neither min nor max");
      return;
    }
    if (range.has_min() && range.has_max() && range.min() > range.max()) {
      Error(path,
            "min " + std::to_string(range.min()) + " is above max " + std::to_string(range.max()));
    }
    check.expected = RangeWords(check.min, check.max);
    out_min = std::max(out_min, check.min);
    out_max = std::min(out_max, check.max);
    checks.push_back(std::move(check));
  }

  void CompileCondition(const v1::Policy& spec, const v1::Condition& when, const std::string& path,
                        CompiledRule& out) {
    Constraints& c = out.constraints;
    std::vector<Check>& checks = out.checks;
    const auto& concern_type = *v1::Concern::Code_descriptor();

    if (when.has_concerns()) {
      const v1::ConcernCondition& cc = when.concerns();
      std::string cpath = path + ".concerns";
      auto concern_check = [&](CheckKind kind, const auto& list, const char* field,
                               const std::string& group_name, const char* group_field,
                               std::string condition, std::string_view last) {
        uint64_t mask = CodeMask(list, cpath + "." + field, concern_type);
        const v1::ConcernGroup* group = nullptr;
        if (!group_name.empty()) {
          group = Group(spec, group_name, cpath + "." + group_field);
          if (group)
            mask |= CodeMask(group->concerns(), "concern_groups." + group_name + ".concerns",
                             concern_type);
        }
        if (mask == 0) return uint64_t{0};
        Check check;
        check.kind = kind;
        check.mask = mask;
        check.condition = std::move(condition);
        check.expected = MaskLabels(mask, concern_type, last);
        if (group) {
          check.group_label = group->label();
          check.expected = group->label() + ": " + check.expected;
        }
        checks.push_back(std::move(check));
        return mask;
      };
      c.concerns_any =
          concern_check(CheckKind::kConcernsAnyOf, cc.any_of(), "any_of", cc.any_of_group(),
                        "any_of_group", "Concerns raised include at least one of", "or");
      c.concerns_all = concern_check(CheckKind::kConcernsAllOf, cc.all_of(), "all_of", "", "",
                                     "Concerns raised include all of", "and");
      c.concerns_none =
          concern_check(CheckKind::kConcernsNoneOf, cc.none_of(), "none_of", cc.none_of_group(),
                        "none_of_group", "Concerns raised include none of", "or");
      uint64_t only = concern_check(CheckKind::kConcernsOnlyFrom, cc.only_from(), "only_from",
                                    cc.only_from_group(), "only_from_group",
                                    "Every concern raised is one of", "or");
      if (only != 0) c.concerns_only = only;
    }
    // A yes-or-no condition: the check, and the compiled value it must have.
    auto yes_no = [&](CheckKind kind, bool value, const char* condition, auto& compiled) {
      Check check;
      check.kind = kind;
      check.flag = value;
      check.condition = condition;
      check.expected = value ? "yes" : "no";
      compiled = value ? 1 : 0;
      checks.push_back(std::move(check));
    };
    if (when.has_immediate_risk()) {
      yes_no(CheckKind::kImmediateRisk, when.immediate_risk(),
             "A child is said to be at immediate risk of significant harm", c.immediate_risk);
    }
    auto code_list = [&](CheckKind kind, const auto& list, const char* field,
                         const google::protobuf::EnumDescriptor& type, std::string condition,
                         uint64_t& out_mask) {
      if (list.empty()) return;
      Check check;
      check.kind = kind;
      check.mask = CodeMask(list, path + "." + field, type);
      check.condition = std::move(condition);
      check.expected = MaskLabels(check.mask, type, "or");
      out_mask = check.mask;
      checks.push_back(std::move(check));
    };
    code_list(CheckKind::kConsent, when.consent(), "consent", *v1::ConsentStatus::Code_descriptor(),
              "Consent", c.consent);
    code_list(CheckKind::kSource, when.source(), "source", *v1::Source::Code_descriptor(),
              "Who made the contact", c.source);
    code_list(CheckKind::kChannel, when.channel(), "channel", *v1::Channel::Code_descriptor(),
              "How the contact arrived", c.channel);

    if (when.has_child_age()) CompileAge(when.child_age(), path + ".child_age", out);
    if (when.has_children()) {
      AddRange(checks, CheckKind::kChildren, when.children(), path + ".children",
               "Number of children", 1, c.children_min, c.children_max);
    }
    if (when.has_contacts_12m()) {
      AddRange(checks, CheckKind::kContacts12m, when.contacts_12m(), path + ".contacts_12m",
               "Earlier contacts about the children in the last 12 months", 0, c.contacts_min,
               c.contacts_max);
    }
    if (when.has_referrals_12m()) {
      AddRange(checks, CheckKind::kReferrals12m, when.referrals_12m(), path + ".referrals_12m",
               "Earlier referrals about the children in the last 12 months", 0, c.referrals_min,
               c.referrals_max);
    }
    if (when.has_open_case()) {
      yes_no(CheckKind::kOpenCase, when.open_case(),
             "A child has a case open with children's social care", c.open_case);
    }
    if (when.has_out_of_hours()) {
      yes_no(CheckKind::kOutOfHours, when.out_of_hours(), "Arrived outside office hours",
             c.out_of_hours);
    }
    // The order a person would say them in, which is also the order of the
    // generated reason: "Consent was refused, no child is said to be at
    // immediate risk and nothing raised suggests significant harm."
    auto rank = [](CheckKind kind) {
      switch (kind) {
        case CheckKind::kConsent: return 0;
        case CheckKind::kSource: return 1;
        case CheckKind::kChannel: return 2;
        case CheckKind::kImmediateRisk: return 3;
        case CheckKind::kChildAge: return 4;
        case CheckKind::kChildren: return 5;
        case CheckKind::kConcernsAnyOf: return 6;
        case CheckKind::kConcernsAllOf: return 7;
        case CheckKind::kConcernsOnlyFrom: return 8;
        case CheckKind::kConcernsNoneOf: return 9;
        case CheckKind::kContacts12m: return 10;
        case CheckKind::kReferrals12m: return 11;
        case CheckKind::kOpenCase: return 12;
        case CheckKind::kOutOfHours: return 13;
      }
      return 14;
    };
    std::stable_sort(checks.begin(), checks.end(),
                     [&](const Check& a, const Check& b) { return rank(a.kind) < rank(b.kind); });
  }

  void CompileAge(const v1::AgeCondition& age, const std::string& path, CompiledRule& out) {
    bool has_bounds =
        age.has_min_months() || age.has_max_months() || age.has_min_years() || age.has_max_years();
    if (!has_bounds && !age.has_unborn()) {
      Error(path, "gives no ages: give min_months, max_months, min_years, max_years or unborn");
      return;
    }
    if (age.has_min_months() && age.has_min_years()) {
      Error(path + ".min_years", "cannot be given together with min_months");
    }
    if (age.has_max_months() && age.has_max_years()) {
      Error(path + ".max_years", "cannot be given together with max_months");
    }
    if (age.has_unborn() && age.unborn() && has_bounds) {
      Error(path + ".unborn", "true cannot be given with ages: an unborn child has no age");
    }
    auto non_negative = [&](bool has, int32_t v, const char* field) {
      if (has && v < 0) Error(path + "." + field, std::to_string(v) + " is below 0");
    };
    non_negative(age.has_min_months(), age.min_months(), "min_months");
    non_negative(age.has_max_months(), age.max_months(), "max_months");
    non_negative(age.has_min_years(), age.min_years(), "min_years");
    non_negative(age.has_max_years(), age.max_years(), "max_years");

    Check check;
    check.kind = CheckKind::kChildAge;
    check.condition = "Age of at least one child";
    internal::AgePredicate& p = out.constraints.age;
    p.given = true;
    if (age.has_unborn() && age.unborn()) {
      check.unborn = 1;
      p.unborn = true;
      check.expected = "unborn";
      out.checks.push_back(std::move(check));
      return;
    }
    check.unborn = 0;
    int32_t min = 0, max = kNoMax;
    bool min_years = age.has_min_years(), max_years = age.has_max_years();
    if (age.has_min_months()) min = age.min_months();
    if (min_years) min = age.min_years() * 12;
    if (age.has_max_months()) max = age.max_months();
    // "At most 2 years" includes every child who has not yet turned 3.
    if (max_years) max = age.max_years() * 12 + 11;
    if (min > max) {
      Error(path, "the youngest age allowed is above the oldest, so no child can match");
    }
    check.min = min;
    check.max = max;
    p.min_months = min;
    p.max_months = max;
    bool any_min = age.has_min_months() || min_years;
    bool any_max = age.has_max_months() || max_years;
    // Words in the units the policy was written in, when they agree.
    bool years = (!any_min || min_years) && (!any_max || max_years);
    check.years = years;
    auto months_or_years = [&](int32_t months) {
      return years ? std::to_string(months / 12) : std::to_string(months) + " months";
    };
    if (!any_min && !any_max) {
      check.expected = "born (any age)";
    } else if (!any_min) {
      check.expected = years ? "under " + std::to_string(age.max_years() + 1)
                             : "under " + std::to_string(max + 1) + " months";
    } else if (!any_max) {
      check.expected = months_or_years(min) + " or over";
    } else {
      check.expected = years ? std::to_string(min / 12) + " to " + std::to_string(max / 12)
                             : std::to_string(min) + " to " + std::to_string(max) + " months";
    }
    out.checks.push_back(std::move(check));
  }

  void CompileTables(const v1::Policy& spec, internal::CompiledPolicy& compiled) {
    if (spec.tables().empty()) {
      Error("tables", "must list at least one decision table");
    }
    std::map<std::string, std::string> rule_ids;  // id -> path
    for (int t = 0; t < spec.tables_size(); ++t) {
      const v1::DecisionTable& table = spec.tables(t);
      std::string tpath = "tables[" + std::to_string(t) + "]";
      CompiledTable& ct = compiled.tables.emplace_back();
      ct.table = &table;
      if (table.name().empty()) Error(tpath + ".name", "is required: a name for the table");
      if (table.hit_policy() == v1::HitPolicy::HIT_POLICY_UNSPECIFIED) {
        Error(tpath + ".hit_policy", "is required: UNIQUE, FIRST or PRIORITY");
      }
      if (table.rules().empty()) Error(tpath + ".rules", "must list at least one rule");
      for (int r = 0; r < table.rules_size(); ++r) {
        const v1::Rule& rule = table.rules(r);
        std::string rpath = tpath + ".rules[" + std::to_string(r) + "]";
        CompiledRule& cr = ct.rules.emplace_back();
        cr.rule = &rule;
        cr.path = rpath;
        cr.line = index_.LineOf(rpath);
        if (rule.id().empty()) {
          Error(rpath + ".id", "is required: a short name that decisions record");
        } else if (auto [it, inserted] = rule_ids.emplace(rule.id(), rpath); !inserted) {
          Error(rpath + ".id", Quote(rule.id()) + " is already the id of " + it->second +
                                   " (line " + std::to_string(index_.LineOf(it->second)) + ")");
        }
        CompileCondition(spec, rule.when(), rpath + ".when", cr);
        CompileOutcome(spec, rule.then(), rpath + ".then", compiled, cr);
        if (!internal::CanBothMatch(cr.constraints, cr.constraints)) {
          Error(rpath + ".when", "rule " + Quote(rule.id()) +
                                     " can never match: its conditions contradict each other");
        }
      }
      ct.order.resize(ct.rules.size());
      for (uint32_t i = 0; i < ct.order.size(); ++i) ct.order[i] = i;
      if (table.hit_policy() == v1::HitPolicy::PRIORITY) {
        std::stable_sort(ct.order.begin(), ct.order.end(), [&](uint32_t a, uint32_t b) {
          return table.rules(static_cast<int>(a)).priority() >
                 table.rules(static_cast<int>(b)).priority();
        });
      }
      CheckOverlaps(ct);
    }
  }

  void CheckOverlaps(const CompiledTable& ct) {
    const v1::HitPolicy::Code hit = ct.table->hit_policy();
    if (hit != v1::HitPolicy::UNIQUE && hit != v1::HitPolicy::PRIORITY) return;
    for (size_t i = 0; i < ct.rules.size(); ++i) {
      for (size_t j = i + 1; j < ct.rules.size(); ++j) {
        const CompiledRule& a = ct.rules[i];
        const CompiledRule& b = ct.rules[j];
        if (hit == v1::HitPolicy::PRIORITY && a.rule->priority() != b.rule->priority()) continue;
        if (!internal::CanBothMatch(a.constraints, b.constraints)) continue;
        std::string both = "rules " + Quote(a.rule->id()) + " (line " + std::to_string(a.line) +
                           ") and " + Quote(b.rule->id()) + " (line " + std::to_string(b.line) +
                           ") can both match the same contact";
        if (hit == v1::HitPolicy::UNIQUE) {
          Error(b.path, both +
                            ", which a UNIQUE table does not allow: narrow one of them, "
                            "or make the table FIRST or PRIORITY");
        } else {
          Error(b.path + ".priority", both + " and have the same priority " +
                                          std::to_string(a.rule->priority()) +
                                          ": give one of them a higher priority");
        }
      }
    }
  }

  void CompileOutcome(const v1::Policy& spec, const v1::RuleOutcome& then, const std::string& path,
                      const internal::CompiledPolicy& compiled, CompiledRule& cr) {
    if (then.route() == v1::Route::ROUTE_UNSPECIFIED) {
      Error(path + ".route",
            "is required: one of " + AcceptedEnumNames(*v1::Route::Code_descriptor()));
    }
    if (then.level() < 1 || then.level() > 4) {
      Error(path + ".level", std::to_string(then.level()) +
                                 " is not a level of need: give 1 (universal), 2 (early help), "
                                 "3 (targeted) or 4 (statutory)");
    }
    for (int i = 0; i < then.reasons_size(); ++i) {
      if (then.reasons(i).empty()) {
        Error(path + ".reasons[" + std::to_string(i) + "]", "is empty");
      }
    }
    if (!then.letter().empty() && !spec.letters().contains(then.letter())) {
      Error(path + ".letter", Quote(then.letter()) + " is not a letter in the policy's letters");
    }
    for (int i = 0; i < then.signposts_size(); ++i) {
      auto it = spec.signposts().find(then.signposts(i));
      if (it == spec.signposts().end()) {
        Error(path + ".signposts[" + std::to_string(i) + "]",
              Quote(then.signposts(i)) + " is not an entry of the policy's signposts");
      } else {
        cr.signposts.push_back(it->second);
      }
    }
    CheckTimescales(then.timescales(), path + ".timescales");
    cr.timescales = compiled.timescales;
    const auto* descriptor = then.timescales().GetDescriptor();
    const auto* reflection = then.timescales().GetReflection();
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const auto* field = descriptor->field(i);
      if (!reflection->HasField(then.timescales(), field)) continue;
      cr.timescales.GetReflection()
          ->MutableMessage(&cr.timescales, field)
          ->CopyFrom(reflection->GetMessage(then.timescales(), field));
    }
  }

  void LoadLetters(const v1::Policy& spec, internal::CompiledPolicy& compiled) {
    for (const char* required : {"acknowledgement", "outcome"}) {
      if (!spec.letters().contains(required)) {
        Error("letters", std::string("has no ") + Quote(required) +
                             " template: it is required (the letter sent when a contact is " +
                             (std::string_view(required) == "outcome" ? "closed)" : "accepted)"));
      }
    }
    std::vector<std::string> names;
    for (const auto& entry : spec.letters()) names.push_back(entry.first);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string& relative = spec.letters().at(name);
      std::string path = "letters." + name;
      if (relative.empty()) {
        Error(path, "is empty: give the template's file, relative to the policy file");
        continue;
      }
      std::string body;
      if (stored_templates_ != nullptr) {
        auto stored = stored_templates_->find(relative);
        if (stored == stored_templates_->end()) {
          Error(path, "the stored policy has no template " + Quote(relative));
          continue;
        }
        body = stored->second;
      } else {
        std::filesystem::path file = base_dir_ / relative;
        std::ifstream in(file, std::ios::binary);
        std::stringstream text;
        if (in) text << in.rdbuf();
        if (!in || in.bad()) {
          Error(path, "cannot read the template " + Quote(file.string()));
          continue;
        }
        body = text.str();
      }
      for (const internal::TemplateProblem& p : internal::CheckLetterTemplate(body)) {
        Error(path, relative + ":" + std::to_string(p.line) + ": " + p.message);
      }
      compiled.letters.emplace(name, std::move(body));
    }
  }

  const std::string file_;
  const std::filesystem::path base_dir_;
  std::vector<PolicyError>& errors_;
  const std::map<std::string, std::string>* const stored_templates_;
  SourceIndex index_;
  // Problems a reader error already explains are not repeated.
  std::vector<std::string> schema_error_paths_;
};

absl::Status Failure(const std::string& file, const std::vector<PolicyError>& errors) {
  std::string message =
      file + ": " + std::to_string(errors.size()) + (errors.size() == 1 ? " problem" : " problems");
  if (!errors.empty()) message += "; the first: " + errors.front().ToString();
  return absl::InvalidArgumentError(message);
}

}  // namespace

std::string PolicyError::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!field.empty()) out += field + ": ";
  out += message;
  return out;
}

Policy::Policy() = default;
Policy::~Policy() = default;

absl::StatusOr<std::shared_ptr<const Policy>> Policy::LoadFile(const std::filesystem::path& path,
                                                               std::vector<PolicyError>* errors) {
  std::vector<PolicyError> local;
  std::vector<PolicyError>& out = errors ? *errors : local;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.push_back(PolicyError{path.string(), 0, "", "cannot read the policy file"});
    return absl::NotFoundError(path.string() + ": cannot read the policy file");
  }
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::path base = path.parent_path();
  if (base.empty()) base = ".";
  absl::StatusOr<std::shared_ptr<Policy>> policy = Build(text.str(), path.string(), base, &out);
  if (!policy.ok()) return policy.status();
  (*policy)->path_ = path;
  return std::shared_ptr<const Policy>(*std::move(policy));
}

absl::StatusOr<std::shared_ptr<const Policy>> Policy::LoadText(
    std::string_view text, const std::string& file_name, const std::filesystem::path& base_dir,
    std::vector<PolicyError>* errors) {
  absl::StatusOr<std::shared_ptr<Policy>> policy = Build(text, file_name, base_dir, errors);
  if (!policy.ok()) return policy.status();
  return std::shared_ptr<const Policy>(*std::move(policy));
}

absl::StatusOr<std::shared_ptr<const Policy>> Policy::LoadStored(
    std::string_view text, const std::map<std::string, std::string>& templates_by_path,
    const std::string& file_name, std::vector<PolicyError>* errors) {
  absl::StatusOr<std::shared_ptr<Policy>> policy =
      Build(text, file_name, std::filesystem::path(), errors, &templates_by_path);
  if (!policy.ok()) return policy.status();
  return std::shared_ptr<const Policy>(*std::move(policy));
}

std::map<std::string, std::string> Policy::TemplatesByPath() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, path] : spec_.letters()) {
    auto text = compiled_->letters.find(name);
    if (text != compiled_->letters.end()) out[path] = text->second;
  }
  return out;
}

absl::StatusOr<std::shared_ptr<Policy>> Policy::Build(
    std::string_view text, const std::string& file_name, const std::filesystem::path& base_dir,
    std::vector<PolicyError>* errors,
    const std::map<std::string, std::string>* stored_templates) {
  std::vector<PolicyError> local;
  std::vector<PolicyError>& out = errors ? *errors : local;
  size_t before = out.size();
  std::shared_ptr<Policy> policy(new Policy());
  auto compiled = std::make_unique<Compiled>();
  std::string hash_input;
  bool ok = false;
  try {
    ok = Loader(file_name, base_dir, out, stored_templates)
             .Load(text, policy->spec_, *compiled, hash_input);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's conversions throw; none should reach here, but a policy
    // file must never take the server down.
    out.push_back(PolicyError{file_name, e.mark.is_null() ? 0 : e.mark.line + 1, "", e.msg});
  }
  if (!ok || out.size() > before) {
    std::vector<PolicyError> mine(out.begin() + static_cast<std::ptrdiff_t>(before), out.end());
    return Failure(file_name, mine);
  }
  policy->text_.assign(text);
  policy->version_ = "sha256:" + Sha256Hex(hash_input).substr(0, 16);
  compiled->parsed_letters = internal::ParseLetters(compiled->letters);
  policy->compiled_ = std::move(compiled);
  return policy;
}

}  // namespace frontdoor::rules
