// The policy in force and the calendar built from its office hours and the
// bank holidays file. Swapped whole on reload, so a batch of commands is
// decided with one policy from start to end, and requests already holding
// the old one finish with it.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "calendar/calendar.h"
#include "frontdoor/thread_annotations.h"
#include "rules/policy.h"

namespace frontdoor {

struct ActivePolicy {
  std::shared_ptr<const rules::Policy> policy;
  std::shared_ptr<const Calendar> calendar;
};

// Reads the policy file and the bank holidays (GOV.UK bank-holidays.json
// format) and builds the calendar. On failure every problem found is
// appended to *errors when given.
absl::StatusOr<ActivePolicy> LoadActivePolicy(const std::filesystem::path& policy_file,
                                              const std::filesystem::path& bank_holidays_file,
                                              std::vector<rules::PolicyError>* errors = nullptr);

// Thread-safe holder of the ActivePolicy.
class PolicySlot {
 public:
  explicit PolicySlot(ActivePolicy initial) : current_(std::move(initial)) {}
  ActivePolicy Get() const LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return current_;
  }
  void Set(ActivePolicy next) LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    current_ = std::move(next);
  }

 private:
  mutable absl::Mutex mu_;
  ActivePolicy current_ GUARDED_BY(mu_);
};

}  // namespace frontdoor
