// Checking a policy for what its schema cannot say: a label, timescales
// with one length above 0, office hours that parse (with the calendar's own
// ParseClock and ParseWeekday, so a policy that checks is one the calendar
// can use), concern groups and signposts that are complete, tables and
// rules that name what they need, and rules that can match: one whose
// conditions contradict each other, or two in a UNIQUE table (or of equal
// priority in a PRIORITY table) that could both match the same contact, are
// refused. Whether two rules can meet is decided exactly, dimension by
// dimension, on their compiled constraints (CanBothMatch).
#include <algorithm>
#include <set>

#include "calendar/calendar.h"
#include "frontdoor/codes.h"
#include "rules/policy_stages.h"

namespace frontdoor::rules::internal {

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

constexpr int32_t kMaxTimescaleHours = 87'600;
constexpr int32_t kMaxTimescaleWorkingHours = 20'000;
constexpr int32_t kMaxTimescaleWorkingDays = 2'500;

bool FlagsMeet(int8_t a, int8_t b) { return a < 0 || b < 0 || a == b; }

uint64_t AllValues(const google::protobuf::EnumDescriptor& type) {
  uint64_t mask = 0;
  for (int i = 0; i < type.value_count(); ++i) mask |= Bit(type.value(i)->number());
  return mask;
}

void CheckTimescale(const v1::TimescaleSpec& spec, const std::string& path,
                    PolicyProblems& problems) {
  int32_t length = 0;
  switch (spec.length_case()) {
    case v1::TimescaleSpec::kHours:
      length = spec.hours();
      break;
    case v1::TimescaleSpec::kWorkingHours:
      length = spec.working_hours();
      break;
    case v1::TimescaleSpec::kWorkingDays:
      length = spec.working_days();
      break;
    case v1::TimescaleSpec::LENGTH_NOT_SET:
      problems.Error(path, "gives no length: give one of hours, working_hours or working_days");
      return;
  }
  std::string field =
      path + "." + std::string(spec.GetDescriptor()->FindFieldByNumber(spec.length_case())->name());
  if (length <= 0) {
    problems.Error(
        field, std::to_string(length) + " is not a length of time: give a whole number above 0");
    return;
  }
  // About ten years in each unit: no timescale is longer, and a bound keeps
  // every due time far inside the instants the store can hold.
  int32_t most = spec.length_case() == v1::TimescaleSpec::kHours          ? kMaxTimescaleHours
                 : spec.length_case() == v1::TimescaleSpec::kWorkingHours ? kMaxTimescaleWorkingHours
                                                                          : kMaxTimescaleWorkingDays;
  if (length > most) {
    problems.Error(field, std::to_string(length) + " is too long: give at most " +
                              std::to_string(most) + " (about ten years)");
  }
}

void CheckOfficeHours(const v1::OfficeHours& hours, PolicyProblems& problems) {
  std::optional<std::chrono::minutes> opens = std::chrono::hours(9);
  std::optional<std::chrono::minutes> closes = std::chrono::hours(17);
  if (!hours.opens().empty()) {
    opens = ParseClock(hours.opens());
    if (!opens) {
      problems.Error("office_hours.opens",
                     Quote(hours.opens()) + " is not a time: write HH:MM, e.g. 09:00");
    }
  }
  if (!hours.closes().empty()) {
    closes = ParseClock(hours.closes());
    if (!closes) {
      problems.Error("office_hours.closes",
                     Quote(hours.closes()) + " is not a time: write HH:MM, e.g. 17:00");
    }
  }
  if (opens && closes && *opens >= *closes) {
    problems.Error("office_hours.closes",
                   Quote(hours.closes()) + " is not after opening time " +
                       Quote(hours.opens().empty() ? "09:00" : hours.opens()));
  }
  std::set<unsigned> days;
  for (int i = 0; i < hours.days_size(); ++i) {
    std::optional<std::chrono::weekday> day = ParseWeekday(hours.days(i));
    std::string path = "office_hours.days[" + std::to_string(i) + "]";
    if (!day) {
      problems.Error(path, Quote(hours.days(i)) + " is not a day: write MONDAY to SUNDAY");
    } else if (!days.insert(day->c_encoding()).second) {
      problems.Error(path, Quote(hours.days(i)) + " is given twice");
    }
  }
}

// Management oversight: each route listed once, and a real route.
void CheckAuthorisation(const v1::AuthorisationPolicy& a, PolicyProblems& problems) {
  std::set<int> seen;
  for (int i = 0; i < a.routes_size(); ++i) {
    std::string path = "authorisation.routes[" + std::to_string(i) + "]";
    if (a.routes(i) == v1::Route::ROUTE_UNSPECIFIED) {
      problems.Error(path, "ROUTE_UNSPECIFIED is not a route: name one of " +
                               AcceptedEnumNames(*v1::Route::Code_descriptor()));
    } else if (!seen.insert(a.routes(i)).second) {
      problems.Error(path, Quote(std::string(NameOf(a.routes(i)))) + " is listed twice");
    }
  }
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

void CheckTimescales(const v1::Timescales& t, const std::string& path, PolicyProblems& problems) {
  const auto* descriptor = t.GetDescriptor();
  const auto* reflection = t.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    // warn_before_minutes is a number, not a timescale.
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (!reflection->HasField(t, field)) continue;
    CheckTimescale(static_cast<const v1::TimescaleSpec&>(reflection->GetMessage(t, field)),
                   JoinPath(path, field->name()), problems);
  }
  // Up to a week before: a longer warning would mark every open step.
  if (t.has_warn_before_minutes() &&
      (t.warn_before_minutes() < 0 || t.warn_before_minutes() > 7 * 24 * 60)) {
    problems.Error(
        JoinPath(path, "warn_before_minutes"),
        "must be 0 to 10080 minutes (a week), not " + std::to_string(t.warn_before_minutes()));
  }
}

void CheckPolicyFields(const v1::Policy& spec, PolicyProblems& problems) {
  if (spec.label().empty()) {
    problems.Error("label",
                   "is required: the partnership's name for this policy, e.g. "
                   "\"Continuum of need 2026\", which every recommendation records");
  }
  CheckTimescales(spec.timescales(), "timescales", problems);
  CheckOfficeHours(spec.office_hours(), problems);
  CheckAuthorisation(spec.authorisation(), problems);
  for (const auto& [name, group] : spec.concern_groups()) {
    std::string path = "concern_groups." + name;
    if (group.label().empty()) {
      problems.Error(path + ".label",
                     "is required: the words reasons use for the group, e.g. "
                     "\"significant harm\"");
    }
    if (group.concerns().empty()) {
      problems.Error(path + ".concerns", "must list at least one concern");
    }
    for (int i = 0; i < group.concerns_size(); ++i) {
      if (group.concerns(i) == 0) {
        problems.Error(path + ".concerns[" + std::to_string(i) + "]",
                       "CONCERN_UNSPECIFIED is not a concern");
      }
    }
  }
  for (const auto& [name, signpost] : spec.signposts()) {
    if (signpost.service().empty()) {
      problems.Error("signposts." + name + ".service", "is required: the service's name");
    }
    if (signpost.how_to_reach().empty()) {
      problems.Error("signposts." + name + ".how_to_reach",
                     "is required: how a family reaches the service (phone, web or address)");
    }
  }
  if (spec.tables().empty()) problems.Error("tables", "must list at least one decision table");
}

void CheckTable(const v1::DecisionTable& table, const std::string& path, PolicyProblems& problems) {
  if (table.name().empty()) problems.Error(path + ".name", "is required: a name for the table");
  if (table.hit_policy() == v1::HitPolicy::HIT_POLICY_UNSPECIFIED) {
    problems.Error(path + ".hit_policy", "is required: UNIQUE, FIRST or PRIORITY");
  }
  if (table.rules().empty()) problems.Error(path + ".rules", "must list at least one rule");
}

void CheckRuleId(const v1::Rule& rule, const std::string& path,
                 std::map<std::string, std::string>& ids, PolicyProblems& problems) {
  if (rule.id().empty()) {
    problems.Error(path + ".id", "is required: a short name that decisions record");
  } else if (auto [it, inserted] = ids.emplace(rule.id(), path); !inserted) {
    problems.Error(path + ".id", Quote(rule.id()) + " is already the id of " + it->second +
                                     " (line " + std::to_string(problems.LineOf(it->second)) + ")");
  }
}

void CheckRuleOutcome(const v1::Policy& spec, const v1::RuleOutcome& then, const std::string& path,
                      PolicyProblems& problems) {
  if (then.route() == v1::Route::ROUTE_UNSPECIFIED) {
    problems.Error(path + ".route",
                   "is required: one of " + AcceptedEnumNames(*v1::Route::Code_descriptor()));
  }
  if (then.level() < 1 || then.level() > 4) {
    problems.Error(path + ".level", std::to_string(then.level()) +
                                        " is not a level of need: give 1 (universal), 2 (early "
                                        "help), 3 (targeted) or 4 (statutory)");
  }
  for (int i = 0; i < then.reasons_size(); ++i) {
    if (then.reasons(i).empty()) {
      problems.Error(path + ".reasons[" + std::to_string(i) + "]", "is empty");
    }
  }
  if (!then.letter().empty() && !spec.letters().contains(then.letter())) {
    problems.Error(path + ".letter",
                   Quote(then.letter()) + " is not a letter in the policy's letters");
  }
  for (int i = 0; i < then.signposts_size(); ++i) {
    if (!spec.signposts().contains(then.signposts(i))) {
      problems.Error(path + ".signposts[" + std::to_string(i) + "]",
                     Quote(then.signposts(i)) + " is not an entry of the policy's signposts");
    }
  }
  CheckTimescales(then.timescales(), path + ".timescales", problems);
}

void CheckRuleCanMatch(const CompiledRule& rule, PolicyProblems& problems) {
  if (!CanBothMatch(rule.constraints, rule.constraints)) {
    problems.Error(rule.path + ".when", "rule " + Quote(rule.rule->id()) +
                                            " can never match: its conditions contradict each "
                                            "other");
  }
}

void CheckOverlaps(const CompiledTable& ct, PolicyProblems& problems) {
  const v1::HitPolicy::Code hit = ct.table->hit_policy();
  if (hit != v1::HitPolicy::UNIQUE && hit != v1::HitPolicy::PRIORITY) return;
  for (size_t i = 0; i < ct.rules.size(); ++i) {
    for (size_t j = i + 1; j < ct.rules.size(); ++j) {
      const CompiledRule& a = ct.rules[i];
      const CompiledRule& b = ct.rules[j];
      if (hit == v1::HitPolicy::PRIORITY && a.rule->priority() != b.rule->priority()) continue;
      if (!CanBothMatch(a.constraints, b.constraints)) continue;
      std::string both = "rules " + Quote(a.rule->id()) + " (line " + std::to_string(a.line) +
                         ") and " + Quote(b.rule->id()) + " (line " + std::to_string(b.line) +
                         ") can both match the same contact";
      if (hit == v1::HitPolicy::UNIQUE) {
        problems.Error(b.path, both +
                                   ", which a UNIQUE table does not allow: narrow one of them, "
                                   "or make the table FIRST or PRIORITY");
      } else {
        problems.Error(b.path + ".priority", both + " and have the same priority " +
                                                 std::to_string(a.rule->priority()) +
                                                 ": give one of them a higher priority");
      }
    }
  }
}

}  // namespace frontdoor::rules::internal
