#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (see fuzz/CMakeLists.txt).
#   fuzz/run.sh build DIR [CLANG]                  configure DIR with clang + SW_FUZZ=ON, build them
#   fuzz/run.sh run DIR TARGET SECONDS [CORPUS]    run one target; seeds are made at run time
#   fuzz/run.sh list DIR                           the targets built in DIR
# The run ends with "N passed, N failed" and exits non-zero on any crash, leak, timeout or
# sanitizer report (libFuzzer's own exit code 77 for a crash is mapped to 1, so ctest never
# mistakes it for a skip).
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:?usage: run.sh build|run DIR ...}
dir=${2:?build dir}
case $cmd in
build)
  clang=${3:-clang}
  mkdir -p "$dir"
  cmake -S "$src" -B "$dir" -DCMAKE_C_COMPILER="$clang" -DSW_FUZZ=ON -DCMAKE_BUILD_TYPE=Release >"$dir/configure.log" 2>&1 \
    || { cat "$dir/configure.log"; echo "0 passed, 1 failed"; exit 1; }
  cmake --build "$dir" --target fuzz_all -j"${JOBS:-2}" || { echo "0 passed, 1 failed"; exit 1; }
  echo "1 passed, 0 failed"
  ;;
run)
  target=${3:?target}; secs=${4:?seconds}
  corpus=${5:-$dir/corpus/$target}
  if [ -n "${SW_FUZZ_RUNS:-}" ] && ! [[ $SW_FUZZ_RUNS =~ ^[1-9][0-9]*$ ]]; then
    echo "run.sh: SW_FUZZ_RUNS=$SW_FUZZ_RUNS: a positive count of runs expected"; echo "0 passed, 1 failed"; exit 1
  fi
  # a replay (SW_FUZZ_RUNS) starts from the seeds alone, as on a clean clone
  [ -n "${SW_FUZZ_RUNS:-}" ] && [ -z "${5:-}" ] && rm -rf "$corpus"
  bin=$dir/fuzz/$target
  [ -x "$bin" ] || { echo "$bin: not built (fuzz/run.sh build $dir)"; echo "0 passed, 1 failed"; exit 1; }
  seeds=$dir/seeds/$target
  rm -rf "$seeds"; mkdir -p "$seeds" "$corpus"
  python3 "$src/fuzz/make_seeds.py" "$target" "$seeds" || { echo "0 passed, 1 failed"; exit 1; }
  extra=()
  # ctest sets SW_FUZZ_SEED and SW_FUZZ_RUNS so that CI replays the same mutations every run, on
  # any machine (a red CI then means a change broke something, not that a new input was found by
  # chance): a fixed count of runs, not of seconds, which a faster machine would spend on more
  # inputs; SECONDS is then only a cap for a slow machine. -use_cmp=0: with traced comparisons on,
  # two runs of one seed here ended with different corpora (with setarch -R too, so not only
  # through addresses); without them, identical. make fuzz explores freely, comparisons included.
  [ -n "${SW_FUZZ_SEED:-}" ] && extra+=(-seed="$SW_FUZZ_SEED")
  [ -n "${SW_FUZZ_RUNS:-}" ] && extra+=(-runs="$SW_FUZZ_RUNS" -use_cmp=0)
  [ -f "$src/fuzz/$target.dict" ] && extra+=(-dict="$src/fuzz/$target.dict")
  case $target in
    fuzz_nam) extra+=(-max_len=20000) ;; # small models mutate fast; the real ones run uncut in test_golden
    fuzz_audio) extra+=(-max_len=65536) ;;
    fuzz_cli) extra+=(-max_len=512) ;;
    fuzz_manifest) extra+=(-max_len=4096) ;;
    fuzz_experiment) extra+=(-max_len=16384) ;;
  esac
  log=$dir/$target.log
  artifacts=$dir/artifacts/$target/
  mkdir -p "$artifacts"
  # -fork=0, one process: crashes, leaks (LeakSanitizer), UBSan reports and OOM/timeouts all stop
  # the run with a non-zero code and a reproducer in $artifacts.
  "$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -error_exitcode=1 -timeout_exitcode=1 \
    -print_final_stats=1 -artifact_prefix="$artifacts" "${extra[@]}" "$corpus" "$seeds" >"$log" 2>&1 </dev/null
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  if [ $rc -eq 0 ]; then
    how="in ${secs} s"
    if [ -n "${SW_FUZZ_RUNS:-}" ]; then
      how="of $SW_FUZZ_RUNS (seed ${SW_FUZZ_SEED:-random})"
      [ "${execs:-0}" -lt "$SW_FUZZ_RUNS" ] && how="$how, cut short by the ${secs} s cap"
    fi
    echo "$target: ${execs:-?} executions $how, $cov, corpus $(ls "$corpus" | wc -l) files"
    echo "1 passed, 0 failed"
  else
    tail -n 60 "$log"
    echo "$target: FAILED (exit $rc) after ${execs:-?} executions; reproducer in $artifacts, log $log"
    echo "0 passed, 1 failed"
    exit 1
  fi
  ;;
list) # the targets built in DIR
  for f in "$dir"/fuzz/fuzz_*; do [ -x "$f" ] && [ -f "$f" ] && basename "$f"; done
  ;;
*) echo "usage: run.sh build|run|list DIR ..." >&2; exit 2 ;;
esac
