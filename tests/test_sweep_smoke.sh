#!/usr/bin/env bash
# The harness end to end on the smoke profile of experiments/paper.json, through the GNU parallel
# path (dataset builds, train cells in parallel, bench cells one at a time), then collect and
# report: rows, results.csv, provenance, the table with a row for every width, the plots, a
# partial report (n/a for cells not run yet, plots without data left out); the paper's recipe (its
# loss, NAM's validation, a dedicated model of each width) and the run's own folder. Then:
# a rerun through the generated makefile skips every finished cell, a sweep killed with SIGKILL
# mid-cell leaves the finished cells' rows whole and resumes, a cell whose work folder another
# process holds is refused, and a corrupted row file is refused by collect with a message naming
# the file and the line.
# usage: test_sweep_smoke.sh SLIMWAVE RESULTS_DIR   (run from the source root)
set -u
sw=$1
R=$2
exp=experiments/paper.json
opts=(--profile smoke --results "$R")
pass=0
fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

rm -rf "$R"
mkdir -p "$R"
"$sw" sweep plan "$exp" "${opts[@]}" --phase datasets > "$R/plan-datasets.txt"
"$sw" sweep plan "$exp" "${opts[@]}" --phase train > "$R/plan-train.txt"
"$sw" sweep plan "$exp" "${opts[@]}" --phase bench > "$R/plan-bench.txt"
check "plan lists 4 train cells" '[ "$(wc -l < "$R/plan-train.txt")" -eq 4 ]'
check "plan lists 4 bench cells" '[ "$(wc -l < "$R/plan-bench.txt")" -eq 4 ]'
# every profile's data goes to the cache under the working directory, not the build's source tree
"$sw" sweep plan "$exp" --profile full --results "$R/full" --phase datasets > "$R/plan-datasets-full.txt"
check "full-profile dataset builds name the working directory's cache" \
  '[ -s "$R/plan-datasets-full.txt" ] && ! grep -v -- "--cache datasets/cache >" "$R/plan-datasets-full.txt"'
if command -v parallel > /dev/null; then
  run() { parallel --will-cite --halt now,fail=1 -j "$1" < "$2"; }
else
  echo "note: GNU parallel not installed; running the planned commands with bash"
  run() { bash -e "$2"; }
fi
check "dataset builds ran" 'run 1 "$R/plan-datasets.txt" > "$R/log-datasets.txt" 2>&1'
check "train cells ran (parallel -j2)" 'run 2 "$R/plan-train.txt" > "$R/log-train.txt" 2>&1'
check "bench cells ran" 'run 1 "$R/plan-bench.txt" > "$R/log-bench.txt" 2>&1'
[ "$fail" -eq 0 ] || { tail -30 "$R"/log-*.txt; finish; }
check "collect" '"$sw" sweep collect "$exp" "${opts[@]}" > "$R/log-collect.txt" 2>&1'
check "report" '"$sw" report "$exp" "${opts[@]}" > "$R/log-report.txt" 2>&1'
[ "$fail" -eq 0 ] || { cat "$R"/log-collect.txt "$R"/log-report.txt; finish; }
# the Slurm script (make test-slurm submits it to real daemons): outside Slurm each phase runs its
# tasks in turn, here all done already
"$sw" sweep plan "$exp" "${opts[@]}" --sbatch > "$R/paper.sbatch"
check "sbatch script: bash accepts it; --chdir is this folder" 'bash -n "$R/paper.sbatch" && grep -qx "#SBATCH --chdir=$(pwd)" "$R/paper.sbatch"'
check "sbatch script outside Slurm: the train phase finds every cell done" 'bash "$R/paper.sbatch" train > "$R/log-sbatch-train.txt" 2>&1 && [ "$(grep -c "done (.* rows), skipped" "$R/log-sbatch-train.txt")" -eq 4 ]'
check "sbatch script without a phase: usage, exit 2" 'bash "$R/paper.sbatch" > /dev/null 2>&1; [ $? -eq 2 ]'
check "sbatch script submit without sbatch: says so, exit 1" 'o=$(env PATH=/nonexistent /bin/bash "$R/paper.sbatch" submit 2>&1); [ $? -eq 1 ] && echo "$o" | grep -q "sbatch not found"'
check "--phase with --sbatch is refused (exit 2)" '"$sw" sweep plan "$exp" "${opts[@]}" --sbatch --phase train > /dev/null 2>&1; [ $? -eq 2 ]'
check "8 row files" '[ "$(ls "$R"/rows/*.csv | wc -l)" -eq 8 ]'
check "results.csv has the schema header" 'head -1 "$R/results.csv" | grep -q "^experiment,profile,cell,dataset,tone,model"'
check "results.csv has esr rows for 8 slimmable widths" '[ "$(grep -c ",slimmable,paper,uniform,.*,esr," "$R/results.csv")" -eq 8 ]'
check "rtf rows for every slimmable width" '[ "$(grep ",slimmable,paper,uniform,.*,rtf," "$R/results.csv" | cut -d, -f10 | sort -u | wc -l)" -eq 8 ]'
check "SDE MAC rows are numbers" 'grep ",sde:::slimwave::MACS," "$R/results.csv" | cut -d, -f14 | grep -qv NA'
check "hardware presets are numbers or NA with a reason" '! grep ",PAPI_TOT_INS,NA,.*,$" "$R/results.csv" | grep -q .'
check "provenance names the commit and the CPU" 'grep -q "\"git_commit\"" "$R/provenance.json" && grep -q "\"cpu_model\"" "$R/provenance.json"'
check "every cell's rows are stamped with the commit that made them" '[ "$(ls "$R"/rows/*.stamp.json | wc -l)" -eq 8 ]'
check "provenance lists the cells' commits" 'python3 -c "import json,sys; p=json.load(open(sys.argv[1])); assert len(p[\"cells\"]) == 8 and p[\"cell_commits\"] == [p[\"git_commit\"]], p.get(\"cell_commits\")" "$R/provenance.json"'
check "each stamp names the CPU and the default backend" 'python3 -c "import json,sys,glob; p=json.load(open(sys.argv[1])); s=[json.load(open(f)) for f in glob.glob(sys.argv[2] + \"/rows/*.stamp.json\")]; assert len(s) == 8 and all(x[\"cpu_model\"] == p[\"cpu_model\"] and x[\"default_backend\"] and x[\"cpu_flags\"] == p[\"cpu_flags\"] for x in s), s[0]; assert p[\"cell_cpus\"] == [p[\"cpu_model\"]], p[\"cell_cpus\"]" "$R/provenance.json" "$R"'
check "bench cells time the profile's repeats (smoke: 3)" 'python3 -c "import csv,sys; r={x[\"repeats\"] for x in csv.DictReader(open(sys.argv[1]))}; assert r == {\"3\"}, r" "$R/work/bench__slimmable__s1/bench.csv"'
check "the timings of trained models say so" '[ "$(grep -c ",rtf,.*,trained weights" "$R/results.csv")" -eq "$(grep -c ",rtf," "$R/results.csv")" ]'
cpu=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"cpu_model\"])" "$R/provenance.json")
check "the table names the machine of the RTF column" 'grep -qF "on $cpu (the bench cells'"'"' machine)" "$R/paper-table.md"'
check "paper-table.md exists" '[ -s "$R/paper-table.md" ]'
check "paper-table.tex exists" '[ -s "$R/paper-table.tex" ]'
check "table: NAM standard row" 'grep -q "^| NAM A1 standard (fixed) |" "$R/paper-table.md"'
for p in 100 75 50 25; do check "table: slimmable $p% row" 'grep -q "^| Slimmable $p% " "$R/paper-table.md"'; done
check "table: fixed-width ablation rows" 'grep -q "^| Fixed full width" "$R/paper-table.md" && grep -q "^| Fixed half width" "$R/paper-table.md"'
check "every-width table has a row for each of the 8 widths" '[ "$(sed -n "/Every width/,/^## The paper/p" "$R/paper-table.md" | grep -c "^| [0-9.]*% |")" -eq 8 ]'
for f in pareto_clean rtf_vs_width efficiency_vs_width counters_vs_width training_curves; do
  check "plot $f.png" '[ -s "$R/plots/$f.png" ]'
  check "plot $f.svg" '[ -s "$R/plots/$f.svg" ]'
done
# the paper's recipe: its loss and NAM's validation reach the trainer and the evaluation; the
# half-width model is a 4-channel model of its own; each width beside its dedicated model
meta() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['metadata']['training']['settings'][sys.argv[2]])" "$R/work/lv2-clean__$1__s1/model.nam" "$2"; }
check "the paper experiment trains with the paper's loss and scores as NAM does" '[ "$(meta slimmable loss)" = paper ] && meta fixed-half validation | grep -q "^nam" && grep -q ",esr,[0-9.e-]*,,,,validation segment from RF-1 samples in (NAM)$" "$R/results.csv"'
check "the half-width model is a 4-channel model trained alone, at 50% of the 8-channel one" \
  '"$sw" info "$R/work/lv2-clean__fixed-half__s1/model.nam" | grep -q "array 0: channels 4," && grep -q ",fixed-half,paper,fixed,1,4,50,1748,esr," "$R/results.csv"'
check "every width of the slimmable model beside the model of that width trained alone" 'python3 -c "
import csv, sys
r = {(x[\"model\"], x[\"channels\"]): float(x[\"value\"]) for x in csv.DictReader(open(sys.argv[1])) if x[\"metric\"] == \"esr\"}
row = [l for l in open(sys.argv[2]) if l.startswith(\"| 50.0% | 4 |\")]
assert len(row) == 1 and row[0].rstrip().endswith(\" | %.2f |\" % (r[(\"slimmable\", \"4\")] / r[(\"fixed-half\", \"4\")])), row
" "$R/results.csv" "$R/paper-table.md"'
check "the table says how far each cell is from converged, and that no reference is committed for it" \
  'grep -q "^## How far from converged" "$R/paper-table.md" && grep -q "No committed reference for this run yet (.results/reference/paper-lv2-smoke/.)" "$R/paper-table.md" && [ -s "$R/recipe.json" ]'
check "make paper-table runs in its own folder; the quick profile is one tone, the paper's four models" \
  '"$sw" sweep plan "$exp" --make | grep -q "^results/paper-lv2-quick/rows/lv2-crunch__slimmable__s1.csv:" && [ "$("$sw" sweep plan "$exp" --phase train | wc -l)" -eq 4 ]'
check "the full profile: four tones, the A1 baselines and a model trained alone at every width 1..8" \
  '[ "$("$sw" sweep plan "$exp" --profile full --phase train | wc -l)" -eq 44 ] && "$sw" sweep plan "$exp" --profile full --phase train | grep -q "lv2-lead__nam-nano__s1" && "$sw" sweep plan "$exp" --profile full --phase train | grep -q "lv2-clean__fixed-7__s1"'
# a partial sweep (the full profile between sittings): cells not run yet read n/a, never nan
P=$R/partial
mkdir -p "$P"
# (and NAM standard timed but not trained: its bench cell's rows without its train cell's)
grep -v -e ",slimmable," -e ",fixed-full," -e ",lv2-[a-z]*__nam-standard__" "$R/results.csv" > "$P/results.csv"
cp "$R/provenance.json" "$P/"
check "a partial report succeeds, leaving out the plots without data" '"$sw" report "$exp" --profile smoke --results "$P" > "$R/log-partial.txt" 2>&1 && [ -s "$P/plots/pareto_clean.png" ] && grep -q "plot counters left out" "$R/log-partial.txt"'
check "a partial Pareto plot titles only the models it shows (empty data blocks shifted the titles)" '! grep -q slimmable "$P/plots/pareto_clean.svg" && grep -q fixed-half "$P/plots/pareto_clean.svg"'
check "a model timed but not trained yet has its table row: RTF, n/a for the ESR" 'grep -q "^| NAM A1 standard (fixed) | [0-9]*x ([a-z0-9]*) | n/a |$" "$P/paper-table.md"'
check "a partial table says n/a where cells have not run, never nan" 'grep -q "Slimmable penalty at full width: ours n/a" "$P/paper-table.md" && ! grep -qw nan "$P/paper-table.md"'
# resume: the generated makefile finds every cell done
"$sw" sweep plan "$exp" "${opts[@]}" --make > "$R/cells.mk"
before=$(cat "$R"/rows/*.csv | md5sum)
check "rerun via make runs no cell again" 'make -s -f "$R/cells.mk" -j2 all > "$R/log-rerun.txt" 2>&1 && ! grep -q ": start" "$R/log-rerun.txt"'
check "rerun leaves the rows as they were" '[ "$(cat "$R"/rows/*.csv | md5sum)" = "$before" ]'
# an interrupted cell (rows gone, model kept) restarts cleanly and reuses the trained model
rm "$R/rows/lv2-clean__fixed-half__s1.csv"
check "a cell without rows runs again, reusing its trained model" '"$sw" sweep cell "$exp" lv2-clean__fixed-half__s1 "${opts[@]}" > "$R/log-again.txt" 2>&1 && [ -s "$R/rows/lv2-clean__fixed-half__s1.csv" ] && ! grep -q "epoch" "$R/log-again.txt"'
# a killed sweep: SIGKILL the whole make (its process group) while a cell runs; the finished
# cells' rows are untouched, the killed cell has no rows (or whole ones, if it beat the kill),
# and rerunning completes it without touching the others
k=lv2-clean__fixed-full__s1
rm -rf "$R/rows/$k.csv" "$R/work/$k"
others=$(ls "$R"/rows/*.csv | grep -v "/$k.csv")
before=$(cat $others | md5sum)
setsid make -s -f "$R/cells.mk" -j2 all > "$R/log-killed.txt" 2>&1 &
pg=$!
for _ in $(seq 1 1200); do [ -e "$R/work/$k" ] && break; sleep 0.05; done
sleep "$((RANDOM % 2)).$((RANDOM % 10))" # somewhere in its first two seconds: training, evaluating or writing
kill -KILL -- -"$pg" 2> /dev/null
wait "$pg" 2> /dev/null
check "killed sweep: the killed cell had started" '[ -e "$R/work/$k" ]'
check "killed sweep: the finished cells' rows are untouched" '[ "$(cat $others | md5sum)" = "$before" ]'
check "killed sweep: the killed cell has no rows, or whole ones" '[ ! -e "$R/rows/$k.csv" ] || "$sw" sweep collect "$exp" "${opts[@]}" > /dev/null 2>&1'
check "killed sweep: the rerun completes it" 'make -s -f "$R/cells.mk" -j2 all > "$R/log-resumed.txt" 2>&1 && [ -s "$R/rows/$k.csv" ]'
check "killed sweep: the rerun left the other cells' rows alone" '[ "$(cat $others | md5sum)" = "$before" ]'
check "killed sweep: collect after the rerun" '"$sw" sweep collect "$exp" "${opts[@]}" > "$R/log-collect2.txt" 2>&1'
# a stop request sent to the sweep process alone (kill PID, a scheduler's SIGTERM) reaches its
# training child, which checkpoints and exits instead of training on orphaned; the rerun resumes.
# Sent once the trainer catches SIGTERM (SigCgt bit 14 in /proc), to the parent alone, with the child
# stopped meanwhile, so that it cannot finish its few seconds of training before the signal arrives.
catches_term() { local m; m=$(awk '/^SigCgt/ {print $2}' "/proc/$1/status" 2> /dev/null); [ -n "$m" ] && (((16#$m & 0x4000) != 0)); }
rm -rf "$R/rows/$k.csv" "$R/work/$k"
"$sw" sweep cell "$exp" "$k" "${opts[@]}" > "$R/log-term.txt" 2>&1 &
parent=$!
child=""
for _ in $(seq 1 2400); do
  child=$(pgrep -f -- "train .*--out $R/work/$k/model.nam" | head -1)
  [ -n "$child" ] && catches_term "$child" && break
  sleep 0.025
done
check "term: the cell's trainer started and catches SIGTERM" '[ -n "$child" ] && catches_term "$child"'
kill -STOP "$child" 2> /dev/null
kill -TERM "$parent"
kill -CONT "$child" 2> /dev/null
wait "$parent" 2> /dev/null
check "term: the trainer got the stop request and wrote its checkpoint" 'grep -q "interrupted in epoch" "$R/log-term.txt" && [ -s "$R/work/$k/model.ckpt" ]'
check "term: no trainer left running" '! pgrep -f -- "train .*--out $R/work/$k/model.nam" > /dev/null'
check "term: no rows from the stopped cell" '[ ! -e "$R/rows/$k.csv" ]'
check "term: the rerun resumes from the checkpoint and finishes" '"$sw" sweep cell "$exp" "$k" "${opts[@]}" > "$R/log-term2.txt" 2>&1 && grep -q "resuming from" "$R/log-term2.txt" && [ -s "$R/rows/$k.csv" ]'
# a cell whose work folder another process holds (a second make, a Slurm job) is refused, not run twice
c=lv2-clean__fixed-half__s1
rm -f "$R/rows/$c.csv"
check "a cell whose folder is locked by another process is refused" '! flock "$R/work/$c/lock" "$sw" sweep cell "$exp" "$c" "${opts[@]}" > "$R/log-locked.txt" 2>&1 && grep -q "held by another slimwave process" "$R/log-locked.txt" && [ ! -e "$R/rows/$c.csv" ]'
# (run with git unreachable: the stamp must still name the commit the program was built from)
check "the same cell runs once the folder is free" 'GIT_DIR=/nonexistent "$sw" sweep cell "$exp" "$c" "${opts[@]}" > "$R/log-unlocked.txt" 2>&1 && [ -s "$R/rows/$c.csv" ]'
if git rev-parse -q HEAD > /dev/null 2>&1; then
  check "the stamp names the program's build commit, not the tree's at run time" 'python3 -c "import json,sys; assert json.load(open(sys.argv[1]))[\"git_commit\"].startswith(sys.argv[2])" "$R/rows/$c.stamp.json" "$(git rev-parse --short=12 HEAD)"'
fi
# a bench cell whose trained model is absent (a fresh checkout, another host) times an untrained
# model of the same architecture instead of training one, and its rows say so
b=bench__fixed-half__s1
mv "$R/work/lv2-clean__fixed-half__s1" "$R/work/moved"
check "a bench cell without its trained model times an untrained one, without training" '"$sw" sweep cell "$exp" "$b" --force "${opts[@]}" > "$R/log-untrained.txt" 2>&1 && ! grep -q epoch "$R/log-untrained.txt" && [ -s "$R/work/$b/untrained.nam" ] && grep -q ",rtf,.*,untrained weights (seed 1)" "$R/rows/$b.csv" && ! grep -q "trained weights$" "$R/rows/$b.csv"'
mv "$R/work/moved" "$R/work/lv2-clean__fixed-half__s1"
# a corrupted row file is refused with the file and the line
victim=$(ls "$R"/rows/*.csv | head -1)
printf 'garbage,row\n' >> "$victim"
out=$("$sw" sweep collect "$exp" "${opts[@]}" 2>&1)
code=$?
check "collect refuses a corrupted row file" '[ "$code" -ne 0 ] && echo "$out" | grep -q "$(basename "$victim"): line [0-9]*: 2 fields"'
finish
