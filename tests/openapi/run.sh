#!/bin/sh
# Checks of the OpenAPI document docs/openapi.json with its node tools (package.json, pinned by
# package-lock.json), for ctest (tests/openapi/CMakeLists.txt) or by hand:
#   run.sh install    npm ci here when node_modules is missing or older than package-lock.json
#   run.sh lint       @redocly/cli lint with redocly.yaml (problem details on every 4xx an error)
#   run.sh examples   every example validates against its schema (check_examples.mjs, ajv)
# Exits 77 with a message (a failure for ctest: a skipped test fails) when node or npm is missing.
set -eu
cd "$(dirname "$0")"

skip() { echo "SKIPPED: $1" >&2; exit 77; }
command -v node >/dev/null 2>&1 || skip "node is not installed (apt-get install nodejs npm)"
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 18 ] || skip "node $(node --version) is too old: the checks need node 18 or newer"
need_modules() { [ -d node_modules/@redocly/cli ] && [ -d node_modules/ajv ] || { echo "node_modules missing: run $0 install" >&2; exit 1; }; }

case "${1:-}" in
  install)
    command -v npm >/dev/null 2>&1 || skip "npm is not installed (apt-get install npm)"
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      npm ci --no-audit --no-fund --loglevel=error
    fi
    echo "openapi: node modules ready"
    ;;
  lint)
    need_modules
    # No telemetry from a test run.
    REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
      exec node node_modules/@redocly/cli/bin/cli.js lint --config redocly.yaml --format=stylish ../../docs/openapi.json
    ;;
  examples)
    need_modules
    exec node check_examples.mjs ../../docs/openapi.json
    ;;
  *)
    echo "usage: $0 install | lint | examples" >&2
    exit 2
    ;;
esac
