#!/bin/bash
# tools/kernel-ab.sh REV_A [REV_B]: A/B of one SIMD inference layer between two revisions of
# backends/ (REV_B default: the working tree), for measuring kernel changes on a noisy shared
# host (see bench/kernel_ab/ab.c). One CSV row per width: TSC ticks per layer call (min over
# trials) for A and B, and B/A; below 1 means B is faster.
#   tools/kernel-ab.sh HEAD            # the uncommitted change against the last commit
#   WIDTHS="4 2" BLOCK=64 DIL=8 TRIALS=3000 tools/kernel-ab.sh HEAD~1 HEAD
#   BACKEND=avx512 WIDTHS="16 8" tools/kernel-ab.sh HEAD   # the AVX-512 layer (default avx2)
# Both copies are built with -falign-loops=64: without it, code placement alone moved the
# 2-channel layer by 10% between two copies of the same source. Needs the build (make) for
# libswlib and an x86 CPU with the ISA of BACKEND; both revisions must share core/backend.h's layout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
A=${1:?usage: tools/kernel-ab.sh REV_A [REV_B]}
B=${2:-}
lib=$root/build/libswlib.a
[ -f "$lib" ] || { echo "kernel-ab: $lib: not built (run make)" >&2; exit 1; }
case ${BACKEND:-avx2} in
  avx2) isa="-mavx2 -mfma"; grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo ;;
  avx512) isa="-mavx512f"; grep -qw avx512f /proc/cpuinfo ;;
  *) echo "kernel-ab: BACKEND=$BACKEND: avx2 or avx512" >&2; exit 2 ;;
esac || { echo "kernel-ab: this CPU cannot run ${BACKEND:-avx2}" >&2; exit 1; }
be=${BACKEND:-avx2}
for r in "$A" $B; do
  git -C "$root" rev-parse -q --verify "$r^{commit}" > /dev/null || { echo "kernel-ab: $r: not a revision of $root" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export_rev() { # $1 rev or empty (working tree), $2 dir
  mkdir -p "$2"
  if [ -n "$1" ]; then git -C "$root" archive "$1" backends core | tar -x -C "$2"
  else cp -r "$root/backends" "$root/core" "$2/"; fi
}
export_rev "$A" "$tmp/a"
export_rev "$B" "$tmp/b"
cc=${CC:-gcc}
flags="-std=gnu11 -O3 $isa -falign-loops=64"
for v in a b; do
  $cc $flags -DKSRC="\"$tmp/$v/backends/$be.c\"" -DAB_LAYER=ab_layer_$v -DAB_INIT=ab_init_$v \
    -Dsw_backend_${be}_impl=sw_ab_impl_$v -c "$root/bench/kernel_ab/variant.c" -o "$tmp/$v.o"
done
$cc -std=gnu11 -O2 -I"$root" -o "$tmp/kernel-ab" "$root/bench/kernel_ab/ab.c" "$tmp/a.o" "$tmp/b.o" "$lib" -lm
"$tmp/kernel-ab" "${BLOCK:-64}" "${DIL:-8}" "${TRIALS:-3000}" ${WIDTHS:-16 8 4 3 2 1}
