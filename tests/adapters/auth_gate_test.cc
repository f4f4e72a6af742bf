// The API's door: failed sign-ins slow an address down for a window on an
// injected clock, other addresses are untouched, memory stays bounded, and
// swapped keys take effect at once.
#include "adapters/http/auth_gate.h"

#include <gtest/gtest.h>

#include "frontdoor/proto_time.h"

namespace frontdoor {
namespace {

const TimePoint kStart = *ParseRfc3339("2026-11-24T10:00:00Z");

Authenticator Keys(std::vector<ApiKeyConfig> keys) {
  auto auth = Authenticator::Make(keys);
  EXPECT_TRUE(auth.ok()) << auth.status();
  return *auth;
}

TEST(AuthFailureThrottle, HoldsBackAfterABurstUntilTheWindowPasses) {
  ManualClock clock(kStart);
  AuthFailureThrottle throttle(clock, AuthFailureOptions{3, std::chrono::seconds(60), 100});
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(throttle.HeldBack("10.0.0.1")) << i;
    throttle.RecordFailure("10.0.0.1");
  }
  clock.Set(kStart + std::chrono::seconds(20));
  auto wait = throttle.HeldBack("10.0.0.1");
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, std::chrono::seconds(40));
  EXPECT_FALSE(throttle.HeldBack("10.0.0.2"));
  clock.Set(kStart + std::chrono::seconds(59) + Millis(500));
  EXPECT_EQ(throttle.HeldBack("10.0.0.1"), std::chrono::seconds(1));
  clock.Set(kStart + std::chrono::seconds(60));
  EXPECT_FALSE(throttle.HeldBack("10.0.0.1"));
  // A new window starts with the next failure.
  throttle.RecordFailure("10.0.0.1");
  EXPECT_FALSE(throttle.HeldBack("10.0.0.1"));
}

TEST(AuthFailureThrottle, FailuresSpreadOverWindowsDoNotAddUp) {
  ManualClock clock(kStart);
  AuthFailureThrottle throttle(clock, AuthFailureOptions{3, std::chrono::seconds(60), 100});
  throttle.RecordFailure("a");
  throttle.RecordFailure("a");
  clock.Set(kStart + std::chrono::seconds(61));
  throttle.RecordFailure("a");
  throttle.RecordFailure("a");
  EXPECT_FALSE(throttle.HeldBack("a"));
}

TEST(AuthFailureThrottle, TracksAtMostTheCap) {
  ManualClock clock(kStart);
  AuthFailureThrottle throttle(clock, AuthFailureOptions{2, std::chrono::seconds(60), 4});
  for (int i = 0; i < 50; ++i) {
    clock.Set(kStart + Millis(i));
    throttle.RecordFailure("10.0.0." + std::to_string(i));
    EXPECT_LE(throttle.tracked(), 4u);
  }
  // The newest are kept.
  throttle.RecordFailure("10.0.0.49");
  EXPECT_TRUE(throttle.HeldBack("10.0.0.49"));
}

TEST(AuthGate, ThrottledAddressIsRefusedEvenWithAGoodToken) {
  ManualClock clock(kStart);
  AuthGate gate(Keys({{"ops", "admin", "good"}}), clock,
                AuthFailureOptions{10, std::chrono::seconds(60), 100});
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(gate.Authenticate("Bearer bad", "127.0.0.1").refusal, AuthRefusal::kUnknown) << i;
  }
  AuthOutcome eleventh = gate.Authenticate("Bearer bad", "127.0.0.1");
  EXPECT_EQ(eleventh.refusal, AuthRefusal::kThrottled);
  EXPECT_EQ(eleventh.retry_after, std::chrono::seconds(60));
  EXPECT_EQ(gate.Authenticate("Bearer good", "127.0.0.1").refusal, AuthRefusal::kThrottled);
  // Another address is not affected, and its success changes nothing here.
  EXPECT_TRUE(gate.Authenticate("Bearer good", "10.1.1.1").who);
  EXPECT_EQ(gate.Authenticate("Bearer good", "127.0.0.1").refusal, AuthRefusal::kThrottled);
  clock.Set(kStart + std::chrono::seconds(60));
  EXPECT_TRUE(gate.Authenticate("Bearer good", "127.0.0.1").who);
}

TEST(AuthGate, MissingHeadersAreNotFailures) {
  ManualClock clock(kStart);
  AuthGate gate(Keys({{"ops", "admin", "good"}}), clock,
                AuthFailureOptions{2, std::chrono::seconds(60), 100});
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(gate.Authenticate("", "127.0.0.1").refusal, AuthRefusal::kMissing);
  }
  EXPECT_TRUE(gate.Authenticate("Bearer good", "127.0.0.1").who);
}

TEST(AuthGate, ExpiryIsReadFromTheGivenClock) {
  ManualClock clock(kStart);
  ApiKeyConfig key{"police-2026", "partner", "p1"};
  key.expires_at = kStart + std::chrono::hours(1);
  AuthGate gate(Keys({key}), clock, AuthFailureOptions{});
  EXPECT_TRUE(gate.Authenticate("Bearer p1", "a").who);
  clock.Set(kStart + std::chrono::hours(1));
  EXPECT_EQ(gate.Authenticate("Bearer p1", "a").refusal, AuthRefusal::kExpired);
}

TEST(AuthGate, ReplacedKeysTakeEffectAtOnce) {
  ManualClock clock(kStart);
  AuthGate gate(Keys({{"old", "partner", "t1"}}), clock, AuthFailureOptions{});
  EXPECT_TRUE(gate.Authenticate("Bearer t1", "a").who);
  gate.Replace(Keys({{"new", "partner", "t2"}}));
  EXPECT_EQ(gate.Authenticate("Bearer t1", "a").refusal, AuthRefusal::kUnknown);
  auto who = gate.Authenticate("Bearer t2", "a").who;
  ASSERT_TRUE(who);
  EXPECT_EQ(who->name, "new");
}

}  // namespace
}  // namespace frontdoor
