#!/bin/sh
# Runs the end-to-end tests of the pages for ctest (tests/e2e/CMakeLists.txt):
#   run.sh install        npm ci here when node_modules is missing or older
#                         than package-lock.json; empties the output folder
#   run.sh test FILE...   node --test on the given test files
# Exits 77 with a message (a failure for ctest: a skipped test fails) when node, npm or
# Debian's chromium is missing. Environment: FRONTDOOR_BINARY (the server),
# FRONTDOOR_E2E_OUTPUT (screenshots and axe reports), CHROMIUM.
set -eu
cd "$(dirname "$0")"
chromium="${CHROMIUM:-/usr/bin/chromium}"

skip() { echo "SKIPPED: $1" >&2; exit 77; }
command -v node >/dev/null 2>&1 || skip "node is not installed (apt-get install nodejs npm)"
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 18 ] || skip "node $(node --version) is too old: playwright-core needs node 18 or newer"
[ -x "$chromium" ] || skip "$chromium is not installed (apt-get install chromium)"

case "${1:-}" in
  install)
    command -v npm >/dev/null 2>&1 || skip "npm is not installed (apt-get install npm)"
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      npm ci --no-audit --no-fund --loglevel=error
    fi
    if [ -n "${FRONTDOOR_E2E_OUTPUT:-}" ]; then
      rm -rf "$FRONTDOOR_E2E_OUTPUT"
      mkdir -p "$FRONTDOOR_E2E_OUTPUT"
    fi
    echo "e2e: node modules ready"
    ;;
  test)
    shift
    [ -d node_modules/playwright-core ] || { echo "node_modules missing: run $0 install" >&2; exit 1; }
    binary="${FRONTDOOR_BINARY:-../../build/frontdoor}"
    [ -x "$binary" ] || { echo "no server binary at $binary" >&2; exit 1; }
    [ -f "$(dirname "$binary")/web/index.html" ] || {
      echo "no web pages at $(dirname "$binary")/web: build the frontdoor_web target" >&2; exit 1; }
    exec node --test --test-concurrency=1 "$@"
    ;;
  *)
    echo "usage: $0 install | test FILE..." >&2
    exit 2
    ;;
esac
