// Stored policy versions stay readable: one stored before policies had to be
// UTF-8 (a Windows-1252 byte in a comment made it "cannot parse stored
// policy version" and its contacts answer 500) is read back from the store
// on disk and rebuilt. A reload's version is stored by the single writer.
// And instants past year 9999 saturate in ToProto rather than abort the
// process.
#include <gtest/gtest.h>

#include "engine/policy_library.h"
#include "engine/processor.h"
#include "engine/store.h"
#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using testing::DefaultPolicy;
using testing::TempDir;

TEST(PolicyLibraryTest, AStoredVersionThatIsNotUtf8StaysReadable) {
  TempDir dir;
  ActivePolicy active = DefaultPolicy();
  v1::PolicyVersion record = ToPolicyVersion(*active.policy, TimePoint(Millis(0)));
  record.set_version("sha256:0000cp1252000000");
  record.set_text(record.text() + "\n# caf\xe9 (Windows-1252)\n");
  {
    auto store = Store::Open(dir.path() / "db");
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->PutPolicyVersion(record).ok());
  }
  auto store = Store::Open(dir.path() / "db");
  ASSERT_TRUE(store.ok()) << store.status();
  auto stored = (*store)->GetPolicyVersion(record.version());
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->text(), record.text());
  PolicySlot slot(active);
  PolicyLibrary library(**store, slot);
  auto policy = library.Get(record.version());
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ((*policy)->label(), active.policy->label());
}

// A reload stores its version through the Processor's single writer (it
// used to write beside it), and once only.
TEST(PolicyLibraryTest, AReloadedVersionIsStoredByTheSingleWriter) {
  TempDir dir;
  auto store = Store::Open(dir.path() / "db");
  ASSERT_TRUE(store.ok()) << store.status();
  ActivePolicy active = DefaultPolicy();
  PolicySlot slot(active);
  ManualClock clock(testing::kTuesday10am);
  MetricsRegistry metrics;
  Processor processor(**store, clock, slot, &metrics);
  ASSERT_TRUE(processor.Start().ok());
  const std::string version = active.policy->version();
  ASSERT_FALSE((*store)->GetPolicyVersion(version)->has_value());
  ASSERT_TRUE(RememberPolicy(processor, *active.policy, clock.Now()).ok());
  auto stored = (*store)->GetPolicyVersion(version);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(FromProto((*stored)->loaded_at()), testing::kTuesday10am);
  // Remembered again later: the first record stays.
  clock.Set(clock.Now() + std::chrono::hours(1));
  ASSERT_TRUE(RememberPolicy(processor, *active.policy, clock.Now()).ok());
  EXPECT_EQ(FromProto((*(*store)->GetPolicyVersion(version))->loaded_at()), testing::kTuesday10am);
  processor.Stop();
}

TEST(ProtoTimeTest, InstantsPastYear9999Saturate) {
  TimePoint far = kLatestInstant + Millis(int64_t{1} << 50);
  google::protobuf::Timestamp ts = ToProto(far);
  EXPECT_EQ(FromProto(ts), kLatestInstant);
  EXPECT_EQ(FromProto(ToProto(kEarliestInstant - Millis(1))), kEarliestInstant);
}

}  // namespace
}  // namespace frontdoor
