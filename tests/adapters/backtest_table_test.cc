// The terminal tables of a backtest, from counts made by hand: the head,
// both tables with "." for empty cells, the changes with their examples, and
// the progress line with and without a known total.
#include "adapters/cli/backtest_table.h"

#include <gtest/gtest.h>

namespace frontdoor {
namespace {

BacktestReport SampleReport() {
  BacktestReport report;
  report.contacts = 7;
  report.route_changes = 4;
  report.level_changes = 4;
  report.routes[{v1::Route::SIGNPOST, v1::Route::EARLY_HELP}] = {4, {"FD-00000001", "FD-00000002"}};
  report.routes[{v1::Route::MASH, v1::Route::MASH}] = {3, {}};
  report.levels[{1, 2}] = {4, {"FD-00000001"}};
  report.levels[{3, 3}] = {3, {}};
  report.old_versions["sha256:abc"] = 6;
  report.old_versions[""] = 1;
  report.seconds = 1.04;
  return report;
}

TEST(BacktestTables, HeadTablesAndChanges) {
  EXPECT_EQ(BacktestTables(SampleReport(), "Stricter", "sha256:def"),
            "Backtest of \"Stricter\" (sha256:def) against 7 stored contacts, 1.0 s\n"
            "Route changed for 4, level changed for 4.\n"
            "Recommended then by: (unknown) (1) sha256:abc (6)\n"
            "\n"
            "Routes (rows: recommended then; columns: under this policy)\n"
            "  then \\ now  EARLY_HELP        MASH\n"
            "    SIGNPOST           4           .\n"
            "        MASH           .           3\n"
            "Route changes, with example contacts:\n"
            "  SIGNPOST -> EARLY_HELP: 4 (e.g. FD-00000001 FD-00000002)\n"
            "\n"
            "Levels (rows: then; columns: under this policy)\n"
            "  then \\ now     level 2     level 3\n"
            "     level 1           4           .\n"
            "     level 3           .           3\n"
            "Level changes, with example contacts:\n"
            "  level 1 -> level 2: 4 (e.g. FD-00000001)\n");
}

TEST(BacktestTables, NoChangesSaysNone) {
  BacktestReport report;
  report.routes[{v1::Route::ROUTE_UNSPECIFIED, v1::Route::ROUTE_UNSPECIFIED}] = {1, {}};
  std::string text = BacktestTables(report, "P", "v");
  EXPECT_NE(text.find("Route changes, with example contacts:\n  none\n"), std::string::npos);
  EXPECT_NE(text.find("      (none)           1\n"), std::string::npos);
}

TEST(BacktestProgress, CountOrBar) {
  EXPECT_EQ(BacktestProgress(20000, 0), "\rbacktest: 20000 contacts");
  EXPECT_EQ(BacktestProgress(50, 100), "\rbacktest [############             ]  50% 50/100");
  EXPECT_EQ(BacktestProgress(100, 100), "\rbacktest [#########################] 100% 100/100");
}

}  // namespace
}  // namespace frontdoor
