#!/usr/bin/env bash
# The whole suite, as CI runs it: installs what is missing, builds Release
# with warnings as errors, builds the server once more with clang and
# -Wthread-safety so that every GUARDED_BY annotation is checked, then runs
# every test with ctest. Non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys relative to the checkout, so another clone of it hits the cache.
export CCACHE_BASEDIR="$PWD"

deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFRONTDOOR_WERROR=ON
cmake --build build -j"$(nproc)"

# Thread-safety analysis: a second build of the server with clang (tests
# left out: the analysis is about the engine and adapters). ccache keeps the
# repeat cheap.
cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
  -DFRONTDOOR_WERROR=ON -DFRONTDOOR_THREAD_SAFETY=ON -DFRONTDOOR_TESTS=OFF
cmake --build build-clang -j"$(nproc)" --target frontdoor
echo "thread-safety build (clang -Wthread-safety -Werror): ok"

ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 600

# Sanitizers and fuzzing (tests/fuzz/README.md), behind FRONTDOOR_SANITIZERS=1
# until their build and run times are measured on a 2-core machine against
# CI's 40-minute budget; the fuzz corpora and regressions are replayed by
# fuzz_replay_test in the ctest run above either way.
if [[ "${FRONTDOOR_SANITIZERS:-0}" != 1 ]]; then
  exit 0
fi

# Sanitizers, in clang trees of their own (tests/fuzz/README.md). ASan and
# UBSan (any report fails, leaks too) over one tree that also builds the
# libFuzzer targets: the unit and integration tests (not e2e or benchmarks,
# whose browsers and load add nothing under a sanitizer), then each fuzz
# target for 30 s from its committed seeds.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DFRONTDOOR_FUZZ=ON -DFRONTDOOR_SANITIZE=address,undefined
cmake --build build-asan -j"$(nproc)"
ctest --test-dir build-asan --output-on-failure -j"$(nproc)" --timeout 900 -LE 'e2e|bench'
echo "address+undefined sanitizer tests: ok"
tests/fuzz/run.sh build-asan "${FRONTDOOR_FUZZ_SECONDS:-30}"
echo "fuzz targets: no crashes"

# TSan: the engine's tests and the HTTP units (the writer thread, the
# timer loop, the outbox, the Api over a real store), in a tree of their
# own; only these binaries are built, and each runs from the checkout as
# ctest would run it.
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DFRONTDOOR_SANITIZE=thread
tsan_tests=($(grep -ho 'frontdoor_test([a-z_]*' tests/engine/CMakeLists.txt | cut -d'(' -f2)
            http_units_test delivery_handlers_test)
cmake --build build-tsan -j"$(nproc)" --target "${tsan_tests[@]}"
for t in "${tsan_tests[@]}"; do
  bin=$(find build-tsan/tests -type f -name "$t" -perm -u+x | head -1)
  "$bin" --gtest_brief=1
done
echo "thread sanitizer tests: ok"
