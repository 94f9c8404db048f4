#!/usr/bin/env bash
# sentence-transformers' reference recipe, exactly, in the kit (issue: models better than sentence-transformers makes):
# all-MiniLM-L6-v2 on the 919 (claim, cited abstract) pairs of BEIR SciFact train, 3 epochs, batch 32, lr 2e-5, weight
# decay 0.01, 10% warm-up, InfoNCE scale 20, 256 tokens; (a) in-batch negatives, (b) + 1 hard negative per pair drawn
# each epoch from ranks 10-50 of the zero-shot model's own ranking. Seeds from SEEDS (default 42 43 44); results
# (nDCG@10, Recall@100, MRR@10, mean ± sd, zero-shot and BM25 beside them) in artifacts/experiments/scifact_st_recipe/.
# CPU cost: about 20-40 minutes a cell on 2 cores (3 epochs of 919 pairs at 256 tokens), 6 cells.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data/beir_scifact}
OUT=${OUT:-artifacts/experiments/scifact-st-recipe}
MINILM=${MINILM:-artifacts/models/minilm}
SEEDS=${SEEDS:-42 43 44}
source experiments/common.sh
[ -f "$MINILM/config.json" ] || research model get all-MiniLM-L6-v2 --out "$MINILM"
python3 experiments/scifact_train_jsonl.py "$DATA" "$OUT/pairs.jsonl" "$OUT/corpus.txt" --pairs
# (b)'s candidates: ranks 10-50 of the zero-shot model's dense ranking of the whole corpus for each claim, every
# positive of the claim excluded; the trainer draws one of the 40 at random for each pair in each epoch (group_size 2).
[ -f "$OUT/mined/mined.jsonl" ] || research mine --input "$OUT/pairs.jsonl" --model "$MINILM" --method Dense --corpus "$OUT/corpus.txt" \
  --range 10-50 --negatives 40 --sampling Top --no-pad --replace --out "$OUT/mined" > "$OUT/mine.log"
# The grid with the seeds asked for: the experiment file with SEEDS, its paths made absolute, in $OUT/grid.json.
python3 experiments/grid_with_seeds.py experiments/scifact_st_recipe.json "$SEEDS" "$OUT/grid.json"
research experiment run "$OUT/grid.json"
# One line per cell: its SciFact test nDCG@10.
research experiment status "$OUT/grid.json"
