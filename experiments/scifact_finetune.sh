#!/usr/bin/env bash
# Fine-tunes all-MiniLM-L6-v2 on BEIR SciFact train (809 claims with their cited abstracts) and evaluates on SciFact
# test (nDCG@10, Recall@100, MRR@10), next to the zero-shot model: (a) in-batch negatives only (InfoNCE, group size 1),
# (b) + 3 hard negatives per claim mined with the hybrid miner (BM25 + the model's own dense ranking, ranks 10-210,
# relative filter 0.95; MINER=hashed mines with the model-free hashed encoder, as the README's (b) row was measured),
# (c) margin/scale (in-batch, margin 0.3, scale 30); 3 seeds each. This script prepares the data (model, training records,
# mined negatives) and runs the grid experiments/scifact_finetune.json: aggregate.md (mean ± sd) and manifest.json land in
# artifacts/experiments/scifact_finetune/.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data/beir_scifact}
OUT=${OUT:-artifacts/experiments/scifact-finetune}
MINILM=${MINILM:-artifacts/models/minilm}
MINER=${MINER:-$MINILM}
source experiments/common.sh
[ -f "$MINILM/config.json" ] || research model get all-MiniLM-L6-v2 --out "$MINILM"
# Training records: claim -> cited abstracts (title + text), from qrels/train.tsv.
python3 experiments/scifact_train_jsonl.py "$DATA" "$OUT/train.jsonl" "$OUT/corpus.txt"
research mine --input "$OUT/train.jsonl" --model "$MINER" --method Hybrid --corpus "$OUT/corpus.txt" --range 10-210 --negatives 3 \
  --max-score-ratio 0.95 --replace --out "$OUT/mined" > "$OUT/mine.log"
# The grid (3 variants × 3 seeds, zero-shot and BM25 beside them) with its manifest; a rerun resumes where it stopped.
research experiment run experiments/scifact_finetune.json
