#!/usr/bin/env bash
# Fine-tunes all-MiniLM-L6-v2 on financial-qa-10K (question -> its 10-K context) and evaluates retrieval on held-out
# questions (split by question, seed 42: experiments/financial_qa_prepare.py) against every distinct context, next to the
# zero-shot model and BM25: the same three variants and configs as the SciFact experiment (in-batch, margin/scale, 3
# hybrid-mined hard negatives), 3 seeds each. aggregate.md (mean ± sd) and manifest.json land in
# artifacts/experiments/financial_qa_finetune/. A rerun resumes where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-artifacts/experiments/financial-qa}
MINILM=${MINILM:-artifacts/models/minilm}
source experiments/common.sh
[ -f "$MINILM/config.json" ] || research model get all-MiniLM-L6-v2 --out "$MINILM"
python3 experiments/financial_qa_prepare.py "$DATA" "$OUT" 42
research mine --input "$OUT/train.jsonl" --model hashed --method Hybrid --corpus "$OUT/corpus.txt" --range 10-210 --negatives 3 \
  --max-score-ratio 0.95 --replace --out "$OUT/mined" > "$OUT/mine.log"
research experiment run experiments/financial_qa_finetune.json ${EXPERIMENT_ARGS:-}
