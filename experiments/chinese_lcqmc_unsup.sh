#!/usr/bin/env bash
# The seeds' unsupervised LCQMC experiment in form (issue 30, item 3): SimCSE / ESimCSE / DiffCSE from the kit's own
# MLM-pre-trained Chinese model, evaluated on LCQMC dev every 50 steps with the seed's metrics (precision, recall, F1 at
# the dev threshold, Spearman), 3 seeds, then Chinese STS-B and LCQMC test beside the MLM model and the hashed encoder.
# Needs experiments/chinese.sh's pre-trained model (it runs that script's preparation if the model is missing; the
# CoSENT grid there is resumable, so nothing is trained twice). Writes artifacts/experiments/chinese/lcqmc-unsup/
# (aggregate.md, manifest.json, cells/*/train.log) and log-table.md (the seed-shaped table, mean ± sd over seeds).
# Usage: bash experiments/chinese_lcqmc_unsup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-artifacts/experiments/chinese}
source experiments/common.sh
[ -f "$OUT/start/config.json" ] && [ -f "$OUT/lcqmc-dev.tsv" ] || bash experiments/chinese.sh
research experiment run experiments/chinese_lcqmc_unsup.json --out "$OUT/lcqmc-unsup"
python3 experiments/seed_log_table.py "$OUT/lcqmc-unsup" > "$OUT/lcqmc-unsup/log-table.md.tmp"
mv "$OUT/lcqmc-unsup/log-table.md.tmp" "$OUT/lcqmc-unsup/log-table.md"
cat "$OUT/lcqmc-unsup/aggregate.md" "$OUT/lcqmc-unsup/log-table.md"
