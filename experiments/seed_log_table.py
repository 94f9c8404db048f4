"""The seeds' training-log table from an experiment grid: for each variant, every evaluation step with the metrics its
runs logged (research train's console lines in cells/ID/train.log: "step N ... ex/s  name value  name value ..."),
mean ± sample sd over the seeds, as markdown. The seeds' LCQMC log prints precision, recall, F1 and Spearman on dev
at fixed steps; with --eval-pairs and --eval-sts on the same dev pairs the kit logs pairs_precision, pairs_recall,
pairs_f1 and sts_spearman.
Usage: seed_log_table.py GRID_OUT [METRIC ...]   (default metrics: pairs_precision pairs_recall pairs_f1 sts_spearman)"""
import os
import re
import statistics
import sys

out = sys.argv[1]
metrics = sys.argv[2:] or ["pairs_precision", "pairs_recall", "pairs_f1", "sts_spearman"]
cells = os.path.join(out, "cells")
if not os.path.isdir(cells):
    sys.exit(f"{cells}: no such folder (run research experiment run first)")
table = {}  # variant -> step -> metric -> [values]
for cell in sorted(os.listdir(cells)):
    m = re.fullmatch(r"(.+)__(.+)__seed(\d+)", cell)
    log = os.path.join(cells, cell, "train.log")
    if not m or not os.path.isfile(log):
        continue
    group = f"{m.group(1)} / {m.group(2)}"
    for line in open(log, encoding="utf-8"):
        step = re.match(r"step\s+(\d+)\s", line)
        if not step or "ex/s  " not in line:
            continue
        pairs = line.split("ex/s", 1)[1].split()
        values = dict(zip(pairs[0::2], pairs[1::2]))
        for name in metrics:
            if name in values:
                table.setdefault(group, {}).setdefault(int(step.group(1)), {}).setdefault(name, []).append(float(values[name]))
if not table:
    sys.exit(f"{cells}: no evaluation lines with {', '.join(metrics)} in any cell's train.log")
def cell(vals):
    return f"{statistics.mean(vals):.4f} ± {statistics.stdev(vals):.4f}" if len(vals) > 1 else f"{vals[0]:.4f}"
for group, steps in table.items():
    runs = max(len(v) for s in steps.values() for v in s.values())
    print(f"\n{group} ({runs} runs)\n")
    print("| step | " + " | ".join(metrics) + " |")
    print("|---|" + "---|" * len(metrics))
    for step in sorted(steps):
        print(f"| {step} | " + " | ".join(cell(steps[step][n]) if n in steps[step] else "" for n in metrics) + " |")
