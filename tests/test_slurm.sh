#!/usr/bin/env bash
# make test-slurm: the smoke sweep through real Slurm on this machine. Installs slurm-wlm and munge
# if missing, starts munged, slurmctld and slurmd for one node (own config, state and socket under
# a temporary folder, loopback ports), makes a fresh copy of the tracked tree with this build's
# slimwave, plans the sweep there and submits it from another folder with the README's commands.
# One train task is cancelled mid-epoch (scancel): the bench job must then be cancelled too, and
# the resubmission (slimwave sweep submit --slurm) must skip the finished cells, resume that one
# from its checkpoint and end with the table. Every wait is bounded; the daemons are stopped at the
# end. Skipped, saying why, when not root or the packages cannot be installed.
# usage: tests/test_slurm.sh BUILD_DIR   (from the source root)
set -u
src=$(pwd)
build=$(cd "${1:-build}" && pwd)
pass=0
fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
skip() { echo "test-slurm: SKIPPED: $1"; echo "0 passed, 0 failed (skipped)"; exit 0; }
[ -x "$build/slimwave" ] || { echo "test-slurm: $build/slimwave not built"; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "not root (it installs slurm-wlm and munge and runs their daemons)"

pkgs=(slurm-wlm munge)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-slurm: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  inst() { timeout 300 apt-get install -y -q --no-install-recommends "${missing[@]}" > /tmp/sw-slurm-apt.log 2>&1; }
  inst || { timeout 300 apt-get update -q > /dev/null 2>&1; inst; } || skip "cannot install ${missing[*]} (see /tmp/sw-slurm-apt.log)"
fi
for c in munged slurmctld slurmd sbatch squeue scontrol scancel sinfo; do
  command -v "$c" > /dev/null || skip "$c not found after installing ${pkgs[*]}"
done

umask 022 # the jobs inherit it; the files they write must follow it
T=$(mktemp -d /tmp/sw-slurm.XXXXXX)
chmod 755 "$T"
pids=()
stop_all() {
  # cancel what is left, let its steps end, then stop the daemons this test started
  if [ -n "${SLURM_CONF:-}" ] && [ ${#pids[@]} -gt 0 ]; then
    scancel --full --quiet -u root 2> /dev/null
    for _ in $(seq 1 40); do [ -z "$(squeue -h 2> /dev/null)" ] && break; sleep 0.5; done
  fi
  for p in "${pids[@]}"; do kill -TERM "$p" 2> /dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$p" 2> /dev/null || break; sleep 0.25; done
    kill -KILL "$p" 2> /dev/null
    wait "$p" 2> /dev/null
  done
  # a job step still running here would have our spool folder in its command line
  for p in $(pgrep -f -- "$T/" 2> /dev/null); do kill -KILL "$p" 2> /dev/null; done
  [ "$fail" -eq 0 ] && [ -z "${KEEP:-}" ] && rm -rf "$T"
}
trap stop_all EXIT
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ] || echo "test-slurm: daemons' logs and the sweep are in $T"; [ "$fail" -eq 0 ]; exit $?; }
log_tail() { for f in "$@"; do [ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }; done; }

# two free loopback ports
read -r p1 p2 < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
mkdir -p "$T/munge" "$T/ctld" "$T/spool"
chmod 700 "$T/munge"
head -c 1024 /dev/urandom > "$T/munge/munge.key"
chmod 400 "$T/munge/munge.key"
node=$(slurmd -C | head -1 | sed -e 's/^NodeName=[^ ]* //' -e 's/ *$//')
cat > "$T/slurm.conf" << EOF
ClusterName=slimwave-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$p1
SlurmdPort=$p2
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.sock
StateSaveLocation=$T/ctld
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SchedulerType=sched/builtin
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 $node State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$T/slurm.conf
munged -F --force --key-file="$T/munge/munge.key" --socket="$T/munge/munge.sock" --pid-file="$T/munge/munged.pid" \
  --log-file="$T/munge/munged.log" --seed-file="$T/munge/munged.seed" > /dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 40); do [ -S "$T/munge/munge.sock" ] && break; sleep 0.25; done
slurmctld -D -c -f "$SLURM_CONF" > "$T/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N localhost -f "$SLURM_CONF" > "$T/slurmd.out" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 1 60); do sinfo -h -o %t 2> /dev/null | grep -q idle && { up=1; break; }; sleep 0.5; done
check "munged, slurmctld and slurmd started; the node is idle" '[ "$up" = 1 ]'
[ "$up" = 1 ] || { log_tail "$T/munge/munged.log" "$T/slurmctld.log" "$T/slurmd.log" "$T/slurmctld.out" "$T/slurmd.out"; finish; }
if command -v ss > /dev/null; then
  listening=$(ss -ltn 2> /dev/null | awk '{print $4}' | grep -E ":($p1|$p2)$")
  check "slurmctld and slurmd listen on loopback only ($(echo $listening))" '[ "$(echo "$listening" | grep -c "^127.0.0.1:")" -eq 2 ] && [ "$(echo "$listening" | wc -l)" -eq 2 ]'
else
  echo "note: ss (iproute2) not installed; the loopback-only check is left out"
fi

# A fresh copy of the tracked tree with this build's binary (building again would take minutes).
clone=$T/slimwave
mkdir -p "$clone/build" "$T/elsewhere"
git -C "$src" ls-files -z | tar -C "$src" --null --ignore-failed-read -T - -cf - 2> /dev/null | tar -C "$clone" -xf -
cp "$build/slimwave" "$clone/build/"
[ -d "$src/../shared" ] && export SLIMWAVE_SHARED=$(cd "$src/../shared" && pwd)
E=experiments/paper.json
O=(--profile smoke)
cd "$clone" || finish
R=$(build/slimwave sweep plan "$E" "${O[@]}" --sbatch 2> /dev/null | sed -n "s|^logs='$clone/\(.*\)/slurm'$|\1|p")
# the README's commands: plan in the project folder, submit from any folder
build/slimwave sweep plan "$E" "${O[@]}" --sbatch > paper.sbatch
check "the plan names the results folder of the experiment" '[ -n "$R" ] && [ ! -e "$R" ]'
cd "$T/elsewhere" || finish
out=$(bash "$clone/paper.sbatch" submit 2>&1)
echo "$out"
read -r d t b < <(echo "$out" | sed -n 's/^submitted: datasets \([0-9]*\), train \([0-9]*\), bench \([0-9]*\);.*/\1 \2 \3/p')
check "submitted from another folder: a datasets job, a train array, a bench job" '[ -n "$b" ]'
[ -n "$b" ] || finish
check "the submit step created the log folder" '[ -d "$clone/$R/slurm" ]'
job_state() { scontrol -o show job "$1" 2> /dev/null | grep -o "JobState=[A-Z_]*" | sort -u | tr '\n' ' '; }
# cancel one train task mid-epoch: once its trainer runs and catches SIGTERM, stop it (so that it
# cannot finish its short epoch first), cancel the task, let it go on to take the signal
k=lv2-clean__slimmable__s1
catches_term() { local m; m=$(awk '/^SigCgt/ {print $2}' "/proc/$1/status" 2> /dev/null); [ -n "$m" ] && (((16#$m & 0x4000) != 0)); }
child=""
for _ in $(seq 1 1200); do
  child=""
  for p in $(pgrep -f -- "train .*--out $R/work/$k/model.nam"); do [ "$(readlink "/proc/$p/cwd")" = "$clone" ] && child=$p; done
  [ -n "$child" ] && catches_term "$child" && break
  sleep 0.1
done
check "the train task of $k started its trainer (within 120 s)" '[ -n "$child" ] && catches_term "$child"'
kill -STOP "$child" 2> /dev/null
scancel "${t}_1"
sleep 1
kill -CONT "$child" 2> /dev/null
wait_jobs() { for _ in $(seq 1 "$1"); do [ -z "$(squeue -h -j "$2" 2> /dev/null)" ] && return 0; sleep 1; done; return 1; }
check "the first submission ends within 180 s" 'wait_jobs 180 "$d,$t,$b"'
check "the datasets job completed" '[ "$(job_state "$d")" = "JobState=COMPLETED " ]'
check "the cancelled train task is cancelled, the others completed" \
  '[ "$(job_state "${t}_1")" = "JobState=CANCELLED " ] && for i in 0 2 3; do [ "$(job_state "${t}_$i")" = "JobState=COMPLETED " ] || exit 1; done'
check "the bench job was cancelled with it (a dependency that can never be met)" '[ "$(job_state "$b")" = "JobState=CANCELLED " ]'
check "the cancelled cell wrote its checkpoint and no rows" \
  '[ -s "$clone/$R/work/$k/model.ckpt" ] && [ ! -e "$clone/$R/rows/$k.csv" ] && grep -q "interrupted in epoch" "$clone/$R/slurm/"*train*_1.log'
check "the three other train cells wrote their rows" '[ "$(ls "$clone/$R/rows/"lv2-clean__*.csv 2> /dev/null | wc -l)" -eq 3 ]'
check "the datasets job built the dataset" 'grep -q "lv2-clean .*built in" "$clone/$R/slurm/"*datasets*_0.log'
[ "$fail" -eq 0 ] || { log_tail "$clone/$R/slurm/"*.log "$T/slurmctld.log"; finish; }

# resubmit with the one command: finished cells are skipped, the cancelled one resumes
cd "$clone" || finish
out=$(build/slimwave sweep submit "$E" "${O[@]}" --slurm 2>&1)
echo "$out"
read -r d t b < <(echo "$out" | sed -n 's/^submitted: datasets \([0-9]*\), train \([0-9]*\), bench \([0-9]*\);.*/\1 \2 \3/p')
check "slimwave sweep submit --slurm submitted the three jobs" '[ -n "$b" ] && [ -s "$R/slurm/paper-smoke.sbatch" ]'
check "the resubmission ends within 180 s" 'wait_jobs 180 "$d,$t,$b"'
check "the bench job completed" '[ "$(job_state "$b")" = "JobState=COMPLETED " ]'
check "the dataset was reused" 'grep -q "lv2-clean .*up to date" "$R/slurm/"*datasets-${d}_0.log'
check "the finished cells were skipped" '[ "$(cat "$R/slurm/"*train-${t}_*.log | grep -c "done (.* rows), skipped")" -eq 3 ]'
check "the cancelled cell resumed from its checkpoint" 'grep -q "resuming from" "$R/slurm/"*train-${t}_1.log && [ -s "$R/rows/$k.csv" ]'
check "the bench job timed, collected and reported" '[ "$(ls "$R/rows/"bench__*.csv | wc -l)" -eq 4 ] && [ -s "$R/results.csv" ] && grep -q "^| Slimmable 100% " "$R/paper-table.md"'
check "files follow the umask (022 here)" '[ "$(stat -c %a "$R/results.csv")" = 644 ] && [ "$(stat -c %a "$R/rows/$k.csv")" = 644 ]'
[ "$fail" -eq 0 ] || log_tail "$R/slurm/"*.log "$T/slurmctld.log"
finish
