#!/bin/sh
# Installs the node modules of the test webhook receiver (receiver.mjs) for ctest
# (tests/webhooks/CMakeLists.txt, the fixture webhooks_node_modules) and starts it by hand:
#   run.sh install        npm ci here when node_modules is missing or older than
#                         package-lock.json
#   run.sh start [ARGS]   node receiver.mjs ARGS (prints "listening http://127.0.0.1:NNNN")
# Exits 77 with a message (a failure for ctest: a skipped test fails) when node or npm is missing.
set -eu
cd "$(dirname "$0")"

skip() { echo "SKIPPED: $1" >&2; exit 77; }
command -v node >/dev/null 2>&1 || skip "node is not installed (apt-get install nodejs npm)"
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 18 ] || skip "node $(node --version) is too old: the test receiver needs node 18 or newer"

case "${1:-}" in
  install)
    command -v npm >/dev/null 2>&1 || skip "npm is not installed (apt-get install npm)"
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      npm ci --no-audit --no-fund --loglevel=error
    fi
    echo "webhooks: node modules ready"
    ;;
  start)
    shift
    [ -d node_modules/webhook receiver ] || { echo "node_modules missing: run $0 install" >&2; exit 1; }
    exec node receiver.mjs "$@"
    ;;
  *)
    echo "usage: $0 install | start [ARGS]" >&2
    exit 2
    ;;
esac
