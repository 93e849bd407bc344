#!/usr/bin/env python3
"""make train-bench: training throughput of the standard and paper presets at every width, 1 and 2
threads, against the PyTorch peer (../shared/tools/peer_pytorch_wavenet.py, when Debian's
python3-torch is installed), measured back to back in one run -> results/train-bench/<cpu-id>/:
rows.csv, table.md, samples_per_s.png/.svg (gnuplot), provenance.json.
usage: tools/train-bench.py SLIMWAVE [--shared DIR] [--steps N] [--report-only]"""
import argparse
import csv
import json
import os
import re
import subprocess
import sys

PRESETS = {"standard": [16, 14, 12, 10, 8, 6, 4, 3, 2, 1], "paper": [8, 7, 6, 5, 4, 3, 2, 1]}
THREADS = [1, 2]
FIELDS = ["preset", "widths", "threads", "samples_per_s", "fraction_of_peak_cpu", "fraction_of_peak_wall",
          "step_s_median", "macs_per_sample", "mac_ratio", "backend", "peer_samples_per_s", "ratio_to_peer",
          "commit", "cpu"]


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def cpu_id(sw):
    out = run([sw, "backends"])
    cpu = re.search(r"^cpu: (.*)$", out, re.M).group(1).strip()
    feat = " " + re.search(r"^features: (.*)$", out, re.M).group(1) + " "
    ident = re.sub(r"-+", "-", re.sub(r"[^A-Za-z0-9]", "-", cpu)).strip("-") or "unknown-cpu"
    for f, tag in (("avx512f", "avx512"), ("avx2", "avx2"), ("neon", "neon")):
        if f" {f} " in feat:
            return cpu, f"{ident}-{tag}"
    return cpu, ident


def peer(shared, preset, threads):
    """The PyTorch peer's samples/s, or None where it cannot run here (no torch)."""
    script = os.path.join(shared, "tools", "peer_pytorch_wavenet.py")
    if not os.path.exists(script) or subprocess.run(["/usr/bin/python3", "-c", "import torch"],
                                                     capture_output=True).returncode:
        return None
    out = run(["/usr/bin/python3", script, "bench", "--preset", preset, "--threads", str(threads)])
    return json.loads(out.strip().splitlines()[-1])["samples_per_s"]


def measure(sw, shared, steps, cpu):
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    rows = []
    for preset, widths in PRESETS.items():
        for threads in THREADS:
            print(f"train-bench: {preset}, {threads} thread(s)", file=sys.stderr)
            # the full width and the peer back to back, then the narrower widths
            out = run([sw, "train-bench", "--arch", preset, "--threads", str(threads), "--steps", str(steps),
                       "--channels", ":".join(str(w) for w in widths)])
            p = peer(shared, preset, threads)
            for line in out.splitlines():
                d = json.loads(line)
                full = d["widths"] == str(widths[0])
                rows.append({"preset": preset, "widths": d["widths"], "threads": threads,
                             "samples_per_s": round(d["samples_per_s"]),
                             "fraction_of_peak_cpu": d["fraction_of_peak_cpu"],
                             "fraction_of_peak_wall": d["fraction_of_peak_wall"],
                             "step_s_median": d["step_s_median"], "macs_per_sample": d["macs_per_sample"],
                             "mac_ratio": d["mac_ratio"], "backend": d["backend"],
                             "peer_samples_per_s": round(p) if full and p else "",
                             "ratio_to_peer": round(d["samples_per_s"] / p, 2) if full and p else "",
                             "commit": commit, "cpu": cpu})
    return rows


def table(rows, cpu):
    out = [f"# Training throughput on {cpu}", "",
           "`make train-bench`: one training step (forward, MSE loss, backward, Adam) on a batch of 16 windows of",
           "8192 output samples, median of the timed steps; fraction of the single-core FMA peak measured in the",
           "same run, per CPU-second (6 x MACs per output sample; the receptive-field overhead of each window",
           "is not counted). A width trains as `fixed:C` (the standard preset's second array at the same slim",
           "value). `time / full` against `MACs / full`: the rule that time falls at least half as much as the",
           "MACs holds where time/full <= 2 x MACs/full. The PyTorch peer runs back to back with the full width.",
           ""]
    for preset in PRESETS:
        for threads in THREADS:
            rs = [r for r in rows if r["preset"] == preset and int(r["threads"]) == threads]
            if not rs:
                continue
            full = float(rs[0]["step_s_median"])
            out += [f"## {preset}, {threads} thread(s), backend {rs[0]['backend']}", "",
                    "| channels | MACs/sample | samples/s | fraction of peak | time / full | MACs / full | rule |",
                    "|---|---|---|---|---|---|---|"]
            for r in rs:
                tr, mr = float(r["step_s_median"]) / full, float(r["mac_ratio"])
                rule = "" if mr >= 1 else ("ok" if tr <= 2 * mr else "**misses**")
                out.append(f"| {r['widths']} | {float(r['macs_per_sample']):.0f} | {int(r['samples_per_s']):,} | "
                           f"{float(r['fraction_of_peak_cpu']):.3f} | {tr:.3f} | {mr:.4f} | {rule} |")
            if rs[0]["peer_samples_per_s"] != "":
                out += ["", f"PyTorch peer, same preset and threads: {int(rs[0]['peer_samples_per_s']):,} samples/s; "
                        f"slimwave {rs[0]['ratio_to_peer']}x."]
            out.append("")
    out.append(f"Rows: rows.csv (commit {rows[0]['commit']}).")
    return "\n".join(out) + "\n"


def plot(rows, d, cpu):
    data = os.path.join(d, "plot.dat")
    series = []
    with open(data, "w") as f:
        for preset in PRESETS:
            for threads in THREADS:
                rs = [r for r in rows if r["preset"] == preset and int(r["threads"]) == threads]
                if rs:
                    f.write(f'"{preset}, {threads} thread(s)"\n')
                    for r in rs:
                        f.write(f"{r['widths']} {r['samples_per_s']}\n")
                    f.write("\n\n")
                    series.append(1)
    for term, ext in (("pngcairo size 900,600 font ',11'", "png"), ("svg size 900,600 font ',11'", "svg")):
        script = (f"set terminal {term}; set output '{d}/samples_per_s.{ext}.part'; "
                  f"set title 'training throughput against width on {cpu}' noenhanced; "
                  "set xlabel 'channels (first layer array)'; set ylabel 'output samples per second'; "
                  "set logscale y; set grid; set key outside right top box; "
                  f"plot for [i=0:{len(series) - 1}] '{data}' index i using 1:2 with linespoints lw 2 title columnheader(1)")
        subprocess.run(["gnuplot", "-e", script], check=True)
        os.replace(f"{d}/samples_per_s.{ext}.part", f"{d}/samples_per_s.{ext}")
    os.remove(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("slimwave")
    ap.add_argument("--shared", default=os.environ.get("SLIMWAVE_SHARED", "../shared"))
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--report-only", action="store_true")
    a = ap.parse_args()
    cpu, ident = cpu_id(a.slimwave)
    d = os.path.join("results", "train-bench", ident)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "rows.csv")
    if a.report_only:
        with open(path) as f:
            rows = list(csv.DictReader(f))
    else:
        rows = measure(a.slimwave, a.shared, a.steps, cpu)
        with open(path + ".part", "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=FIELDS)
            w.writeheader()
            w.writerows(rows)
        os.replace(path + ".part", path)
        run([a.slimwave, "provenance", os.path.join(d, "provenance.json")])
    with open(os.path.join(d, "table.md.part"), "w") as f:
        f.write(table(rows, cpu))
    os.replace(os.path.join(d, "table.md.part"), os.path.join(d, "table.md"))
    plot(rows, d, cpu)
    print(f"train-bench: {d}/table.md, rows.csv, samples_per_s.png", file=sys.stderr)


if __name__ == "__main__":
    main()
