#!/usr/bin/env bash
# valgrind memcheck over the core tests of a build (make test-sanitize): any invalid read or
# write, use of uninitialised memory or definite leak fails. Ends with "N passed, N failed".
# VALGRIND_TESTS="test_a test_b" runs a subset.
set -uo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
tests=(${VALGRIND_TESTS:-test_model test_stream test_golden test_rt_safety})
command -v valgrind >/dev/null || { echo "valgrind not installed (make deps)"; echo "0 passed, 1 failed"; exit 1; }
pass=0 fail=0
for t in "${tests[@]}"; do
  bin=$(cd "$build" && pwd)/tests/$t
  if [ ! -x "$bin" ]; then echo "valgrind: $bin not built"; fail=$((fail + 1)); continue; fi
  log=$(cd "$build" && pwd)/valgrind-$t.log
  start=$(date +%s)
  # one BLAS/OpenMP thread: valgrind serialises threads anyway; a time limit per test
  # backends: naive (the reference) and the SIMD kernels, ours (under memcheck oneDNN's JIT and
  # OpenBLAS made test_golden run past 25 minutes, and they are third-party code); test_golden
  # compares the first 0.2 s of each golden output (all of it took longer than 30 minutes)
  (cd "$build" && SW_TEST_BACKENDS=${SW_TEST_BACKENDS:-naive,avx2,avx512,neon} SW_TEST_MAX_SAMPLES=${SW_TEST_MAX_SAMPLES:-9600} OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 timeout "${VALGRIND_TIMEOUT:-1800}" valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
     --show-leak-kinds=definite --track-origins=yes --suppressions="$here/valgrind.supp" --log-file="$log" "$bin" >"$log.out" 2>&1)
  rc=$?
  errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -1)
  if [ $rc -eq 0 ] || [ $rc -eq 77 ]; then
    pass=$((pass + 1)); echo "valgrind $t: clean (${errs:-0} errors, $(( $(date +%s) - start )) s; $(tail -1 "$log.out"))"
  else
    fail=$((fail + 1)); echo "valgrind $t: FAILED (exit $rc, ${errs:-?} errors; log $log)"; grep -m 20 -E "^==[0-9]+== (Invalid|Conditional|Use of|.*definitely)" "$log"
  fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
