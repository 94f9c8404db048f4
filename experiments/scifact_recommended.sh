#!/usr/bin/env bash
# The kit's recommended recipe for "I have query/positive pairs" (configs/recommended_pairs.json), trained and evaluated
# on BEIR SciFact: all-MiniLM-L6-v2, the 919 (claim, cited abstract) pairs of SciFact train, 1 hard negative per pair
# drawn each epoch from ranks 10-50 of the zero-shot model's own ranking, 3 epochs, batch 32, lr 1e-4, InfoNCE scale 20.
# Each seed's model is evaluated on SciFact test and, to measure forgetting, on financial-qa-10K test; zero-shot and
# BM25 beside them. Seeds from SEEDS (default 42 43 44); prints one line per seed with its SciFact test nDCG@10, then
# the aggregate (mean ± sd). Results in artifacts/experiments/scifact_recommended/; a rerun resumes where it stopped.
# CPU cost on 2 cores: about 5 minutes of mining once, then about 25 minutes a seed (20 of training, 5 of evaluation).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-artifacts/experiments/scifact-st-recipe}
MINILM=${MINILM:-artifacts/models/minilm}
SEEDS=${SEEDS:-42 43 44}
# Another grid over the same data and negatives (experiments/scifact_recipe_grid.sh sets it).
EXPERIMENT=${EXPERIMENT:-experiments/scifact_recommended.json}
source experiments/common.sh
[ -f "$MINILM/config.json" ] || research model get all-MiniLM-L6-v2 --out "$MINILM"
python3 experiments/scifact_train_jsonl.py "$DATA/beir_scifact" "$OUT/pairs.jsonl" "$OUT/corpus.txt" --pairs
# financial-qa-10K test, the other in-house task, for the forgetting columns.
python3 experiments/financial_qa_prepare.py "$DATA" artifacts/experiments/financial-qa 42
# The hard-negative candidates: ranks 10-50 of the zero-shot model's dense ranking of the whole corpus for each claim,
# every positive of the claim excluded (the same file as the reference recipe's variant (b)).
[ -f "$OUT/mined/mined.jsonl" ] || research mine --input "$OUT/pairs.jsonl" --model "$MINILM" --method Dense --corpus "$OUT/corpus.txt" \
  --range 10-50 --negatives 40 --sampling Top --no-pad --replace --out "$OUT/mined" > "$OUT/mine.log"
GRID=artifacts/experiments/$(basename "$EXPERIMENT" .json).grid.json
python3 experiments/grid_with_seeds.py "$EXPERIMENT" "$SEEDS" "$GRID"
research experiment run "$GRID"
# One line per variant and seed: its SciFact test nDCG@10 (and its financial-qa test nDCG@10, the forgetting column,
# where the grid's tasks have it).
python3 - "$GRID" <<'PY'
import glob, json, os, sys
spec = json.load(open(sys.argv[1]))
for variant in spec["variants"]:
    for seed in spec["seeds"]:
        row = []
        for task in ("SciFact", "FinancialQA10K"):
            files = glob.glob(os.path.join(spec["out"], "results", f"minilm__{variant['name']}__seed{seed}", "**", f"{task}.json"), recursive=True)
            if files:
                row.append(f"{task} test nDCG@10 {json.load(open(files[0]))['scores']['test'][0]['ndcg_at_10']:.4f}")
        prefix = "" if len(spec["variants"]) == 1 else f"{variant['name']} "
        print(f"{prefix}seed {seed}: " + (", ".join(row) or "no result"))
PY
cat "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["out"])' "$GRID")/aggregate.md"
