#!/usr/bin/env bash
# make test: run every ctest test, then print the "N passed, N failed" summary line.
set -uo pipefail
build=${1:-build}
log=$(mktemp)
ctest --test-dir "$build" --output-on-failure --timeout 1500 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
total=$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\2/p' "$log" | tail -1)
failed=$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
rm -f "$log"
if [ -z "$total" ]; then echo "0 passed, 1 failed"; exit 1; fi
echo "$((total - failed)) passed, $failed failed"
exit $rc
