// Every committed fuzz input through its target in the normal build: the
// seed corpora (tests/fuzz/corpus/<target>/) and the minimised inputs of
// crashes once found (tests/fuzz/regressions/<target>/). A crash fails the
// test binary; each target must have seeds, so an emptied corpus fails too.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/fuzz/fuzz_targets.h"

namespace frontdoor::fuzz {
namespace {

const std::filesystem::path kFuzzDir = std::filesystem::path(FRONTDOOR_SOURCE_DIR) / "tests/fuzz";

std::vector<std::filesystem::path> Inputs(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) out.push_back(entry.path());
  }
  return out;
}

}  // namespace

// The target by its name in test output.
void PrintTo(const NamedTarget& target, std::ostream* os) { *os << target.name; }

namespace {

class FuzzReplayTest : public ::testing::TestWithParam<NamedTarget> {};

TEST_P(FuzzReplayTest, EveryCorpusAndRegressionInputRunsThrough) {
  const NamedTarget& target = GetParam();
  auto seeds = Inputs(kFuzzDir / "corpus" / target.name);
  ASSERT_FALSE(seeds.empty()) << "no seeds in tests/fuzz/corpus/" << target.name;
  auto regressions = Inputs(kFuzzDir / "regressions" / target.name);
  seeds.insert(seeds.end(), regressions.begin(), regressions.end());
  for (const auto& file : seeds) {
    SCOPED_TRACE(file.string());
    std::ifstream in(file, std::ios::binary);
    ASSERT_TRUE(in) << "cannot read " << file;
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    target.run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplayTest, ::testing::ValuesIn(kTargets),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace frontdoor::fuzz
