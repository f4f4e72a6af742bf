// MASH checks as the policy sets them (see checks.h), and the load-time
// check that every check's due time fits inside the MASH timescale of its
// RAG (CheckChecksPolicy, declared in policy_stages.h).
//
// How "fits inside" is decided: a check and its MASH work both start when
// the contact enters MASH. When both timescales count in the same unit
// (hours, working hours or working days) the check's length must be no
// longer. When the units differ (say a check in working hours inside MASH
// work in clock hours), the two due times are worked out with the policy's
// own office hours for a start every 30 minutes across a fortnight (every
// weekday, day and night, and a weekend); the check must be due no later
// than the MASH work for every one of those starts. Bank holidays are left
// out of that fortnight: a bank holiday lengthens a working-hours count but
// not a clock-hours one, so a partnership that mixes them should keep some
// slack (the message names the first start that fails).
#include "rules/checks.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <set>

#include "calendar/calendar.h"
#include "frontdoor/codes.h"
#include "rules/policy_stages.h"

namespace frontdoor::rules {

std::vector<v1::Source::Code> CheckAgencies(const v1::ChecksPolicy& checks,
                                            const google::protobuf::RepeatedField<int>& concerns) {
  std::vector<v1::Source::Code> out;
  auto add = [&out](v1::Source::Code agency) {
    if (std::find(out.begin(), out.end(), agency) == out.end()) out.push_back(agency);
  };
  if (checks.agencies().empty()) {
    for (v1::Source::Code agency : kDefaultCheckAgencies) add(agency);
  } else {
    for (int agency : checks.agencies()) add(static_cast<v1::Source::Code>(agency));
  }
  for (const auto& by : checks.by_concern()) {
    bool raised = std::any_of(by.concerns().begin(), by.concerns().end(), [&](int concern) {
      return std::find(concerns.begin(), concerns.end(), concern) != concerns.end();
    });
    if (!raised) continue;
    for (int agency : by.agencies()) add(static_cast<v1::Source::Code>(agency));
  }
  return out;
}

const v1::TimescaleSpec* CheckDueSpec(const v1::ChecksPolicy& checks, v1::Rag::Code rag) {
  switch (rag) {
    case v1::Rag::RED:
      if (checks.has_due_red()) return &checks.due_red();
      break;
    case v1::Rag::AMBER:
      if (checks.has_due_amber()) return &checks.due_amber();
      break;
    case v1::Rag::GREEN:
      if (checks.has_due_green()) return &checks.due_green();
      break;
    default:
      break;
  }
  return checks.has_due() ? &checks.due() : nullptr;
}

bool IsCheckAgency(v1::Source::Code agency) {
  switch (agency) {
    case v1::Source::SOURCE_UNSPECIFIED:
    case v1::Source::INDIVIDUAL_FAMILY:
    case v1::Source::INDIVIDUAL_ACQUAINTANCE:
    case v1::Source::INDIVIDUAL_SELF:
    case v1::Source::INDIVIDUAL_OTHER:
    case v1::Source::ANONYMOUS:
    case v1::Source::UNKNOWN:
      return false;
    default:
      return true;
  }
}

namespace internal {

namespace {

struct RagTimescale {
  v1::Rag::Code rag;
  const char* due_field;   // checks.<field>
  const char* mash_field;  // timescales.<field>
  const char* words;
};

constexpr RagTimescale kRags[] = {
    {v1::Rag::RAG_UNSPECIFIED, "due", "mash", "MASH work without a RAG rating"},
    {v1::Rag::RED, "due_red", "mash_red", "red MASH work"},
    {v1::Rag::AMBER, "due_amber", "mash_amber", "amber MASH work"},
    {v1::Rag::GREEN, "due_green", "mash_green", "green MASH work"},
};

const v1::TimescaleSpec& MashSpecOf(const v1::Timescales& t, v1::Rag::Code rag,
                                    std::string* field) {
  const v1::TimescaleSpec* spec = nullptr;
  if (rag == v1::Rag::RED && t.has_mash_red()) {
    spec = &t.mash_red();
    *field = "mash_red";
  } else if (rag == v1::Rag::AMBER && t.has_mash_amber()) {
    spec = &t.mash_amber();
    *field = "mash_amber";
  } else if (rag == v1::Rag::GREEN && t.has_mash_green()) {
    spec = &t.mash_green();
    *field = "mash_green";
  }
  if (spec != nullptr) return *spec;
  *field = "mash";
  return t.mash();
}

int32_t LengthOf(const v1::TimescaleSpec& s) {
  switch (s.length_case()) {
    case v1::TimescaleSpec::kHours:
      return s.hours();
    case v1::TimescaleSpec::kWorkingHours:
      return s.working_hours();
    case v1::TimescaleSpec::kWorkingDays:
      return s.working_days();
    case v1::TimescaleSpec::LENGTH_NOT_SET:
      break;
  }
  return 0;
}

std::string Words(const v1::TimescaleSpec& s) {
  const int32_t n = LengthOf(s);
  const std::string count = std::to_string(n);
  switch (s.length_case()) {
    case v1::TimescaleSpec::kHours:
      return count + (n == 1 ? " hour" : " hours");
    case v1::TimescaleSpec::kWorkingHours:
      return count + (n == 1 ? " working hour" : " working hours");
    case v1::TimescaleSpec::kWorkingDays:
      return count + (n == 1 ? " working day" : " working days");
    case v1::TimescaleSpec::LENGTH_NOT_SET:
      break;
  }
  return "no length";
}

// The first sampled start (see the file comment) at which the check is due
// after the MASH work, as words ("Friday at 16:00"); nullopt when it fits.
std::optional<std::string> FirstStartThatDoesNotFit(const v1::TimescaleSpec& due,
                                                    const v1::TimescaleSpec& mash,
                                                    const Calendar& calendar) {
  if (due.length_case() == mash.length_case()) {
    if (LengthOf(due) <= LengthOf(mash)) return std::nullopt;
    return std::string("any time");
  }
  static const char* const kDays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                      "Friday", "Saturday", "Sunday"};
  // Monday 5 January 2026: London is on UTC then, so UTC times read as local.
  const TimePoint monday{std::chrono::sys_days(std::chrono::year{2026} / 1 / 5)};
  for (int step = 0; step < 14 * 48; ++step) {
    const TimePoint start = monday + std::chrono::minutes(30 * step);
    if (calendar.DueAt(start, due) <= calendar.DueAt(start, mash)) continue;
    const int minutes = (30 * step) % (24 * 60);
    char clock[8];
    std::snprintf(clock, sizeof clock, "%02d:%02d", minutes / 60, minutes % 60);
    return std::string(kDays[(step / 48) % 7]) + " at " + clock;
  }
  return std::nullopt;
}

}  // namespace

void CheckChecksPolicy(const v1::Policy& spec, const CompiledPolicy& compiled,
                       PolicyProblems& problems) {
  const v1::ChecksPolicy& checks = spec.checks();
  auto check_agency = [&problems](int agency, const std::string& path) {
    if (!IsCheckAgency(static_cast<v1::Source::Code>(agency))) {
      problems.Error(path, std::string(NameOf(static_cast<v1::Source::Code>(agency))) +
                               " is not an agency MASH can ask: give a service such as POLICE, "
                               "HEALTH_GP or SCHOOLS");
    }
  };
  std::set<int> seen;
  for (int i = 0; i < checks.agencies_size(); ++i) {
    const std::string path = "checks.agencies[" + std::to_string(i) + "]";
    check_agency(checks.agencies(i), path);
    if (!seen.insert(checks.agencies(i)).second) problems.Error(path, "is given twice");
  }
  for (int i = 0; i < checks.by_concern_size(); ++i) {
    const auto& by = checks.by_concern(i);
    const std::string path = "checks.by_concern[" + std::to_string(i) + "]";
    if (by.concerns().empty()) problems.Error(path + ".concerns", "must list at least one concern");
    if (by.agencies().empty()) problems.Error(path + ".agencies", "must list at least one agency");
    for (int j = 0; j < by.concerns_size(); ++j) {
      if (by.concerns(j) == v1::Concern::CONCERN_UNSPECIFIED) {
        problems.Error(path + ".concerns[" + std::to_string(j) + "]",
                       "CONCERN_UNSPECIFIED is not a concern");
      }
    }
    for (int j = 0; j < by.agencies_size(); ++j) {
      check_agency(by.agencies(j), path + ".agencies[" + std::to_string(j) + "]");
    }
  }
  for (const char* field : {"due", "due_red", "due_amber", "due_green"}) {
    const auto* descriptor = checks.GetDescriptor()->FindFieldByName(field);
    if (!checks.GetReflection()->HasField(checks, descriptor)) continue;
    const auto& due = static_cast<const v1::TimescaleSpec&>(
        checks.GetReflection()->GetMessage(checks, descriptor));
    if (LengthOf(due) <= 0) {
      problems.Error(std::string("checks.") + field,
                     "gives no length: give one of hours, working_hours or working_days, a "
                     "whole number above 0");
    }
  }

  // Each due time inside its MASH timescale: the policy's, and every rule's
  // own (a rule may shorten the MASH timescales of the contacts it matches).
  auto calendar = Calendar::Make(spec.office_hours(), {});
  if (!calendar.ok()) return;  // the office hours' own problems are reported
  std::set<std::string> reported;
  auto check_fit = [&](const v1::Timescales& timescales, const std::string& where) {
    for (const RagTimescale& r : kRags) {
      const v1::TimescaleSpec* due = CheckDueSpec(checks, r.rag);
      if (due == nullptr || LengthOf(*due) <= 0) continue;
      std::string mash_field;
      const v1::TimescaleSpec& mash = MashSpecOf(timescales, r.rag, &mash_field);
      if (LengthOf(mash) <= 0) continue;
      std::optional<std::string> start = FirstStartThatDoesNotFit(*due, mash, *calendar);
      if (!start) continue;
      // The field the due time came from: due_<rag>, or `due` standing in.
      const std::string due_path =
          std::string("checks.") +
          (r.rag != v1::Rag::RAG_UNSPECIFIED &&
                   checks.GetReflection()->HasField(
                       checks, checks.GetDescriptor()->FindFieldByName(r.due_field))
               ? r.due_field
               : "due");
      if (!reported.insert(due_path).second) continue;
      problems.Error(due_path,
                     Words(*due) + " does not fit inside the MASH timescale for " + r.words + " (" +
                         where + mash_field + ": " + Words(mash) + "): work entering MASH " +
                         (*start == "any time" ? std::string("at any time") : "on a " + *start) +
                         " would have its checks due after the MASH work itself");
    }
  };
  check_fit(compiled.timescales, "timescales.");
  for (const CompiledTable& table : compiled.tables) {
    for (const CompiledRule& rule : table.rules) {
      check_fit(rule.timescales, rule.path + ".then.timescales.");
    }
  }
}

}  // namespace internal

}  // namespace frontdoor::rules
