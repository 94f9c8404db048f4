#!/usr/bin/env python3
"""Reference correlation and classification metrics from scipy and scikit-learn (Debian python3-scipy,
python3-sklearn) for the evaluation parity tests.
usage: metrics_reference.py INPUT_JSON OUTPUT_JSON
INPUT: {"scores": [...], "gold": [...]} (correlations) or {"scores": [...], "labels": [0/1...]} (classification)."""
import json
import sys

import numpy as np
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import accuracy_score, average_precision_score, precision_recall_curve

data = json.load(open(sys.argv[1]))
scores = np.array(data["scores"], dtype=np.float64)
out = {}
if "gold" in data:
    gold = np.array(data["gold"], dtype=np.float64)
    out["spearman"] = float(spearmanr(scores, gold).correlation)
    out["pearson"] = float(pearsonr(scores, gold)[0])
else:
    labels = np.array(data["labels"], dtype=np.int64)
    out["ap"] = float(average_precision_score(labels, scores))
    precision, recall, _ = precision_recall_curve(labels, scores)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-300), 0)
    out["best_f1"] = float(f1.max())
    # Best accuracy over every threshold that separates distinct scores (and the two extremes).
    distinct = np.unique(scores)
    candidates = np.concatenate([[distinct[0] - 1], (distinct[:-1] + distinct[1:]) / 2, [distinct[-1] + 1]])
    out["best_accuracy"] = float(max(accuracy_score(labels, (scores > t).astype(int)) for t in candidates))
json.dump(out, open(sys.argv[2], "w"))
