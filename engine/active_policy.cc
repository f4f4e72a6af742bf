// Loading a policy together with its calendar.
#include "engine/active_policy.h"

namespace frontdoor {

absl::StatusOr<ActivePolicy> LoadActivePolicy(const std::filesystem::path& policy_file,
                                              const std::filesystem::path& bank_holidays_file,
                                              std::vector<rules::PolicyError>* errors) {
  auto policy = rules::Policy::LoadFile(policy_file, errors);
  if (!policy.ok()) return policy.status();
  auto holidays = Calendar::LoadBankHolidays(bank_holidays_file);
  if (!holidays.ok()) {
    if (errors)
      errors->push_back(
          {bank_holidays_file.string(), 0, "", std::string(holidays.status().message())});
    return holidays.status();
  }
  auto calendar = Calendar::Make((*policy)->spec().office_hours(), std::move(*holidays));
  if (!calendar.ok()) {
    if (errors) {
      errors->push_back(
          {policy_file.string(), 0, "office_hours", std::string(calendar.status().message())});
    }
    return calendar.status();
  }
  return ActivePolicy{std::move(*policy), std::make_shared<const Calendar>(std::move(*calendar))};
}

}  // namespace frontdoor
