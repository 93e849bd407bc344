#!/bin/bash
# tools/model-ab.sh REV_A [REV_B]: A/B of the whole streaming model between two revisions of core/
# and backends/ (REV_B default: the working tree), for changes outside one layer kernel (the block
# loop, history buffers, rechannel and head convs) that tools/kernel-ab.sh cannot see. Each
# revision becomes a shared library (core + naive + AVX2, + AVX-512 when BACKEND=avx512; the
# CMake flags plus -falign-loops=64 as in kernel-ab) with bench/model_ab/shim.c compiled against
# its own headers, so both revisions need the same public calls (sw_model_load, sw_wavenet_*);
# bench/model_ab/ab.c streams the same input through both, alternating trials in one process.
# One CSV row per width: TSC ticks per block (min over trials) for A and B, B/A (below 1: B is
# faster), and the largest output difference between the two (0: bit-identical outputs).
#   tools/model-ab.sh HEAD
#   MODEL=../shared/models/na_boss_sd1_nano.nam WIDTHS="full 2,1" BLOCK=16 tools/model-ab.sh HEAD~1 HEAD
#   SPAN=4500 tools/model-ab.sh HEAD   # 6 s of input at 64-sample blocks: each block's input cold
# Env: MODEL (default the A1 standard), WIDTHS (per-array channels, default full), BLOCK (64),
# TRIALS (200), BACKEND (avx2), SPAN (blocks of distinct input, default 100: all of it stays hot).
# Needs an x86 CPU with AVX2+FMA, gcc, libcjson and libsndfile.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SLIMWAVE_SHARED:-$root/../shared}
A=${1:?usage: tools/model-ab.sh REV_A [REV_B]}
B=${2:-}
grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo || { echo "model-ab: this CPU has no AVX2+FMA" >&2; exit 1; }
for r in "$A" $B; do
  git -C "$root" rev-parse -q --verify "$r^{commit}" > /dev/null || { echo "model-ab: $r: not a revision of $root" >&2; exit 1; }
done
for v in "BLOCK=${BLOCK:-64}" "TRIALS=${TRIALS:-200}" "SPAN=${SPAN:-100}"; do # checked before the two builds, not after
  [[ ${v#*=} =~ ^[1-9][0-9]*$ ]] || { echo "model-ab: $v: a positive integer expected" >&2; exit 1; }
done
span=${SPAN:-100} # at least one trial's 100 blocks; at most what ab.c takes (2^20)
[ ${#span} -le 7 ] && [ "$span" -ge 100 ] && [ "$span" -le 1048576 ] ||
  { echo "model-ab: SPAN=$span: 100..1048576 blocks expected" >&2; exit 1; }
model=${MODEL:-$shared/models/core_wavenet_a1_standard.nam}
[ -r "$model" ] || { echo "model-ab: $model: cannot read" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc=${CC:-gcc}
base="-std=c11 -D_GNU_SOURCE -fPIC -falign-loops=64 -I."
build() { # $1 rev or empty (working tree), $2 dir: $2/lib.so
  mkdir -p "$2"
  if [ -n "$1" ]; then git -C "$root" archive "$1" backends core | tar -x -C "$2"
  else cp -r "$root/backends" "$root/core" "$2/"; fi
  cp "$root/bench/model_ab/shim.c" "$2/"
  (cd "$2"
   for f in core/*.c $(ls backends/naive.c 2>/dev/null) backends/cpu.c shim.c; do # naive.c moved to core/ $cc $base -O2 -c "$f" -o "${f//\//_}.o"; done
   $cc $base -O3 -mavx2 -mfma -c backends/avx2.c -o avx2.o
   have=-DSW_HAVE_AVX2
   if [ "${BACKEND:-avx2}" = avx512 ]; then # -O3 AVX-512 takes gcc about a minute: only when asked for
     $cc $base -O3 -mavx512f -c backends/avx512.c -o avx512.o
     have="$have -DSW_HAVE_AVX512"
   fi
   $cc $base -O2 $have -c backends/registry.c -o registry.o
   $cc -shared -Wl,-Bsymbolic -o lib.so ./*.o $(pkg-config --libs libcjson sndfile) -lm)
}
build "$A" "$tmp/a" & pa=$!
build "$B" "$tmp/b" & pb=$!
wait $pa && wait $pb || { echo "model-ab: build failed" >&2; exit 1; }
$cc -std=gnu11 -O2 -o "$tmp/model-ab" "$root/bench/model_ab/ab.c" -ldl -lm
"$tmp/model-ab" "$tmp/a/lib.so" "$tmp/b/lib.so" "$model" "${BACKEND:-avx2}" "${BLOCK:-64}" "${TRIALS:-200}" "$span" ${WIDTHS:-full}
