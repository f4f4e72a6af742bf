// Evaluating a contact against a loaded policy, and explaining the result.
// The facts a rule may look at are gathered once into bitmasks and numbers;
// each rule is then a short run of comparisons (see policy_internal.h).
// Tables are tried in order and the first with a matching rule decides,
// that rule being chosen by the table's hit policy. With an explanation,
// every rule of every table tried is recorded with each condition, what it
// asks for and what the contact showed, so a manager can see both why the
// chosen rule fired and why the others did not.
#include <array>
#include <bit>
#include <cctype>
#include <optional>

#include "absl/container/inlined_vector.h"
#include "calendar/age.h"
#include "frontdoor/codes.h"
#include "rules/policy.h"
#include "rules/policy_internal.h"

namespace frontdoor::rules {

namespace {

using internal::Bit;
using internal::Check;
using internal::CheckKind;
using internal::CompiledRule;
using internal::CompiledTable;
using internal::kNoMax;
using internal::kNoMin;

struct ChildAge {
  enum class Kind : uint8_t { kUnknown, kUnborn, kBorn };
  Kind kind = Kind::kUnknown;
  int32_t months = 0;
  // Why the age is not known, for the explanation.
  const char* unknown_because = "";
};

// The facts as rules test them.
struct FactSet {
  uint64_t concerns = 0;
  bool immediate_risk = false;
  bool immediate_risk_given = false;
  int consent = 0;
  int source = 0;
  int channel = 0;
  int32_t children = 0;
  int32_t contacts = 0;
  int32_t referrals = 0;
  bool open_case = false;
  bool out_of_hours = false;
  absl::InlinedVector<ChildAge, 4> ages;
};

FactSet Gather(const Facts& facts) {
  const v1::ContactSubmission& s =
      facts.submission ? *facts.submission : v1::ContactSubmission::default_instance();
  FactSet f;
  for (int concern : s.concerns()) f.concerns |= Bit(concern);
  f.immediate_risk_given = s.has_immediate_risk();
  f.immediate_risk = s.immediate_risk();
  f.consent = s.consent().status();
  f.source = s.source();
  f.channel = s.channel();
  f.children = s.children_size();
  f.contacts = facts.prior.contacts_12m();
  f.referrals = facts.prior.referrals_12m();
  f.open_case = facts.prior.has_open_case();
  f.out_of_hours = facts.out_of_hours;
  const bool day_known = facts.received_on.ok();
  f.ages.reserve(static_cast<size_t>(s.children_size()));
  for (const v1::Child& child : s.children()) {
    ChildAge age;
    if (child.birth_case() == v1::Child::kExpectedDateOfBirth) {
      age.kind = ChildAge::Kind::kUnborn;
    } else if (child.birth_case() != v1::Child::kDateOfBirth) {
      age.unknown_because = "no date of birth given";
    } else if (auto born = ParseIsoDate(child.date_of_birth()); !born) {
      age.unknown_because = "the date of birth is not a date";
    } else if (!day_known) {
      age.unknown_because = "the day the contact was received is not known";
    } else {
      age.kind = ChildAge::Kind::kBorn;
      // A date of birth after the contact is refused when contacts are
      // checked; here it counts as a newborn rather than a negative age.
      age.months = AgeInMonths(*born, facts.received_on);
    }
    f.ages.push_back(age);
  }
  return f;
}

bool InRange(int32_t value, const Check& check) { return value >= check.min && value <= check.max; }

bool AgeHolds(const ChildAge& age, const Check& check) {
  if (check.unborn == 1) return age.kind == ChildAge::Kind::kUnborn;
  return age.kind == ChildAge::Kind::kBorn && InRange(age.months, check);
}

bool Holds(const Check& check, const FactSet& f) {
  switch (check.kind) {
    case CheckKind::kConcernsAnyOf:
      return (f.concerns & check.mask) != 0;
    case CheckKind::kConcernsAllOf:
      return (f.concerns & check.mask) == check.mask;
    case CheckKind::kConcernsNoneOf:
      return (f.concerns & check.mask) == 0;
    case CheckKind::kConcernsOnlyFrom:
      return (f.concerns & ~check.mask) == 0;
    case CheckKind::kImmediateRisk:
      return f.immediate_risk == check.flag;
    case CheckKind::kConsent:
      return (Bit(f.consent) & check.mask) != 0;
    case CheckKind::kSource:
      return (Bit(f.source) & check.mask) != 0;
    case CheckKind::kChannel:
      return (Bit(f.channel) & check.mask) != 0;
    case CheckKind::kChildAge:
      for (const ChildAge& age : f.ages) {
        if (AgeHolds(age, check)) return true;
      }
      return false;
    case CheckKind::kChildren:
      return InRange(f.children, check);
    case CheckKind::kContacts12m:
      return InRange(f.contacts, check);
    case CheckKind::kReferrals12m:
      return InRange(f.referrals, check);
    case CheckKind::kOpenCase:
      return f.open_case == check.flag;
    case CheckKind::kOutOfHours:
      return f.out_of_hours == check.flag;
  }
  return false;
}

bool Matches(const CompiledRule& rule, const FactSet& f) {
  for (const Check& check : rule.checks) {
    if (!Holds(check, f)) return false;
  }
  return true;
}

const CompiledRule* Choose(const std::vector<CompiledTable>& tables, const FactSet& f) {
  for (const CompiledTable& table : tables) {
    // `order` already puts PRIORITY tables highest first, so the first
    // match decides under every hit policy.
    for (uint32_t i : table.order) {
      if (Matches(table.rules[i], f)) return &table.rules[i];
    }
  }
  return nullptr;
}

std::string AgeWords(int32_t months) {
  if (months < 24) return std::to_string(months) + (months == 1 ? " month" : " months");
  return std::to_string(months / 12) + " years";
}

// What the contact showed, in the explanation's words. Each dimension is
// worded once per evaluation however many rules look at it.
class Seen {
 public:
  Seen(const FactSet& f, const Facts& facts) : f_(f), facts_(facts) {}

  const std::string& For(CheckKind kind) {
    size_t slot = Slot(kind);
    if (!text_[slot]) text_[slot] = Word(kind);
    return *text_[slot];
  }

 private:
  static size_t Slot(CheckKind kind) {
    switch (kind) {
      case CheckKind::kConcernsAnyOf:
      case CheckKind::kConcernsAllOf:
      case CheckKind::kConcernsNoneOf:
      case CheckKind::kConcernsOnlyFrom:
        return 0;
      default:
        return static_cast<size_t>(kind);
    }
  }

  std::string Word(CheckKind kind) const {
    auto yes_no = [](bool b) { return std::string(b ? "yes" : "no"); };
    switch (kind) {
      case CheckKind::kConcernsAnyOf:
      case CheckKind::kConcernsAllOf:
      case CheckKind::kConcernsNoneOf:
      case CheckKind::kConcernsOnlyFrom:
        return f_.concerns
                   ? internal::MaskLabels(f_.concerns, *v1::Concern::Code_descriptor(), "and")
                   : "no concerns given";
      case CheckKind::kImmediateRisk:
        return f_.immediate_risk_given ? yes_no(f_.immediate_risk) : "not given (taken as no)";
      case CheckKind::kConsent:
        return f_.consent ? std::string(LabelOf(static_cast<v1::ConsentStatus::Code>(f_.consent)))
                          : "not given";
      case CheckKind::kSource:
        return f_.source ? std::string(LabelOf(static_cast<v1::Source::Code>(f_.source)))
                         : "not given";
      case CheckKind::kChannel:
        return f_.channel ? std::string(LabelOf(static_cast<v1::Channel::Code>(f_.channel)))
                          : "not given";
      case CheckKind::kChildAge: {
        if (f_.ages.empty()) return "no children given";
        std::string out;
        for (size_t i = 0; i < f_.ages.size(); ++i) {
          const ChildAge& age = f_.ages[i];
          if (i > 0) out += "; ";
          // Children by position: explanations never carry names.
          out += "child " + std::to_string(i + 1) + ": ";
          switch (age.kind) {
            case ChildAge::Kind::kUnborn:
              out += "unborn";
              break;
            case ChildAge::Kind::kBorn:
              out += AgeWords(age.months);
              break;
            case ChildAge::Kind::kUnknown:
              out += std::string("age not known (") + age.unknown_because +
                     ", so no age condition holds for this child)";
              break;
          }
        }
        return out;
      }
      case CheckKind::kChildren:
        return std::to_string(f_.children);
      case CheckKind::kContacts12m:
        return std::to_string(f_.contacts);
      case CheckKind::kReferrals12m:
        return std::to_string(f_.referrals);
      case CheckKind::kOpenCase: {
        if (!f_.open_case) return "no";
        const v1::OpenCaseRef& c = facts_.prior.open_case();
        std::string out = "yes";
        if (!c.case_id().empty()) out += ", case " + c.case_id();
        if (!c.team().empty()) out += " with " + c.team();
        return out;
      }
      case CheckKind::kOutOfHours:
        return yes_no(f_.out_of_hours);
    }
    return {};
  }

  const FactSet& f_;
  const Facts& facts_;
  std::array<std::optional<std::string>, 14> text_;
};

std::string ChannelWords(int channel) {
  switch (channel) {
    case v1::Channel::PORTAL:
      return "it came through the online form";
    case v1::Channel::PHONE:
      return "it came by phone";
    case v1::Channel::EMAIL:
      return "it came by email";
    case v1::Channel::PARTNER_API:
      return "it came from a partner's system";
    case v1::Channel::OUT_OF_HOURS:
      return "it came through the out-of-hours service";
    default:
      return "it came by an unknown channel";
  }
}

std::string ConsentWords(int consent) {
  switch (consent) {
    case v1::ConsentStatus::GIVEN:
      return "consent was given";
    case v1::ConsentStatus::REFUSED:
      return "consent was refused";
    case v1::ConsentStatus::NOT_SOUGHT:
      return "consent was not sought";
    default:
      return "consent was not recorded";
  }
}

std::string EarlierWords(int32_t n, const char* one, const char* many) {
  std::string out = n == 0   ? std::string("there were no earlier ") + many
                    : n == 1 ? std::string("there was 1 earlier ") + one
                             : "there were " + std::to_string(n) + " earlier " + many;
  return out + " about the children in the last 12 months";
}

// A held condition of the chosen rule as a clause of the generated reason,
// saying what the contact showed rather than restating the rule.
std::string Clause(const Check& check, const FactSet& f) {
  const auto& concern_type = *v1::Concern::Code_descriptor();
  switch (check.kind) {
    case CheckKind::kConcernsAnyOf:
    case CheckKind::kConcernsAllOf: {
      std::string seen = internal::MaskLabels(f.concerns & check.mask, concern_type, "and");
      if (!check.group_label.empty()) {
        return "the concerns raised (" + seen + ") suggest " + check.group_label;
      }
      return "the concerns raised include " + seen;
    }
    case CheckKind::kConcernsNoneOf: {
      if (!check.group_label.empty()) return "nothing raised suggests " + check.group_label;
      if (std::popcount(check.mask) <= 3) {
        return "none of " + internal::MaskLabels(check.mask, concern_type, "or") + " was raised";
      }
      return "none of the concerns this rule rules out was raised";
    }
    case CheckKind::kConcernsOnlyFrom: {
      std::string seen = internal::MaskLabels(f.concerns, concern_type, "and");
      if (!check.group_label.empty()) {
        return "the concerns raised (" + seen + ") are all " + check.group_label;
      }
      return "the concerns raised (" + seen + ") are all within this rule's list";
    }
    case CheckKind::kImmediateRisk:
      return check.flag ? "a child is said to be at immediate risk of significant harm"
                        : "no child is said to be at immediate risk";
    case CheckKind::kConsent:
      return ConsentWords(f.consent);
    case CheckKind::kSource:
      return "the contact came from " +
             std::string(LabelOf(static_cast<v1::Source::Code>(f.source)));
    case CheckKind::kChannel:
      return ChannelWords(f.channel);
    case CheckKind::kChildAge: {
      if (check.unborn == 1) return "a child is not yet born";
      std::string matching;
      for (const ChildAge& age : f.ages) {
        if (!AgeHolds(age, check)) continue;
        matching += matching.empty() ? "" : ", ";
        matching += AgeWords(age.months);
      }
      if (check.min == 0 && check.max == kNoMax) return "a child has been born (" + matching + ")";
      return "a child is aged " + check.expected + " (" + matching + ")";
    }
    case CheckKind::kChildren:
      return f.children == 1 ? std::string("the contact is about one child")
                             : "the contact is about " + std::to_string(f.children) + " children";
    case CheckKind::kContacts12m:
      return EarlierWords(f.contacts, "contact", "contacts");
    case CheckKind::kReferrals12m:
      return EarlierWords(f.referrals, "referral", "referrals");
    case CheckKind::kOpenCase:
      return check.flag ? "a child already has a case open with children's social care"
                        : "no child has a case open with children's social care";
    case CheckKind::kOutOfHours:
      return check.flag ? "it arrived outside office hours" : "it arrived during office hours";
  }
  return {};
}

// The held conditions of the chosen rule as one sentence: "Consent was
// refused, no child is said to be at immediate risk and nothing raised
// suggests significant harm."
std::string GeneratedReason(const CompiledRule& rule, const FactSet& f) {
  std::vector<std::string> clauses;
  clauses.reserve(rule.checks.size());
  for (const Check& check : rule.checks) clauses.push_back(Clause(check, f));
  std::string sentence = internal::JoinWords(clauses, "and");
  if (sentence.empty()) return sentence;
  sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
  sentence += '.';
  return sentence;
}

}  // namespace

const v1::Rule* Policy::Decide(const Facts& facts) const {
  const CompiledRule* rule = Choose(compiled_->tables, Gather(facts));
  return rule ? rule->rule : nullptr;
}

Evaluation Policy::Evaluate(const Facts& facts, const EvaluateOptions& options) const {
  const FactSet f = Gather(facts);
  Evaluation ev;
  const CompiledRule* chosen = nullptr;
  if (!options.explain) {
    chosen = Choose(compiled_->tables, f);
  } else {
    Seen seen(f, facts);
    size_t all_rules = 0;
    for (const CompiledTable& table : compiled_->tables) all_rules += table.rules.size();
    ev.explanation.mutable_rules()->Reserve(static_cast<int>(all_rules));
    for (const CompiledTable& table : compiled_->tables) {
      const bool by_priority = table.table->hit_policy() == v1::HitPolicy::PRIORITY;
      int best_index = -1;
      for (const CompiledRule& rule : table.rules) {
        v1::RuleCheck* rc = ev.explanation.add_rules();
        rc->set_table(table.table->name());
        rc->set_rule_id(rule.rule->id());
        rc->set_description(rule.rule->description());
        // Every condition is tested, not just up to the first that fails,
        // so the explanation shows all that stood in a rule's way.
        bool matched = true;
        rc->mutable_conditions()->Reserve(static_cast<int>(rule.checks.size()));
        for (const Check& check : rule.checks) {
          bool held = Holds(check, f);
          matched = matched && held;
          v1::ConditionCheck* cc = rc->add_conditions();
          cc->set_condition(check.condition);
          cc->set_expected(check.expected);
          cc->set_seen(seen.For(check.kind));
          cc->set_held(held);
        }
        rc->set_matched(matched);
        if (!matched) continue;
        if (chosen == nullptr ||
            (by_priority && rule.rule->priority() > chosen->rule->priority())) {
          chosen = &rule;
          best_index = ev.explanation.rules_size() - 1;
        }
      }
      if (chosen != nullptr) {
        ev.explanation.mutable_rules(best_index)->set_chosen(true);
        break;
      }
    }
  }

  v1::Recommendation& rec = ev.recommendation;
  rec.set_rules_version(version_);
  rec.set_policy_label(spec_.label());
  if (chosen == nullptr) {
    rec.add_reasons(
        "No rule in the policy matched this contact, so triage staff must decide the route.");
    ev.timescales = compiled_->timescales;
    ev.urgent = f.immediate_risk;
    return ev;
  }
  const v1::Rule& rule = *chosen->rule;
  const v1::RuleOutcome& then = rule.then();
  rec.set_route(then.route());
  rec.set_level(then.level());
  rec.set_rag(then.rag());
  rec.set_rule_id(rule.id());
  rec.set_automatic(then.automatic());
  for (const std::string& reason : then.reasons()) rec.add_reasons(reason);
  if (std::string generated = GeneratedReason(*chosen, f); !generated.empty()) {
    rec.add_reasons(std::move(generated));
  }
  for (const v1::Signpost& s : chosen->signposts) *rec.add_signposts() = s;
  ev.timescales = chosen->timescales;
  if (!then.letter().empty()) ev.outcome_letter = then.letter();
  ev.urgent = then.urgent() || f.immediate_risk;
  return ev;
}

}  // namespace frontdoor::rules
