// Every policy version that has decided contacts, by rules_version: the one
// in force, and past ones rebuilt from the store on first use. Explaining a
// past recommendation, or replaying history, needs the very rules that made
// it, not today's.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "engine/active_policy.h"
#include "engine/processor.h"
#include "engine/store.h"
#include "frontdoor/thread_annotations.h"
#include "rules/policy.h"

namespace frontdoor {

// The record the store keeps of `policy`, so that it can be rebuilt.
v1::PolicyVersion ToPolicyVersion(const rules::Policy& policy, TimePoint loaded_at);

// Stores `policy`'s version unless the store already has it: directly, at
// start before the Processor runs; through the Processor's single writer
// once it does (a reload), waiting until it is committed.
absl::Status RememberPolicy(Store& store, const rules::Policy& policy, TimePoint now);
absl::Status RememberPolicy(Processor& processor, const rules::Policy& policy, TimePoint now);

// Thread-safe. References must outlive the library.
class PolicyLibrary {
 public:
  PolicyLibrary(const Store& store, const PolicySlot& current) : store_(store), current_(current) {}

  // The policy with this rules_version. Errors: NotFound when the store
  // has no such version; DataLoss when a stored version no longer loads.
  absl::StatusOr<std::shared_ptr<const rules::Policy>> Get(std::string_view version)
      LOCKS_EXCLUDED(mu_);

 private:
  const Store& store_;
  const PolicySlot& current_;
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<const rules::Policy>, std::less<>> past_ GUARDED_BY(mu_);
};

}  // namespace frontdoor
