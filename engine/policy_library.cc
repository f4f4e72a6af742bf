// Rebuilding past policy versions from their stored text and templates.
#include "engine/policy_library.h"

#include <future>

namespace frontdoor {

v1::PolicyVersion ToPolicyVersion(const rules::Policy& policy, TimePoint loaded_at) {
  v1::PolicyVersion version;
  version.set_version(policy.version());
  version.set_label(policy.label());
  version.set_source_path(policy.path().string());
  *version.mutable_loaded_at() = ToProto(loaded_at);
  version.set_text(policy.text());
  for (auto& [path, text] : policy.TemplatesByPath()) (*version.mutable_letters())[path] = text;
  return version;
}

absl::Status RememberPolicy(Store& store, const rules::Policy& policy, TimePoint now) {
  auto known = store.GetPolicyVersion(policy.version());
  if (!known.ok()) return known.status();
  if (known->has_value()) return absl::OkStatus();
  return store.PutPolicyVersion(ToPolicyVersion(policy, now));
}

absl::Status RememberPolicy(Processor& processor, const rules::Policy& policy, TimePoint now) {
  std::promise<absl::Status> committed;
  std::future<absl::Status> done = committed.get_future();
  const bool queued = processor.Submit(RememberPolicyVersion{ToPolicyVersion(policy, now)},
                                       [&committed](CommandResult r) {
                                         committed.set_value(std::move(r.status));
                                       });
  if (!queued) return absl::UnavailableError("the writer is too busy to store the policy version");
  return done.get();
}

absl::StatusOr<std::shared_ptr<const rules::Policy>> PolicyLibrary::Get(std::string_view version) {
  ActivePolicy active = current_.Get();
  if (active.policy->version() == version) return active.policy;
  absl::MutexLock lock(&mu_);
  if (auto it = past_.find(version); it != past_.end()) return it->second;
  auto stored = store_.GetPolicyVersion(version);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    return absl::NotFoundError("the store has no policy version " + std::string(version));
  }
  const v1::PolicyVersion& record = **stored;
  std::map<std::string, std::string> templates(record.letters().begin(), record.letters().end());
  auto policy = rules::Policy::LoadStored(record.text(), templates,
                                          record.source_path() + " (" + record.version() + ")");
  if (!policy.ok()) {
    return absl::DataLossError("stored policy " + record.version() +
                               " no longer loads: " + std::string(policy.status().message()));
  }
  past_.emplace(std::string(version), *policy);
  return *policy;
}

}  // namespace frontdoor
