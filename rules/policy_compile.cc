// Compiling a policy's rules into the form evaluate.cc runs: each condition
// becomes a Check over bitmasks and integer ranges (ages in whole months),
// with the words an explanation needs written once here, and each rule gets
// its Constraints (for the overlap checks) and its timescales with the
// policy's defaults and the rule's overrides. Problems that only show while
// compiling (an unknown concern group, a range with min above max, ages
// given two ways) are reported here; the rest of the checking is in
// policy_check.cc, called at the same point of each table and rule so that
// problems come in the file's order.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "frontdoor/codes.h"
#include "rules/policy_stages.h"

namespace frontdoor::rules::internal {

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

std::string Quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

namespace {

std::string RangeWords(int32_t min, int32_t max) {
  if (min == kNoMin && max == kNoMax) return "any number";
  if (min == kNoMin) return max == 0 ? "none" : std::to_string(max) + " or fewer";
  if (max == kNoMax) return std::to_string(min) + " or more";
  if (min == max) return "exactly " + std::to_string(min);
  return std::to_string(min) + " to " + std::to_string(max);
}

// Compiles the tables of one policy, reporting to `problems`.
class RuleCompiler {
 public:
  RuleCompiler(const v1::Policy& spec, PolicyProblems& problems)
      : spec_(spec), problems_(problems) {}

  void CompileTables(CompiledPolicy& compiled) {
    std::map<std::string, std::string> rule_ids;  // id -> path
    for (int t = 0; t < spec_.tables_size(); ++t) {
      const v1::DecisionTable& table = spec_.tables(t);
      std::string tpath = "tables[" + std::to_string(t) + "]";
      CompiledTable& ct = compiled.tables.emplace_back();
      ct.table = &table;
      CheckTable(table, tpath, problems_);
      for (int r = 0; r < table.rules_size(); ++r) {
        const v1::Rule& rule = table.rules(r);
        std::string rpath = tpath + ".rules[" + std::to_string(r) + "]";
        CompiledRule& cr = ct.rules.emplace_back();
        cr.rule = &rule;
        cr.path = rpath;
        cr.line = problems_.LineOf(rpath);
        CheckRuleId(rule, rpath, rule_ids, problems_);
        CompileCondition(spec_, rule.when(), rpath + ".when", cr);
        CheckRuleOutcome(spec_, rule.then(), rpath + ".then", problems_);
        CompileOutcome(rule.then(), compiled, cr);
        CheckRuleCanMatch(cr, problems_);
      }
      ct.order.resize(ct.rules.size());
      for (uint32_t i = 0; i < ct.order.size(); ++i) ct.order[i] = i;
      if (table.hit_policy() == v1::HitPolicy::PRIORITY) {
        std::stable_sort(ct.order.begin(), ct.order.end(), [&](uint32_t a, uint32_t b) {
          return table.rules(static_cast<int>(a)).priority() >
                 table.rules(static_cast<int>(b)).priority();
        });
      }
      CheckOverlaps(ct, problems_);
    }
  }

 private:
  void Error(const std::string& path, std::string message) {
    problems_.Error(path, std::move(message));
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
        case CheckKind::kConsent:
          return 0;
        case CheckKind::kSource:
          return 1;
        case CheckKind::kChannel:
          return 2;
        case CheckKind::kImmediateRisk:
          return 3;
        case CheckKind::kChildAge:
          return 4;
        case CheckKind::kChildren:
          return 5;
        case CheckKind::kConcernsAnyOf:
          return 6;
        case CheckKind::kConcernsAllOf:
          return 7;
        case CheckKind::kConcernsOnlyFrom:
          return 8;
        case CheckKind::kConcernsNoneOf:
          return 9;
        case CheckKind::kContacts12m:
          return 10;
        case CheckKind::kReferrals12m:
          return 11;
        case CheckKind::kOpenCase:
          return 12;
        case CheckKind::kOutOfHours:
          return 13;
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

  // The signposts the rule names (those that exist: the others are checked)
  // and its timescales over the policy's.
  void CompileOutcome(const v1::RuleOutcome& then, const CompiledPolicy& compiled,
                      CompiledRule& cr) {
    for (const std::string& name : then.signposts()) {
      auto it = spec_.signposts().find(name);
      if (it != spec_.signposts().end()) cr.signposts.push_back(it->second);
    }
    // The rule's own timescales override the policy's: each length is a
    // oneof, so a merge replaces the whole timescale, never mixes two.
    cr.timescales = compiled.timescales;
    cr.timescales.MergeFrom(then.timescales());
  }

  const v1::Policy& spec_;
  PolicyProblems& problems_;
};

}  // namespace

void CompilePolicy(const v1::Policy& spec, CompiledPolicy& compiled, PolicyProblems& problems) {
  compiled.timescales = spec.timescales();
  if (!compiled.timescales.has_decision()) compiled.timescales.mutable_decision()->set_hours(24);
  if (!compiled.timescales.has_mash()) compiled.timescales.mutable_mash()->set_hours(72);
  if (!compiled.timescales.has_authorisation()) {
    compiled.timescales.mutable_authorisation()->set_working_hours(4);
  }
  RuleCompiler(spec, problems).CompileTables(compiled);
}

}  // namespace frontdoor::rules::internal
