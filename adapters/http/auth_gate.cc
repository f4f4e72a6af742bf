// The keys in force behind a mutex-guarded shared_ptr (a request keeps the
// set it started with), and the failure windows in a bounded map.
#include "adapters/http/auth_gate.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"

namespace frontdoor {

AuthFailureThrottle::AuthFailureThrottle(const Clock& clock, AuthFailureOptions options)
    : clock_(clock), options_(options) {}

std::optional<std::chrono::seconds> AuthFailureThrottle::HeldBack(
    const std::string& address) const {
  TimePoint now = clock_.Now();
  absl::MutexLock lock(&mu_);
  auto it = windows_.find(address);
  if (it == windows_.end() || it->second.failures < options_.burst) return std::nullopt;
  TimePoint until = it->second.start + options_.per;
  if (now >= until) return std::nullopt;
  auto wait = std::chrono::ceil<std::chrono::seconds>(until - now);
  return std::max(wait, std::chrono::seconds(1));
}

void AuthFailureThrottle::RecordFailure(const std::string& address) {
  TimePoint now = clock_.Now();
  absl::MutexLock lock(&mu_);
  auto it = windows_.find(address);
  if (it == windows_.end()) {
    MakeRoom(now);
    windows_[address] = Window{now, 1};
    return;
  }
  Window& window = it->second;
  if (now >= window.start + options_.per) {
    window = Window{now, 1};
  } else {
    ++window.failures;
  }
}

void AuthFailureThrottle::MakeRoom(TimePoint now) {
  if (windows_.size() < std::max<size_t>(options_.max_addresses, 1)) return;
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (now >= it->second.start + options_.per) {
      windows_.erase(it++);
    } else {
      ++it;
    }
  }
  while (windows_.size() >= std::max<size_t>(options_.max_addresses, 1)) {
    auto oldest = std::min_element(
        windows_.begin(), windows_.end(),
        [](const auto& a, const auto& b) { return a.second.start < b.second.start; });
    windows_.erase(oldest);
  }
}

size_t AuthFailureThrottle::tracked() const {
  absl::MutexLock lock(&mu_);
  return windows_.size();
}

AuthGate::AuthGate(Authenticator keys, const Clock& real_clock, AuthFailureOptions options,
                   std::shared_ptr<const PersonAuthenticator> people)
    : real_clock_(real_clock),
      people_(std::move(people)),
      throttle_(real_clock, options),
      keys_(std::make_shared<const Authenticator>(std::move(keys))) {}

AuthOutcome AuthGate::Authenticate(std::string_view authorization, const std::string& peer) {
  if (auto wait = throttle_.HeldBack(peer)) {
    return {std::nullopt, AuthRefusal::kThrottled, *wait, {}};
  }
  const TimePoint now = real_clock_.Now();
  AuthOutcome outcome = Keys()->Check(authorization, now);
  if (outcome.refusal == AuthRefusal::kUnknown && people_ != nullptr) {
    std::string_view token = authorization;
    if (token.size() > 7 &&
        absl::StartsWithIgnoreCase(std::string(token.substr(0, 7)), "bearer ")) {
      token.remove_prefix(7);
      // An API key has no dots; a JWT has two.
      if (token.find('.') != std::string_view::npos) outcome = people_->Check(token, now);
    }
  }
  if (outcome.refusal == AuthRefusal::kUnknown || outcome.refusal == AuthRefusal::kExpired) {
    throttle_.RecordFailure(peer);
  }
  return outcome;
}

void AuthGate::Replace(Authenticator keys) {
  auto next = std::make_shared<const Authenticator>(std::move(keys));
  absl::MutexLock lock(&mu_);
  keys_ = std::move(next);
}

std::shared_ptr<const Authenticator> AuthGate::Keys() const {
  absl::MutexLock lock(&mu_);
  return keys_;
}

}  // namespace frontdoor
