#!/usr/bin/env bash
# slimwave.lv2 in jalv, a real host with its own audio and worker threads, on a JACK server with
# the dummy driver (no sound card): the plugin restores its model from a saved state (jalv -l) and
# the slim knob, set from jalv's console, changes the width it reports; a bundle made by
# `slimwave lv2` plays its built-in model. Needs jalv and jackd (tools/packages.txt).
# usage: test_lv2_jalv.sh SLIMWAVE BUILD_DIR
set -u
sw=$1
build=$(cd "$2" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SLIMWAVE_SHARED:-$root/../shared}
[ -d "$shared" ] || { echo "skipped: ../shared is absent (models)"; exit 77; }
for t in jalv jackd; do command -v $t > /dev/null || { echo "skipped: $t is not installed (make deps)"; exit 77; }; done
pass=0
fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
work=$(mktemp -d /tmp/sw_test_jalv_XXXXXX)
server=sw_test_$$
jack=
cleanup() { [ -n "$jack" ] && kill "$jack" 2> /dev/null && wait "$jack" 2> /dev/null; rm -rf "$work"; }
trap cleanup EXIT
export JACK_NO_AUDIO_RESERVATION=1 JACK_DEFAULT_SERVER=$server
jackd --no-realtime -n "$server" -d dummy -r 48000 -p 256 > "$work/jackd.log" 2>&1 &
jack=$!
for _ in $(seq 50); do grep -q "starting" "$work/jackd.log" 2> /dev/null && break; sleep 0.1; done
sleep 0.3
check "jackd (dummy driver) runs" 'kill -0 $jack 2> /dev/null'

# jalv console: print the output ports, move the knob, print them again (with time for the
# switch: a receptive field of warm-up and the crossfade)
console() { sleep 0.5; echo monitors; for v in "$@"; do echo "set slim $v"; sleep 1; echo monitors; done; }
widths() { grep -o 'width = [0-9]*' "$1" | awk '{print $3}' | tr '\n' ' '; }

a2=$(cd "$shared/models" && pwd)/na_boss_sd1_a2.nam
mkdir "$work/state"
cat > "$work/state/manifest.ttl" << 'TTL'
@prefix lv2: <http://lv2plug.in/ns/lv2core#> .
@prefix pset: <http://lv2plug.in/ns/ext/presets#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<state.ttl> a pset:Preset ; lv2:appliesTo <urn:slimwave:lv2> ; rdfs:seeAlso <state.ttl> .
TTL
cat > "$work/state/state.ttl" << TTL
@prefix atom: <http://lv2plug.in/ns/ext/atom#> .
@prefix lv2: <http://lv2plug.in/ns/lv2core#> .
@prefix pset: <http://lv2plug.in/ns/ext/presets#> .
@prefix state: <http://lv2plug.in/ns/ext/state#> .
<> a pset:Preset ; lv2:appliesTo <urn:slimwave:lv2> ;
  state:state [ <urn:slimwave:lv2#model> "$a2"^^atom:Path ] .
TTL
console 0.2 0.9 | LV2_PATH="$build/lv2" timeout 20 jalv -n sw_a2 -l "$work/state" urn:slimwave:lv2 > "$work/a2.out" 2> "$work/a2.err"
rc=$?
check "jalv with the saved state exits 0 (exit $rc)" '[ $rc -eq 0 ]'
check "the state's model is loaded" 'grep -q "state: loaded .*na_boss_sd1_a2.nam: SlimmableContainer" "$work/a2.err"'
w=$(widths "$work/a2.out")
echo "A2 container, slim 1 -> 0.2 -> 0.9: widths $w"
check "the knob picks the submodels (widths \"$w\", want 8 3 8)" '[ "$w" = "8 3 8 " ]'

mkdir "$work/bundles"
"$sw" lv2 "$shared/models/na_boss_sd1_standard.nam" --out "$work/bundles/sd1.lv2" --uri urn:slimwave:test-jalv > /dev/null
console 0.0 0.5 | LV2_PATH="$work/bundles" timeout 20 jalv -n sw_sd1 urn:slimwave:test-jalv > "$work/sd1.out" 2> "$work/sd1.err"
rc=$?
check "jalv with a slimwave lv2 bundle exits 0 (exit $rc)" '[ $rc -eq 0 ]'
w=$(widths "$work/sd1.out")
echo "built-in A1 standard, slim 1 -> 0 -> 0.5: widths $w"
check "its built-in model plays at every knob setting (widths \"$w\", want 16 1 9)" '[ "$w" = "16 1 9 " ]'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
