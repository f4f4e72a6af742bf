// Backtests on a real store: contacts decided by the default policy are
// replayed against a changed copy of it, and every change of route and level
// is counted with example contacts; the store is read as a secondary
// instance while the writer still has it open. (How the counts are shown is
// tested in tests/adapters/backtest_table_test.cc.)
#include "engine/backtest.h"

#include <fstream>
#include <future>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/processor.h"
#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using testing::DefaultPolicy;
using ::testing::Each;
using testing::kTuesday10am;
using testing::ReadFile;
using testing::SchoolContact;
using ::testing::StartsWith;
using testing::TempDir;

// The default policy with universal needs sent to early help at level 2.
std::shared_ptr<const rules::Policy> StricterPolicy() {
  std::filesystem::path dir = std::filesystem::path(FRONTDOOR_SOURCE_DIR) / "rules/policies";
  std::string text = ReadFile(dir / "default.yaml");
  const std::string from =
      "          route: SIGNPOST\n          level: 1\n          letter: signposting";
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos);
  text.replace(at, from.size(),
               "          route: EARLY_HELP\n          level: 2\n          letter: early_help");
  auto policy = rules::Policy::LoadText(text, "stricter.yaml", dir);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return *policy;
}

TEST(Backtest, CountsHowAnotherPolicyWouldHaveRouted) {
  TempDir dir;
  auto store = std::move(*Store::Open(dir.path() / "db"));
  ManualClock clock(kTuesday10am);
  PolicySlot policies(DefaultPolicy());
  Processor processor(*store, clock, policies, nullptr);
  ASSERT_TRUE(processor.Start().ok());
  std::vector<std::future<CommandResult>> done;
  auto submit = [&](v1::Concern::Code concern, int n) {
    for (int i = 0; i < n; ++i) {
      v1::ContactSubmission s = SchoolContact();
      s.clear_concerns();
      s.add_concerns(concern);
      s.mutable_children(0)->set_given_name("Child" + std::to_string(done.size()));
      auto promise = std::make_shared<std::promise<CommandResult>>();
      done.push_back(promise->get_future());
      ASSERT_TRUE(processor.Submit(SubmitContact{s, KeyActor("example-school"), "", ""},
                                   [promise](CommandResult r) { promise->set_value(r); }));
    }
  };
  submit(v1::Concern::PARENTING_SUPPORT, 4);  // universal needs: SIGNPOST, level 1
  submit(v1::Concern::NEGLECT, 3);            // possible harm: MASH
  for (auto& f : done) ASSERT_TRUE(f.get().status.ok());

  // Read while the writer still holds the store.
  StoreOptions read_only;
  read_only.read_only = true;
  auto secondary = Store::Open(dir.path() / "db", read_only);
  ASSERT_TRUE(secondary.ok()) << secondary.status();
  auto policy = StricterPolicy();
  uint64_t progress_calls = 0;
  BacktestOptions options;
  options.progress = [&](uint64_t, uint64_t) { ++progress_calls; };
  auto report = Backtest(**secondary, *policy, *DefaultPolicy().calendar, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->contacts, 7u);
  EXPECT_EQ(report->route_changes, 4u);
  EXPECT_EQ(report->level_changes, 4u);
  const BacktestCell& moved = report->routes.at({v1::Route::SIGNPOST, v1::Route::EARLY_HELP});
  EXPECT_EQ(moved.count, 4u);
  EXPECT_EQ(moved.examples.size(), 3u);
  EXPECT_EQ(report->routes.at({v1::Route::MASH, v1::Route::MASH}).count, 3u);
  EXPECT_EQ(report->levels.at({1, 2}).count, 4u);
  EXPECT_GE(progress_calls, 1u);
  EXPECT_THAT(moved.examples, Each(StartsWith("FD-0000000")));
  EXPECT_TRUE(report->routes.at({v1::Route::MASH, v1::Route::MASH}).examples.empty());
  EXPECT_EQ(report->old_versions.size(), 1u);

  // A range of days reads only the contacts received in it.
  options.from = std::chrono::year_month_day{std::chrono::year(2026), std::chrono::November,
                                             std::chrono::day(25)};
  auto none = Backtest(**secondary, *policy, *DefaultPolicy().calendar, options);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->contacts, 0u);
  processor.Stop();
}

}  // namespace
}  // namespace frontdoor
