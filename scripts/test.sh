#!/usr/bin/env bash
# The whole test suite, from a fresh machine: set-up, lint, type-check, all tests.
# This is the README's test command, and .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
echo "== lint (biome)"
npx biome check .
echo "== type-check (tsc)"
npx tsc -p tsconfig.json --noEmit
echo "== tests (vitest)"
mkdir -p .test-output
# A report left from an earlier run must never be summarised as this one's.
rm -f .test-output/vitest.json
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.test-output/vitest.json || status=$?
# The closing line counts a file or hook that failed outside its tests as failed, too.
node scripts/test-summary.mjs .test-output/vitest.json || [ "$status" != 0 ] || status=1
exit "$status"
