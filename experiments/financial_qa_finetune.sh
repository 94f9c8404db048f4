#!/usr/bin/env bash
# Fine-tunes all-MiniLM-L6-v2 on financial-qa-10K (question -> its 10-K context) and evaluates retrieval on held-out
# questions (split by question, seed 42: experiments/financial_qa_prepare.py) against every distinct context, next to the
# zero-shot model and BM25: the SciFact configs (in-batch, margin/scale, 3 hybrid-mined hard negatives; 3 seeds each) and
# the kit's recommended recipe (configs/recommended_pairs.json: 3 epochs, lr 1e-4, 1 hard negative per pair drawn each
# epoch from ranks 10-50 of the zero-shot model's own ranking). Every model is evaluated on financial-qa test and, for
# forgetting, on SciFact test. aggregate.md (mean ± sd) and manifest.json land in
# artifacts/experiments/financial_qa_finetune/. A rerun resumes where it stopped.
# Mining uses the model itself (MINER, default all-MiniLM-L6-v2); MINER=hashed mines with the model-free hashed encoder,
# as the README's (b) rows were measured. ONLY=recommended mines the recommended recipe's negatives and trains only it.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-artifacts/experiments/financial-qa}
MINILM=${MINILM:-artifacts/models/minilm}
MINER=${MINER:-$MINILM}
source experiments/common.sh
[ -f "$MINILM/config.json" ] || research model get all-MiniLM-L6-v2 --out "$MINILM"
python3 experiments/financial_qa_prepare.py "$DATA" "$OUT" 42
# SciFact test (the forgetting column) needs no preparation: experiments/inhouse_tasks.json reads its BEIR folder.
[ -n "${ONLY:-}" ] || research mine --input "$OUT/train.jsonl" --model "$MINER" --method Hybrid --corpus "$OUT/corpus.txt" --range 10-210 --negatives 3 \
  --max-score-ratio 0.95 --replace --out "$OUT/mined" > "$OUT/mine.log"
# The recommended recipe's candidates: ranks 10-50 of the zero-shot model's dense ranking, every positive excluded.
[ -f "$OUT/mined-dense/mined.jsonl" ] || research mine --input "$OUT/train.jsonl" --model "$MINILM" --method Dense --corpus "$OUT/corpus.txt" \
  --range 10-50 --negatives 40 --sampling Top --no-pad --replace --out "$OUT/mined-dense" > "$OUT/mine-dense.log"
# ONLY=recommended runs just the recommended recipe's 3 seeds (or SEEDS="...") (experiments/financial_qa_recommended.json, its own results folder).
case "${ONLY:-}" in
  "") research experiment run experiments/financial_qa_finetune.json ${EXPERIMENT_ARGS:-} ;;
  recommended)
    # SEEDS="44" runs only those seeds of it (into the same results folder, so earlier seeds are kept).
    SPEC=experiments/financial_qa_recommended.json
    if [ -n "${SEEDS:-}" ]; then SPEC=$OUT/recommended.grid.json; python3 experiments/grid_with_seeds.py experiments/financial_qa_recommended.json "$SEEDS" "$SPEC"; fi
    research experiment run "$SPEC" ${EXPERIMENT_ARGS:-} ;;
  *) echo "ONLY=$ONLY: expected recommended (or leave it unset for the whole grid)" >&2; exit 2 ;;
esac
