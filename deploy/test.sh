#!/usr/bin/env bash
# The whole suite, as CI runs it: installs what is missing, builds Release
# with warnings as errors, and runs every test with ctest. Non-zero on any
# failure.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFRONTDOOR_WERROR=ON
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 600
