"""Crash safety of training: `slimwave train` is killed with SIGKILL at random moments (several
times), resumed from its checkpoint each time (from scratch when none was written yet), and the
final model's weights must be bit-identical to an uninterrupted run. After every kill, the files
the trainer writes (MODEL.nam, MODEL.ckpt) are either absent or whole: the model loads with
`slimwave info`, and the next resume accepts the checkpoint.

  python3 test_crash_resume.py SLIMWAVE        ends with "N passed, N failed"; exit 77 = skipped"""
import json
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "bad-inputs"))
import namgen as g  # noqa: E402

KILLS = 4      # kills attempted; a resume may finish first, at least MIN_KILLS must land
MIN_KILLS = 3
ROUNDS = 3     # sequences tried (see main)
EPOCHS = 5


def dataset(d):
    rnd = random.Random(3)
    n = 48000 * 2
    x = [0.4 * math.sin(2 * math.pi * 110 * t / 48000) * (0.5 + 0.5 * math.sin(t / 9000)) + 0.05 * (rnd.random() - 0.5)
         for t in range(n)]
    y = [0.5 * math.tanh(3 * x[t - 2]) if t >= 2 else 0.0 for t in range(n)]
    with open(os.path.join(d, "dry.wav"), "wb") as f:
        f.write(g.wav(x))
    with open(os.path.join(d, "wet.wav"), "wb") as f:
        f.write(g.wav(y))
    m = os.path.join(d, "m.json")
    with open(m, "w") as f:
        json.dump({"format": "slimwave-dataset", "version": 1, "name": "crash", "input": "dry.wav", "output": "wet.wav",
                   "sample_rate": 48000, "layout": "custom", "latency": 2, "validation_fraction": 0.3}, f)
    return m


def train_cmd(exe, m, out, resume):
    cmd = [exe, "train", "--data", m, "--arch", "nano", "--schedule", "uniform", "--out", out, "--epochs", str(EPOCHS),
           "--ny", "4096", "--batch", "4", "--seed", "7", "--threads", "1", "--backend", "naive"]
    return cmd + (["--resume", resume] if resume else [])


def weights(path):
    with open(path) as f:
        m = json.load(f)
    subs = [s["model"] for s in m["config"]["submodels"]] if m.get("architecture") == "SlimmableContainer" else [m]
    return [s["weights"] for s in subs]


def main():
    exe = os.path.abspath(sys.argv[1])
    if subprocess.run([exe, "train", "--help"], capture_output=True).returncode != 0:
        print("skipped: this slimwave has no train command")
        return 77
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        passed, failed = passed + bool(ok), failed + (not ok)
        print(("ok   " if ok else "FAIL ") + what)

    with tempfile.TemporaryDirectory(prefix="sw-crash-") as d:
        m = dataset(d)
        ref, run = os.path.join(d, "ref.nam"), os.path.join(d, "run.nam")
        ckpt = os.path.join(d, "run.ckpt")
        t0 = time.time()
        r = subprocess.run(train_cmd(exe, m, ref, None), capture_output=True, text=True)
        t_ref = time.time() - t0
        check(r.returncode == 0, f"uninterrupted run ({t_ref:.1f} s): exit {r.returncode} {r.stderr.strip()[-200:]}")
        if r.returncode:
            print(f"{passed} passed, {failed} failed")
            return 1
        rnd = random.Random(int(os.environ.get("SW_CRASH_SEED", "12345")))
        # A resume may finish before its kill lands (the host's speed varies from run to run): then
        # the whole sequence starts again from scratch with kills twice as early, up to ROUNDS times.
        for rnd_i in range(ROUNDS):
            for f in (run, ckpt):
                if os.path.exists(f):
                    os.remove(f)
            window = 0.6 / 2 ** rnd_i
            kills, finished, attempts = 0, False, 0
            while not finished and attempts < KILLS + 20:
                attempts += 1
                resume = ckpt if os.path.exists(ckpt) else None
                p = subprocess.Popen(train_cmd(exe, m, run, resume), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True)
                if kills < KILLS:
                    try:
                        p.wait(timeout=rnd.uniform(0.05, window) * t_ref)
                    except subprocess.TimeoutExpired:
                        p.send_signal(signal.SIGKILL)
                        p.wait()
                        kills += 1
                        bad = []
                        if os.path.exists(run):
                            if subprocess.run([exe, "info", run], capture_output=True).returncode != 0:
                                bad.append("run.nam does not load")
                        check(not bad, f"SIGKILL {kills} (resume from {'checkpoint' if resume else 'scratch'}): "
                              f"files whole {'; '.join(bad)}")
                        continue
                err = p.communicate()[1]
                finished = p.returncode == 0
                if not finished:
                    check(False, f"a resumed run failed: exit {p.returncode}: {err.strip()[-300:]}")
                    break
            if kills >= MIN_KILLS or not finished:
                break
            print(f"round {rnd_i + 1}: the run finished after {kills} kills; again with kills before {window / 2:.2f} t_ref")
        check(kills >= MIN_KILLS, f"{kills} kills (SIGKILL at random moments) before the run finished")
        if finished:
            a, b = weights(ref), weights(run)
            same = a == b
            diff = sum(x != y for sa, sb in zip(a, b) for x, y in zip(sa, sb)) if len(a) == len(b) else -1
            check(same, f"final weights after {kills} kills and resumes equal the uninterrupted run bit for bit "
                        f"({sum(len(s) for s in a)} weights, {diff} differ)")
        left = [f for f in os.listdir(d) if ".tmp." in f]
        print(f"temporary files left by the killed runs (expected after SIGKILL, never renamed): {len(left)}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
