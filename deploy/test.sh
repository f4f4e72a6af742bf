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
