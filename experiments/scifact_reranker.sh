#!/usr/bin/env bash
# A cross-encoder reranker on BEIR SciFact (issue 31): all-MiniLM-L6-v2's encoder weights with a new classifier,
# fine-tuned by the kit's loop (configs/reranker.json) on SciFact train's (claim, abstract) pairs with the recommended
# recipe's mined negatives, seeds from SEEDS (default 42 43 44). Each reranker is evaluated on SciFact test re-ranking
# BM25's top 100 (the experiment grid) and the zero-shot bi-encoder's top 100 (research eval suite --first-stage).
# Results in artifacts/experiments/scifact_reranker/; a rerun resumes where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-artifacts/experiments/scifact-st-recipe}
MINILM=${MINILM:-artifacts/models/minilm}
SEEDS=${SEEDS:-42 43 44}
source experiments/common.sh
[ -f "$MINILM/config.json" ] || research model get all-MiniLM-L6-v2 --out "$MINILM"
python3 experiments/scifact_train_jsonl.py "$DATA/beir_scifact" "$OUT/pairs.jsonl" "$OUT/corpus.txt" --pairs
[ -f "$OUT/mined/mined.jsonl" ] || research mine --input "$OUT/pairs.jsonl" --model "$MINILM" --method Dense --corpus "$OUT/corpus.txt" \
  --range 10-50 --negatives 40 --sampling Top --no-pad --replace --out "$OUT/mined" > "$OUT/mine.log"
GRID=artifacts/experiments/scifact_reranker.grid.json
python3 experiments/grid_with_seeds.py experiments/scifact_reranker.json "$SEEDS" "$GRID"
research experiment run "$GRID"
RESULTS=artifacts/experiments/scifact_reranker
# The same rerankers over the zero-shot bi-encoder's top 100 (filed under their own names).
for seed in $SEEDS; do
  model="$RESULTS/cells/minilm__reranker__seed$seed/model"
  [ -f "$RESULTS/over-minilm/reranker-seed$seed-over-minilm/no_revision_available/SciFact.json" ] ||
    research eval suite --model "$model" --name "reranker-seed$seed-over-minilm" --first-stage "$MINILM" --tasks experiments/scifact_tasks.json --out "$RESULTS/over-minilm"
done
[ -f "$RESULTS/over-minilm/minilm/no_revision_available/SciFact.json" ] ||
  research eval suite --model "$MINILM" --tasks experiments/scifact_tasks.json --out "$RESULTS/over-minilm"
cat "$RESULTS/aggregate.md"
cat "$RESULTS/over-minilm/summary.md"
