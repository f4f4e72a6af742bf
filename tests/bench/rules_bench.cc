// How long the default policy takes to evaluate one contact, with and
// without the explanation, and just to find the deciding rule. The contacts
// are the data-driven rule cases (tests/rules/cases): synthetic, and varied
// across every table and level. Each iteration evaluates the next contact
// in turn, so the time per iteration is the mean over that mix; the
// "median_ns" counter is the median over the contacts of each one's own
// time, measured in batches.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "rules/policy.h"
#include "rules/rule_cases.h"
#include "tests/support/source_tree.h"

namespace frontdoor::rules {
namespace {

struct Corpus {
  std::shared_ptr<const Policy> policy;
  std::vector<std::unique_ptr<v1::RuleCase>> cases;  // the facts borrow these
  std::vector<Facts> facts;
};

const Corpus& Load() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    auto policy = Policy::LoadFile(frontdoor::testing::DefaultPolicyPath());
    if (!policy.ok()) {
      std::fprintf(stderr, "%s\n", std::string(policy.status().message()).c_str());
      std::exit(1);
    }
    c->policy = *policy;
    auto calendar = CalendarForCases(*c->policy, frontdoor::testing::BankHolidaysPath());
    if (!calendar.ok()) {
      std::fprintf(stderr, "%s\n", std::string(calendar.status().message()).c_str());
      std::exit(1);
    }
    for (const auto& file :
         ListRuleCases(frontdoor::testing::SourceDir() / "tests" / "rules" / "cases")) {
      auto rule_case = LoadRuleCase(file);
      if (!rule_case.ok()) continue;
      c->cases.push_back(std::make_unique<v1::RuleCase>(*std::move(rule_case)));
      auto facts = FactsForCase(*c->cases.back(), *calendar);
      if (facts.ok()) c->facts.push_back(*facts);
    }
    if (c->facts.empty()) {
      std::fprintf(stderr, "no rule cases found under %s\n",
                   frontdoor::testing::SourceDir().c_str());
      std::exit(1);
    }
    return c;
  }();
  return *corpus;
}

template <typename F>
double MedianNanosPerContact(const Corpus& c, F evaluate) {
  constexpr int kBatch = 2000;
  std::vector<double> per_contact;
  for (const Facts& facts : c.facts) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kBatch; ++i) evaluate(facts);
    std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - start;
    per_contact.push_back(elapsed.count() / kBatch);
  }
  std::nth_element(per_contact.begin(), per_contact.begin() + per_contact.size() / 2,
                   per_contact.end());
  return per_contact[per_contact.size() / 2];
}

void BM_Evaluate(benchmark::State& state) {
  const Corpus& c = Load();
  size_t i = 0;
  for (auto _ : state) {
    Evaluation ev = c.policy->Evaluate(c.facts[i]);
    benchmark::DoNotOptimize(ev);
    if (++i == c.facts.size()) i = 0;
  }
  state.counters["contacts"] = static_cast<double>(c.facts.size());
  state.counters["median_ns"] = MedianNanosPerContact(
      c, [&](const Facts& f) { benchmark::DoNotOptimize(c.policy->Evaluate(f)); });
}

void BM_EvaluateFast(benchmark::State& state) {
  const Corpus& c = Load();
  size_t i = 0;
  for (auto _ : state) {
    Evaluation ev = c.policy->EvaluateFast(c.facts[i]);
    benchmark::DoNotOptimize(ev);
    if (++i == c.facts.size()) i = 0;
  }
  state.counters["median_ns"] = MedianNanosPerContact(
      c, [&](const Facts& f) { benchmark::DoNotOptimize(c.policy->EvaluateFast(f)); });
}

void BM_Decide(benchmark::State& state) {
  const Corpus& c = Load();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(c.policy->Decide(c.facts[i]));
    if (++i == c.facts.size()) i = 0;
  }
  state.counters["median_ns"] = MedianNanosPerContact(
      c, [&](const Facts& f) { benchmark::DoNotOptimize(c.policy->Decide(f)); });
}

BENCHMARK(BM_Evaluate)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_EvaluateFast)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_Decide)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace
}  // namespace frontdoor::rules

BENCHMARK_MAIN();
