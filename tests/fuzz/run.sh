#!/usr/bin/env bash
# Runs every libFuzzer target of a FRONTDOOR_FUZZ=ON build for a bounded
# time each, from its committed seeds (tests/fuzz/corpus/<target>, read
# only: new inputs go to a scratch folder). Non-zero when any target
# crashes; the crashing input is left in build-fuzz/fuzz-artifacts/ to be
# minimised (-minimize_crash=1) into tests/fuzz/regressions/<target>/.
#   tests/fuzz/run.sh BUILD_DIR SECONDS_PER_TARGET [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?build dir}
seconds=${2:?seconds per target}
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(http_request contact_json policy_yaml open_cases_csv oidc_jwt server_config)
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
failed=0
for t in "${targets[@]}"; do
  scratch=$(mktemp -d)
  log="$artifacts/$t.log"
  if "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=65536 -timeout=25 \
      -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
      "$scratch" "tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t" >"$log" 2>&1; then
    echo "fuzz $t: $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') execs," \
         "cov $(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2), 0 crashes"
  else
    echo "fuzz $t: CRASH (see $log and $artifacts/$t-*)"
    tail -40 "$log"
    failed=1
  fi
  rm -rf "$scratch"
done
exit $failed
