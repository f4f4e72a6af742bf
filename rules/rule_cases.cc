// Running rule cases and the rules commands of the CLI. Case files are read
// with the same YAML adapter and TreeReader as policies, so a misspelt
// expectation is an error naming its line rather than a check silently
// skipped. A case's facts are built by rules::FactsFor with a Calendar made
// from the policy's office hours and the bank holidays file, exactly as the
// engine builds them.
#include "rules/rule_cases.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "frontdoor/codes.h"
#include "rules/facts.h"
#include "rules/policy_internal.h"
#include "rules/yaml_node.h"

namespace frontdoor::rules {

namespace {

template <typename Message>
bool ReadYamlFile(const std::filesystem::path& file, Message* message,
                  std::vector<PolicyError>& errors, YAML::Node* root_out = nullptr) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    errors.push_back(PolicyError{file.string(), 0, "", "cannot read the file"});
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  size_t before = errors.size();
  try {
    YAML::Node root = YAML::Load(text.str());
    if (!YamlWithinLimits(root)) {
      errors.push_back(PolicyError{file.string(), 0, "", kYamlTooLarge});
      return false;
    }
    if (root_out) *root_out = root;
    std::vector<FieldError> field_errors;
    TreeReader<YamlNode>(&field_errors).ReadMessage(YamlNode(root), message);
    for (FieldError& e : field_errors) {
      errors.push_back(PolicyError{file.string(), e.line, e.field, std::move(e.message)});
    }
  } catch (const YAML::Exception& e) {
    errors.push_back(PolicyError{file.string(), e.mark.is_null() ? 0 : e.mark.line + 1, "", e.msg});
  }
  return errors.size() == before;
}

using internal::Quote;

std::string JoinAll(const google::protobuf::RepeatedPtrField<std::string>& items,
                    std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

template <typename E>
std::string NameOrNone(E value) {
  return value == 0 ? std::string("none") : std::string(NameOf(value));
}

void PrintErrors(const std::vector<PolicyError>& errors, std::ostream& out) {
  for (const PolicyError& e : errors) out << e.ToString() << "\n";
}

}  // namespace

std::vector<std::filesystem::path> ListRuleCases(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return files;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string ext = it->path().extension().string();
    if (ext == ".yaml" || ext == ".yml") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

absl::StatusOr<v1::RuleCase> LoadRuleCase(const std::filesystem::path& file,
                                          std::vector<PolicyError>* errors) {
  std::vector<PolicyError> local;
  std::vector<PolicyError>& out = errors ? *errors : local;
  size_t before = out.size();
  v1::RuleCase rule_case;
  if (!ReadYamlFile(file, &rule_case, out) && out.size() == before + 1 && out.back().line == 0 &&
      out.back().message == "cannot read the file") {
    return absl::NotFoundError(file.string() + ": cannot read the file");
  }
  if (rule_case.name().empty()) {
    out.push_back(PolicyError{file.string(), 1, "name", "is required: what the case shows"});
  }
  if (!rule_case.has_contact()) {
    out.push_back(PolicyError{file.string(), 1, "contact", "is required: the contact to evaluate"});
  }
  if (!rule_case.has_received_at() && !rule_case.contact().has_received_at()) {
    out.push_back(PolicyError{file.string(), 1, "received_at",
                              "is required (here or in the contact): ages count to that day"});
  }
  // The front door refuses a contact that leaves this unanswered, so a case
  // without it would show something that cannot happen.
  if (rule_case.has_contact() && !rule_case.contact().has_immediate_risk()) {
    out.push_back(PolicyError{file.string(), 1, "contact.immediate_risk",
                              "is required, as for every contact: say whether a child is at "
                              "immediate risk (true or false)"});
  }
  const v1::RuleCaseExpectation& e = rule_case.expect();
  if (!e.has_route() && !e.has_level() && !e.has_rag() && !e.has_rule_id() && !e.has_automatic() &&
      !e.has_urgent() && e.reasons_include().empty() && e.signposts_include().empty() &&
      !e.has_letter() && !e.has_timescales() && e.authorisation_needed_for().empty() &&
      e.no_authorisation_for().empty()) {
    out.push_back(PolicyError{file.string(), 1, "expect", "gives nothing to check"});
  }
  if (out.size() > before) {
    return absl::InvalidArgumentError(out[before].ToString());
  }
  return rule_case;
}

absl::StatusOr<Calendar> CalendarForCases(const Policy& policy,
                                          const std::filesystem::path& bank_holidays) {
  absl::StatusOr<std::vector<std::chrono::year_month_day>> holidays =
      Calendar::LoadBankHolidays(bank_holidays);
  if (!holidays.ok()) return holidays.status();
  return Calendar::Make(policy.spec().office_hours(), *std::move(holidays));
}

absl::StatusOr<Facts> FactsForCase(const v1::RuleCase& rule_case, const Calendar& calendar) {
  if (!rule_case.has_received_at() && !rule_case.contact().has_received_at()) {
    return absl::InvalidArgumentError("the case gives no received_at");
  }
  TimePoint received = FromProto(rule_case.has_received_at() ? rule_case.received_at()
                                                             : rule_case.contact().received_at());
  return FactsFor(
      rule_case.contact(), received, rule_case.prior(), calendar,
      rule_case.has_out_of_hours() ? std::optional<bool>(rule_case.out_of_hours()) : std::nullopt);
}

namespace {

// Each timescale the case gives against the one that applies.
void CheckTimescales(const v1::Timescales& expected, const v1::Timescales& got,
                     std::vector<std::string>& failures) {
  const google::protobuf::Reflection* reflection = expected.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(expected, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    if (field->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      if (reflection->GetInt32(expected, field) != got.GetReflection()->GetInt32(got, field)) {
        failures.push_back("timescales." + field->name() + ": expected " +
                           std::to_string(reflection->GetInt32(expected, field)) + ", got " +
                           std::to_string(got.GetReflection()->GetInt32(got, field)));
      }
      continue;
    }
    const auto& want =
        static_cast<const v1::TimescaleSpec&>(reflection->GetMessage(expected, field));
    const auto& have =
        static_cast<const v1::TimescaleSpec&>(got.GetReflection()->GetMessage(got, field));
    if (want.SerializeAsString() != have.SerializeAsString()) {
      failures.push_back("timescales." + field->name() + ": expected " + DescribeTimescale(want) +
                         ", got " + DescribeTimescale(have));
    }
  }
}

}  // namespace

RuleCaseResult RunRuleCase(const Policy& policy, const Calendar& calendar,
                           const v1::RuleCase& rule_case) {
  RuleCaseResult result;
  result.name = rule_case.name();
  absl::StatusOr<Facts> facts = FactsForCase(rule_case, calendar);
  if (!facts.ok()) {
    result.failures.emplace_back(facts.status().message());
    return result;
  }
  const Evaluation ev = policy.Evaluate(*facts);
  const v1::Recommendation& r = ev.recommendation;
  const v1::RuleCaseExpectation& e = rule_case.expect();
  std::vector<std::string>& f = result.failures;
  std::string got_rule = r.rule_id().empty() ? "no rule matched" : "rule " + r.rule_id();
  if (e.has_route() && e.route() != r.route()) {
    f.push_back("route: expected " + NameOrNone(e.route()) + ", got " + NameOrNone(r.route()) +
                " (" + got_rule + ")");
  }
  if (e.has_level() && e.level() != r.level()) {
    f.push_back("level: expected " + std::to_string(e.level()) + ", got " +
                std::to_string(r.level()) + " (" + got_rule + ")");
  }
  if (e.has_rag() && e.rag() != r.rag()) {
    f.push_back("rag: expected " + NameOrNone(e.rag()) + ", got " + NameOrNone(r.rag()));
  }
  if (e.has_rule_id() && e.rule_id() != r.rule_id()) {
    f.push_back("rule_id: expected " + Quote(e.rule_id()) + ", got " + Quote(r.rule_id()));
  }
  auto yes_no = [](bool b) { return std::string(b ? "true" : "false"); };
  if (e.has_automatic() && e.automatic() != r.automatic()) {
    f.push_back("automatic: expected " + yes_no(e.automatic()) + ", got " + yes_no(r.automatic()));
  }
  if (e.has_urgent() && e.urgent() != ev.urgent) {
    f.push_back("urgent: expected " + yes_no(e.urgent()) + ", got " + yes_no(ev.urgent));
  }
  for (const std::string& part : e.reasons_include()) {
    bool found = std::any_of(r.reasons().begin(), r.reasons().end(), [&](const std::string& s) {
      return s.find(part) != std::string::npos;
    });
    if (!found) {
      f.push_back("reasons: none includes " + Quote(part) +
                  "; they were: " + JoinAll(r.reasons(), " | "));
    }
  }
  for (const std::string& part : e.signposts_include()) {
    bool found = std::any_of(
        r.signposts().begin(), r.signposts().end(),
        [&](const v1::Signpost& s) { return s.service().find(part) != std::string::npos; });
    if (!found) {
      std::string services;
      for (const v1::Signpost& s : r.signposts()) {
        services += services.empty() ? "" : " | ";
        services += s.service();
      }
      f.push_back("signposts: none is " + Quote(part) +
                  "; they were: " + (services.empty() ? std::string("none") : services));
    }
  }
  if (e.has_letter() && e.letter() != ev.outcome_letter) {
    f.push_back("letter: expected " + Quote(e.letter()) + ", got " + Quote(ev.outcome_letter));
  }
  CheckTimescales(e.timescales(), ev.timescales, f);
  for (int route : e.authorisation_needed_for()) {
    auto code = static_cast<v1::Route::Code>(route);
    if (policy.AuthorisationNeeded(r, code).empty()) {
      f.push_back("authorisation_needed_for: a decision for " + NameOrNone(code) +
                  " would take effect without a manager");
    }
  }
  for (int route : e.no_authorisation_for()) {
    auto code = static_cast<v1::Route::Code>(route);
    if (std::string why = policy.AuthorisationNeeded(r, code); !why.empty()) {
      f.push_back("no_authorisation_for: a decision for " + NameOrNone(code) +
                  " would wait for a manager: " + why);
    }
  }
  result.passed = f.empty();
  return result;
}

RuleCaseResult RunRuleCaseFile(const Policy& policy, const Calendar& calendar,
                               const std::filesystem::path& file) {
  std::vector<PolicyError> errors;
  absl::StatusOr<v1::RuleCase> rule_case = LoadRuleCase(file, &errors);
  RuleCaseResult result;
  if (!rule_case.ok()) {
    result.file = file;
    for (const PolicyError& e : errors) result.failures.push_back(e.ToString());
    if (result.failures.empty()) result.failures.emplace_back(rule_case.status().message());
    return result;
  }
  result = RunRuleCase(policy, calendar, *rule_case);
  result.file = file;
  return result;
}

namespace {

// The policy, or null after writing why it did not load.
std::shared_ptr<const Policy> LoadOrReport(const std::filesystem::path& policy_path,
                                           std::ostream& out) {
  std::vector<PolicyError> errors;
  auto policy = Policy::LoadFile(policy_path, &errors);
  if (policy.ok()) return *policy;
  out << "the policy did not load:\n";
  PrintErrors(errors, out);
  return nullptr;
}

// The calendar for the policy's cases, or nullopt after writing why not.
std::optional<Calendar> CalendarOrReport(const Policy& policy,
                                         const std::filesystem::path& bank_holidays,
                                         std::ostream& out) {
  absl::StatusOr<Calendar> calendar = CalendarForCases(policy, bank_holidays);
  if (calendar.ok()) return *std::move(calendar);
  out << "the calendar did not load: " << calendar.status().message() << "\n";
  return std::nullopt;
}

}  // namespace

int RunRuleCases(const std::filesystem::path& policy_path, const std::filesystem::path& cases_dir,
                 const std::filesystem::path& bank_holidays, std::ostream& out) {
  std::shared_ptr<const Policy> policy = LoadOrReport(policy_path, out);
  if (!policy) return 2;
  std::optional<Calendar> calendar = CalendarOrReport(*policy, bank_holidays, out);
  if (!calendar) return 2;
  std::vector<std::filesystem::path> files = ListRuleCases(cases_dir);
  if (files.empty()) {
    out << cases_dir.string() << ": no case files (*.yaml) found\n";
    return 2;
  }
  int failed = 0;
  for (const std::filesystem::path& file : files) {
    RuleCaseResult result = RunRuleCaseFile(*policy, *calendar, file);
    out << (result.passed ? "PASS  " : "FAIL  ") << file.string();
    if (!result.name.empty()) out << "  " << result.name;
    out << "\n";
    for (const std::string& failure : result.failures) out << "        " << failure << "\n";
    if (!result.passed) ++failed;
  }
  out << files.size() << " cases: " << files.size() - static_cast<size_t>(failed) << " passed, "
      << failed << " failed (policy " << policy->label() << ", " << policy->version() << ")\n";
  return failed == 0 ? 0 : 1;
}

std::string DescribeTimescale(const v1::TimescaleSpec& spec) {
  auto count = [](int32_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  switch (spec.length_case()) {
    case v1::TimescaleSpec::kHours:
      return count(spec.hours(), "hour", "hours");
    case v1::TimescaleSpec::kWorkingHours:
      return count(spec.working_hours(), "working hour", "working hours");
    case v1::TimescaleSpec::kWorkingDays:
      return count(spec.working_days(), "working day", "working days");
    case v1::TimescaleSpec::LENGTH_NOT_SET:
      break;
  }
  return "not set";
}

namespace {

std::string DescribeTimescales(const v1::Timescales& t) {
  std::string out;
  const auto* descriptor = t.GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (!t.GetReflection()->HasField(t, field)) continue;
    if (!out.empty()) out += "; ";
    out += field->name() + " " +
           DescribeTimescale(
               static_cast<const v1::TimescaleSpec&>(t.GetReflection()->GetMessage(t, field)));
  }
  if (t.has_warn_before_minutes()) {
    if (!out.empty()) out += "; ";
    out += "warned " + std::to_string(t.warn_before_minutes()) + " minutes before";
  }
  return out;
}

const char* HitPolicyName(v1::HitPolicy::Code code) {
  switch (code) {
    case v1::HitPolicy::UNIQUE:
      return "UNIQUE";
    case v1::HitPolicy::FIRST:
      return "FIRST";
    case v1::HitPolicy::PRIORITY:
      return "PRIORITY";
    default:
      return "?";
  }
}

}  // namespace

int CheckPolicy(const std::filesystem::path& policy_path, std::ostream& out, std::ostream& err) {
  std::vector<PolicyError> errors;
  auto loaded = Policy::LoadFile(policy_path, &errors);
  if (!loaded.ok()) {
    PrintErrors(errors, err);
    err << policy_path.string() << ": " << errors.size()
        << (errors.size() == 1 ? " problem\n" : " problems\n");
    return 1;
  }
  const Policy& policy = **loaded;
  const v1::Policy& spec = policy.spec();
  out << policy_path.string() << ": OK\n";
  out << "label:        " << spec.label() << "\n";
  out << "version:      " << policy.version() << "\n";
  size_t rules = 0;
  for (const auto& table : spec.tables()) rules += static_cast<size_t>(table.rules_size());
  out << "tables:       " << spec.tables_size() << " (" << rules << " rules)\n";
  for (int i = 0; i < spec.tables_size(); ++i) {
    const v1::DecisionTable& table = spec.tables(i);
    out << "  " << i + 1 << ". " << table.name() << " (" << HitPolicyName(table.hit_policy())
        << "): " << table.rules_size() << (table.rules_size() == 1 ? " rule" : " rules") << "\n";
  }
  v1::Timescales timescales = spec.timescales();
  if (!timescales.has_decision()) timescales.mutable_decision()->set_hours(24);
  if (!timescales.has_mash()) timescales.mutable_mash()->set_hours(72);
  if (!timescales.has_authorisation()) timescales.mutable_authorisation()->set_working_hours(4);
  out << "timescales:   " << DescribeTimescales(timescales) << "\n";
  const v1::AuthorisationPolicy& a = spec.authorisation();
  std::string listed;
  for (int route : a.routes()) {
    listed += (listed.empty() ? "" : ", ") +
              std::string(NameOf(static_cast<v1::Route::Code>(route)));
  }
  out << "authorisation: "
      << (!a.has_below_recommendation() || a.below_recommendation()
              ? "decisions below the recommendation"
              : "not below the recommendation")
      << (listed.empty() ? std::string() : "; always for " + listed) << "\n";
  const v1::OfficeHours& hours = spec.office_hours();
  out << "office hours: " << (hours.opens().empty() ? "09:00" : hours.opens()) << " to "
      << (hours.closes().empty() ? "17:00" : hours.closes()) << ", "
      << (hours.days().empty() ? std::string("MONDAY to FRIDAY") : JoinAll(hours.days(), ", "))
      << " (Europe/London, bank holidays excluded)\n";
  std::vector<std::string> letters;
  for (const auto& entry : spec.letters()) letters.push_back(entry.first);
  std::sort(letters.begin(), letters.end());
  out << "letters:      ";
  for (size_t i = 0; i < letters.size(); ++i) out << (i ? ", " : "") << letters[i];
  out << "\nsignposts:    " << spec.signposts_size() << "\n";
  return 0;
}

std::string FormatEvaluation(const Evaluation& ev, bool with_explanation) {
  std::ostringstream out;
  const v1::Recommendation& r = ev.recommendation;
  if (r.route() == v1::Route::ROUTE_UNSPECIFIED) {
    out << "Recommendation: none (no rule matched; triage decides)\n";
  } else {
    out << "Recommendation: " << NameOf(r.route()) << " (" << LabelOf(r.route()) << "), level "
        << r.level();
    if (r.rag() != v1::Rag::RAG_UNSPECIFIED) out << ", RAG " << NameOf(r.rag());
    out << "\n  rule " << r.rule_id() << (r.automatic() ? ", decided automatically" : "")
        << (ev.urgent ? ", urgent (out of hours: alert the emergency duty team)" : "") << "\n";
  }
  out << "Policy: " << r.policy_label() << " (" << r.rules_version() << ")\n";
  out << "Reasons:\n";
  for (const std::string& reason : r.reasons()) out << "  - " << reason << "\n";
  if (!r.signposts().empty()) {
    out << "Where to turn:\n";
    for (const v1::Signpost& s : r.signposts()) {
      out << "  - " << s.service() << ": " << s.what_for() << " (" << s.how_to_reach() << ")\n";
    }
  }
  out << "Timescales: " << DescribeTimescales(ev.timescales) << "\n";
  out << "Outcome letter: " << ev.outcome_letter << "\n";
  if (!with_explanation) return out.str();
  out << "Rules considered:\n";
  for (const v1::RuleCheck& rule : ev.explanation.rules()) {
    out << "  [" << rule.table() << "] " << rule.rule_id() << ": "
        << (rule.chosen()    ? "CHOSEN"
            : rule.matched() ? "matched, not chosen"
                             : "did not match")
        << "\n";
    if (!rule.description().empty()) out << "      " << rule.description() << "\n";
    if (rule.conditions().empty()) out << "      (no conditions: always matches)\n";
    for (const v1::ConditionCheck& c : rule.conditions()) {
      out << "      " << (c.held() ? "yes " : "NO  ") << c.condition() << ": expected "
          << c.expected() << "; seen " << c.seen() << "\n";
    }
  }
  return out.str();
}

int ExplainContact(const std::filesystem::path& policy_path, const std::filesystem::path& contact,
                   const std::filesystem::path& bank_holidays, std::ostream& out) {
  std::shared_ptr<const Policy> policy = LoadOrReport(policy_path, out);
  if (!policy) return 2;
  std::optional<Calendar> calendar = CalendarOrReport(*policy, bank_holidays, out);
  if (!calendar) return 2;
  // A rule case carries `contact:`; anything else is the contact itself.
  YAML::Node root;
  try {
    std::ifstream in(contact, std::ios::binary);
    if (!in) {
      out << contact.string() << ": cannot read the file\n";
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    out << contact.string() << ":" << (e.mark.is_null() ? 0 : e.mark.line + 1) << ": " << e.msg
        << "\n";
    return 2;
  }
  v1::RuleCase rule_case;
  std::vector<PolicyError> errors;
  bool is_case = root.IsMap() && root["contact"].IsDefined();
  bool read = is_case ? ReadYamlFile(contact, &rule_case, errors)
                      : ReadYamlFile(contact, rule_case.mutable_contact(), errors);
  if (!read) {
    PrintErrors(errors, out);
    return 2;
  }
  if (!rule_case.has_received_at() && !rule_case.contact().has_received_at()) {
    // The CLI's edge: a contact with no time is taken as arriving now.
    auto now = std::chrono::floor<Millis>(std::chrono::system_clock::now());
    *rule_case.mutable_received_at() = ToProto(now);
    out << "(no received_at: ages are counted to today)\n";
  }
  absl::StatusOr<Facts> facts = FactsForCase(rule_case, *calendar);
  if (!facts.ok()) {
    out << facts.status().message() << "\n";
    return 2;
  }
  out << FormatEvaluation(policy->Evaluate(*facts), /*with_explanation=*/true);
  return 0;
}

}  // namespace frontdoor::rules
