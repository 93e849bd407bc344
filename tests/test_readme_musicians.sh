#!/usr/bin/env bash
# The README's commands for musicians ("For musicians" section, its first sh block), run as written
# from a folder laid out like the source root (build/ and ../shared), with a tiny budget: every
# distill or capture gets --epochs 1 --seconds 30 --threads 2 in place of its own --epochs. Each
# command must succeed and leave what the README says; the capture of a Guitarix amp whose output
# goes above full scale must record its target gain in the model's metadata.
# usage: test_readme_musicians.sh README.md BUILD_DIR
set -u
readme=$1
build=$(cd "$2" && pwd)
shared=${SLIMWAVE_SHARED:-$(cd "$(dirname "$readme")" && pwd)/../shared}
[ -d "$shared" ] || { echo "skipped: ../shared is absent (models and DI)"; exit 77; }
pass=0
fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
work=$(mktemp -d /tmp/sw_test_readme_XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/root"
ln -s "$build" "$work/root/build"
ln -s "$(cd "$shared" && pwd)" "$work/shared"

# the block: from the section heading to the end of its first sh fence, continuation lines joined
block=$(awk '/^### For musicians/ {s = 1} s && /^```sh/ {f = 1; next} f && /^```/ {exit} f' "$readme" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta')
check "the README has the musicians' block" '[ -n "$block" ]'
ncmd=0
while IFS= read -r line; do
  [ -z "${line// }" ] && continue
  case "$line" in
    *"build/slimwave distill"* | *"build/slimwave capture"*)
      line=$(sed -E 's/ --epochs [0-9]+//; s#build/slimwave (distill|capture)#& --epochs 1 --seconds 30 --threads 2#' <<< "$line") ;;
  esac
  ncmd=$((ncmd + 1))
  echo "\$ $line"
  printf '%s\n' "$line" >> "$work/commands.sh"
done <<< "$block"
check "the block has its commands" '[ "$ncmd" -ge 5 ]'
# one shell, as a musician pasting the block: variables carry from line to line; stop at the first failure
(cd "$work/root" && bash -e "$work/commands.sh") > "$work/log.txt" 2>&1
rc=$?
check "every command succeeds (exit $rc; see the log above)" '[ "$rc" -eq 0 ]'
[ "$rc" -eq 0 ] || tail -20 "$work/log.txt"
r=$work/root
check "jcm-slim.nam and its report" '[ -f "$r/jcm-slim.nam" ] && [ -f "$r/jcm-slim.md" ]'
check "chump.nam and its report" '[ -f "$r/chump.nam" ] && [ -f "$r/chump.md" ]'
check "the sweep wrote every width" '[ "$(wc -l < "$r/widths/widths.csv")" -eq 17 ]'
check "the LV2 bundle" '[ -f "$r/jcm-slim.lv2/manifest.ttl" ] && [ -f "$r/jcm-slim.lv2/slimwave.so" ] && [ -f "$r/jcm-slim.lv2/model.nam" ]'
check "the capture's target gain is in the model's metadata" \
  '"$build/slimwave" info "$r/chump.nam" | grep -q "target_gain_db: -1[0-9]\."'
check "and in its report" 'grep -q "| target gain |" "$r/chump.md"'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
