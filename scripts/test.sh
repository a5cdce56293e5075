#!/usr/bin/env bash
# The whole test suite, from a fresh machine: set-up, lint, type-check, all tests.
# This is the README's test command, and .ci/run calls it.
#
# The tests run as two vitest processes side by side: the unit, CLI and conformance tests, and
# the lab tests (real hosts, mostly waiting on them) two files at a time, each file on a slot of
# the lab of its own (test/lab/lab-hosts.ts). Their output is interleaved, each line marked
# [unit] or [lab]; the closing line adds up both reports.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
echo "== lint (biome)"
npx biome check .
echo "== type-check (tsc)"
npx tsc -p tsconfig.json --noEmit
echo "== build"
npm run --silent build
export WIRE_INSTALL_BUILT=1
echo "== tests (vitest): unit, CLI and conformance beside the lab"
mkdir -p .test-output
# A report left from an earlier run must never be summarised as this one's.
rm -f .test-output/vitest*.json

# vitest with a report of its own, each output line marked with NAME.
suite() {
  local name=$1
  shift
  local status=0
  npx vitest run "$@" --reporter=default --reporter=json --outputFile.json=".test-output/vitest-$name.json" 2>&1 |
    sed -u "s/^/[$name] /" || status=$?
  return "$status"
}

# Each suite in a process group of its own (set -m), so that a CI that stops this script stops
# both vitests and everything they started, not only the subshells.
set -m
unit='' lab=''
# Each group is signalled only while its suite has not been waited for (its id is cleared then).
stop_suites() {
  local group
  for group in $unit $lab; do kill -TERM -- "-$group" 2>/dev/null || true; done
  wait
  exit 143
}
trap stop_suites INT TERM
suite unit --project unit --project conformance &
unit=$!
(
  export LAB_SLOTS=2
  suite lab --project lab
) &
lab=$!
unit_status=0 lab_status=0
wait "$unit" || unit_status=$?
unit=''
wait "$lab" || lab_status=$?
lab=''
# The closing line counts a file or hook that failed outside its tests as failed, and a vitest
# that exited with an error its report does not show.
status=0
node scripts/test-summary.mjs ".test-output/vitest-unit.json=$unit_status" ".test-output/vitest-lab.json=$lab_status" ||
  status=1
[ "$unit_status" = 0 ] && [ "$lab_status" = 0 ] || status=1
exit "$status"
