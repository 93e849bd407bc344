#!/usr/bin/env bash
# The schedule study's machinery end to end on the smoke profile of experiments/schedules.json
# (real DI through a real capture: needs ../shared): the generated makefile runs 8 train cells
# (2 seeds x 2 dedicated widths and 2 arms) and no bench cell, collect and report write the rows,
# the table and the plots; the rows name arm, trainer schedule and seed; every arm got the same
# sample-passes (sandwich:2 a quarter of the epochs, with the lr decay per epoch to the 4th); the
# trainer got the paper's loss and NAM's validation; a dedicated model is a model of its width; the
# table's ratios are recomputed here from the rows. Then the reference: publish copies the run
# (not its work folder), the next report sets this run beside it (same recipe, or which settings
# differ), --reference re-renders it alone, publish refuses an unfinished run; estimate times the
# models; a profile whose epochs equal passes cannot divide is refused before any cell runs.
# usage: test_schedules_smoke.sh SLIMWAVE RESULTS_DIR   (run from the source root)
set -u
sw=$(realpath "$1")
R=$(realpath -m "$2") # absolute: some steps run from another folder
src=$PWD
exp=experiments/schedules.json
opts=(--profile smoke --results "$R")
shared=${SLIMWAVE_SHARED:-../shared}
if [ ! -d "$shared/models" ] || [ ! -d "$shared/datasets/di_guitar_nam_wasm" ]; then
  echo "skipped: $shared (real DI and captures) is not there"
  exit 77
fi
pass=0
fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
py() { python3 -c "$@"; }

rm -rf "$R" "$R.clone"
mkdir -p "$R"
"$sw" sweep plan "$exp" "${opts[@]}" --phase train > "$R/plan-train.txt"
"$sw" sweep plan "$exp" "${opts[@]}" --phase bench > "$R/plan-bench.txt"
check "plan: 8 train cells (2 seeds x 4 models)" '[ "$(wc -l < "$R/plan-train.txt")" -eq 8 ]'
check "plan: no bench cells (the study times nothing)" '[ ! -s "$R/plan-bench.txt" ]'
"$sw" sweep plan "$exp" "${opts[@]}" --make > "$R/cells.mk"
check "the cells run (make -j2)" 'make -s -f "$R/cells.mk" -j2 all > "$R/log-cells.txt" 2>&1'
check "collect" '"$sw" sweep collect "$exp" "${opts[@]}" > "$R/log-collect.txt" 2>&1'
check "report" '"$sw" report "$exp" "${opts[@]}" > "$R/log-report.txt" 2>&1'
[ "$fail" -eq 0 ] || { tail -30 "$R"/log-*.txt; finish; }
ds=captured-jcm2000-crunch
check "rows: arm, trainer schedule and seed of every cell; esr at the widths each trains" 'py "
import csv, sys
r = list(csv.DictReader(open(sys.argv[1])))
esr = [x for x in r if x[\"metric\"] == \"esr\"]
cells = {(x[\"model\"], x[\"schedule\"], x[\"seed\"]) for x in esr}
want = {(m, s, k) for m, s in [(\"fixed-2\", \"fixed\"), (\"fixed-8\", \"fixed\"), (\"uniform\", \"uniform\"), (\"sandwich-2\", \"sandwich:2\")] for k in \"12\"}
assert cells == want, cells
w = lambda m: sorted({int(x[\"channels\"]) for x in esr if x[\"model\"] == m})
assert w(\"fixed-2\") == [2] and w(\"fixed-8\") == [8] and w(\"uniform\") == list(range(1, 9)), (w(\"fixed-2\"), w(\"uniform\"))
assert {x[\"width_pct\"] for x in esr if x[\"model\"] == \"fixed-2\"} == {\"25\"}
assert all(x[\"dataset\"] == sys.argv[2] for x in r)
" "$R/results.csv" "$ds"'
check "equal compute: every cell the same sample-passes, sandwich:2 in a quarter of the epochs" 'py "
import csv, sys
p = {(x[\"model\"], x[\"seed\"]): (float(x[\"value\"]), int(x[\"epoch\"])) for x in csv.DictReader(open(sys.argv[1])) if x[\"metric\"] == \"sample_passes\"}
assert len(p) == 8 and len({v for v, e in p.values()}) == 1, p
assert all(e == (1 if m == \"sandwich-2\" else 4) for (m, s), (v, e) in p.items()), p
" "$R/results.csv"'
meta() { py "import json,sys; print(json.load(open(sys.argv[1]))['metadata']['training']['settings'][sys.argv[2]])" "$R/work/${ds}__$1__s1/model.nam" "$2"; }
check "the trainer got the paper's loss and NAM's validation" '[ "$(meta uniform loss)" = paper ] && meta uniform validation | grep -q "^nam"'
check "sandwich:2 trained 1 epoch with the lr decay per epoch 0.994^4" '[ "$(meta sandwich-2 epochs)" = 1 ] && py "import sys; assert abs(float(sys.argv[1]) - 0.994 ** 4) < 1e-12" "$(meta sandwich-2 decay)"'
check "the arms keep the epoch best over all widths" '[ "$(meta uniform best_by)" = "mean ESR over widths" ]'
check "a dedicated model is a model of its width (2 channels), not a slice of the 8-channel one" \
  '"$sw" info "$R/work/${ds}__fixed-2__s1/model.nam" | grep -q "array 0: channels 2,"'
check "the table's ratio at 2 channels is the arm's mean ESR over seeds over the dedicated model's (min-max over seeds)" 'py "
import csv, sys
r = [x for x in csv.DictReader(open(sys.argv[1])) if x[\"metric\"] == \"esr\" and x[\"channels\"] == \"2\"]
v = lambda m: [float(x[\"value\"]) for x in r if x[\"model\"] == m]
d = sum(v(\"fixed-2\")) / 2
cell = \"%.2f (%.2f-%.2f)\" % (sum(v(\"uniform\")) / 2 / d, min(v(\"uniform\")) / d, max(v(\"uniform\")) / d)
row = [l for l in open(sys.argv[2]) if l.startswith(\"| 2 | 76 |\")]
assert len(row) == 1 and cell in row[0].replace(\"**\", \"\"), (cell, row)
" "$R/results.csv" "$R/schedules.md"'
passes=$(py "import csv,sys; print('%.3g' % max(float(x['value']) for x in csv.DictReader(open(sys.argv[1])) if x['metric'] == 'sample_passes'))" "$R/results.csv")
check "the table states the compute per arm" 'grep -q "^## Compute per arm" "$R/schedules.md" && [ "$(grep -c "^| \(fixed-2\|fixed-8\|uniform\|sandwich-2\) | .* | $passes |$" "$R/schedules.md")" -eq 4 ]'
check "the table says which arm comes closest to the goal" 'grep -q "^Closest: \*\*\(uniform\|sandwich-2\)\*\*, worst ratio" "$R/schedules.md"'
check "the table says how far each arm is from converged" '[ "$(sed -n "/^## How far from converged/,\$p" "$R/schedules.md" | grep -c "^| $ds | ")" -eq 4 ]'
check "the table says there is no reference yet" 'grep -q "No committed reference for this run yet (.results/reference/schedules-captured-smoke/.)" "$R/schedules.md"'
for f in pareto_$ds compute_${ds}_c8 compute_${ds}_c2; do
  check "plot $f.png and .svg" '[ -s "$R/plots/$f.png" ] && [ -s "$R/plots/$f.svg" ]'
done
check "the Pareto plot shows every arm and the dedicated models" 'for t in dedicated uniform sandwich-2; do grep -q ">$t<" "$R/plots/pareto_$ds.svg" || exit 1; done'

# the reference: published from a run, set beside the next report, re-rendered alone
T=$R.clone # outside the run folder, which publish copies
mkdir -p "$T"
ref=$T/results/reference/schedules-captured-smoke
check "publish copies the finished run, without its work folder" '(cd "$T" && "$sw" sweep publish "$src/$exp" "${opts[@]}") > "$R/log-publish.txt" 2>&1 && [ -s "$ref/results.csv" ] && [ -s "$ref/recipe.json" ] && [ -s "$ref/rows/${ds}__uniform__s2.csv" ] && [ ! -e "$ref/work" ]'
check "the next report sets the run beside the reference, same recipe" '(cd "$T" && "$sw" report "$src/$exp" "${opts[@]}" --no-plots) > /dev/null 2>&1 && grep -q "followed the same recipe" "$R/schedules.md" && grep -q "^| $ds | uniform | [0-9.]* | [0-9.]* |$" "$R/schedules.md"'
py "import json,sys; p=sys.argv[1]; r=json.load(open(p)); r['profile']['epochs']=8; json.dump(r, open(p,'w'))" "$ref/recipe.json"
check "a reference made with other settings is named as such" '(cd "$T" && "$sw" report "$src/$exp" "${opts[@]}" --no-plots) > /dev/null 2>&1 && grep -q "was made with another recipe\*\*: profile.epochs 4 vs 8" "$R/schedules.md"'
check "--reference re-renders the reference alone (nothing trained, no comparison with itself)" '(cd "$T" && "$sw" report "$src/$exp" --profile smoke --reference --no-plots) > /dev/null 2>&1 && [ -s "$ref/schedules.md" ] && ! grep -q "Beside the committed reference" "$ref/schedules.md" && [ ! -e "$T/datasets" ]'
check "make RENDER=1 only renders" 'make -s -n -C "$src" schedules RENDER=1 BUILD=/nonexistent 2>/dev/null | grep -q "report experiments/schedules.json --profile quick *--reference" && ! make -s -n -C "$src" schedules RENDER=1 BUILD=/nonexistent 2>/dev/null | grep -q "sweep plan"'
cp -r "$R/rows" "$R/partial-rows" && mkdir -p "$R/partial" && mv "$R/partial-rows" "$R/partial/rows" && cp "$R"/*.json "$R/results.csv" "$R/partial/"
rm "$R/partial/rows/${ds}__uniform__s1.csv"
check "publish refuses an unfinished run" '! (cd "$T" && "$sw" sweep publish "$src/$exp" --profile smoke --results "$R/partial") > "$R/log-publish2.txt" 2>&1 && grep -q "1 cells not run yet (${ds}__uniform__s1 first)" "$R/log-publish2.txt"'

# estimate: each model a few epochs, seconds per epoch and the sweep's wall time
check "estimate times every model and sizes the sweep" '"$sw" sweep estimate "$exp" "${opts[@]}" --epochs 1 > "$R/estimate.csv" 2> "$R/log-estimate.txt" && py "
import csv, sys
r = {x[\"model\"]: x for x in csv.DictReader(open(sys.argv[1]))}
assert set(r) == {\"fixed-2\", \"fixed-8\", \"uniform\", \"sandwich-2\"}, r
assert r[\"sandwich-2\"][\"passes_per_minibatch\"] == \"4\" and r[\"sandwich-2\"][\"epochs\"] == \"1\" and r[\"uniform\"][\"epochs\"] == \"4\"
assert all(float(x[\"wall_s_per_epoch\"]) > 0 and float(x[\"cpu_s_per_epoch\"]) > 0 and x[\"cells\"] == \"2\" for x in r.values())
" "$R/estimate.csv" && grep -q "estimate: 8 train cells, .* on 2 idle cores about" "$R/log-estimate.txt"'
# equal compute needs epochs divisible by every arm's sub-steps
sed -e 's/"epochs": 4, "batch": 4/"epochs": 6, "batch": 4/' -e "s|\"archs/|\"$src/experiments/archs/|" "$exp" > "$R/odd.json"
check "a profile whose epochs the sandwich's 4 sub-steps cannot divide is refused before any cell runs" \
  '! "$sw" sweep plan "$R/odd.json" "${opts[@]}" > /dev/null 2> "$R/log-odd.txt" && grep -q "equal_passes needs epochs (6) divisible by the 4 sub-steps of a mini-batch of model sandwich-2" "$R/log-odd.txt"'
finish
