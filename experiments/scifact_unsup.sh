#!/usr/bin/env bash
# Unsupervised training from a pretrained start (issue: SimCSE / ESimCSE / DiffCSE): all-MiniLM-L6-v2 trained without
# labels on SciFact corpus sentences (abstracts split at sentence ends; no query, no qrel is read), evaluated on SciFact
# test retrieval (nDCG@10, Recall@100, MRR@10) next to the zero-shot model. Writes artifacts/experiments/scifact-unsup/.
# Scale by the environment: STEPS (default 50 × batch 64), SEEDS, METHODS (simcse esimcse diffcse). DiffCSE needs a
# generator with MiniLM's vocabulary: GENERATOR (default $OUT/generator) is trained here when absent, MLM from
# all-MiniLM-L6-v2 on the same sentences (GENERATOR_STEPS, default 600 × batch 64, mask 0.15, lr 1e-4), since no
# pretrained MLM for that vocabulary is available offline (the paper's generator is distilbert-base-uncased).
# Usage: bash experiments/scifact_unsup.sh      (about 15 minutes on 2 cores for one seed of simcse and esimcse)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data}
OUT=${OUT:-artifacts/experiments/scifact-unsup}
STEPS=${STEPS:-50}
SEEDS=${SEEDS:-42}
METHODS=${METHODS:-"simcse esimcse diffcse"}
MODEL=${MODEL:-artifacts/models/minilm}
GENERATOR=${GENERATOR:-$OUT/generator}
GENERATOR_STEPS=${GENERATOR_STEPS:-600}
source experiments/common.sh
[ -f "$MODEL/config.json" ] || research model get all-MiniLM-L6-v2 --out "$MODEL"
python3 - "$SHARED/beir_scifact/corpus.jsonl" "$OUT/sentences.txt" <<'PY'
import json, re, sys
seen, out = set(), []
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", " ".join(d["text"].split())):
        if 30 <= len(s) <= 400 and s not in seen:
            seen.add(s)
            out.append(s)
open(sys.argv[2], "w", encoding="utf-8").writelines(s + "\n" for s in out)
print(f"{sys.argv[2]}: {len(out)} sentences")
PY
retrieval() { # name model -> a row of the results table (cached)
  [ -f "$OUT/eval/$1.tsv" ] && { cat "$OUT/eval/$1.tsv"; return; }
  mkdir -p "$OUT/eval"
  local table
  table=$(research eval retrieval --model "$2" --data "$SHARED/beir_scifact" --out "$OUT/eval/$1")
  printf '%s\t%s\t%s\t%s\n' "$1" "$(echo "$table" | awk -F'|' '/ ndcg_at_10 / {gsub(/ /,"",$(NF-1)); print $(NF-1); exit}')" \
    "$(echo "$table" | awk -F'|' '/ recall_at_100 / {gsub(/ /,"",$(NF-1)); print $(NF-1); exit}')" "$(echo "$table" | awk -F'|' '/ mrr_at_10 / {gsub(/ /,"",$(NF-1)); print $(NF-1); exit}')" | tee "$OUT/eval/$1.tsv.tmp"
  mv "$OUT/eval/$1.tsv.tmp" "$OUT/eval/$1.tsv"
}
if [[ " $METHODS " == *" diffcse "* && ! -f "$GENERATOR/config.json" ]]; then
  cat > "$OUT/generator.json" <<JSON
{ "batch_size": 64, "max_length": 32, "max_steps": $GENERATOR_STEPS, "learning_rate": 1e-4, "warmup_ratio": 0.1, "log_every": 50, "seed": 42 }
JSON
  research train --method mlm --config "$OUT/generator.json" --model "$MODEL" --data "$OUT/sentences.txt" --out "$GENERATOR" | tee "$OUT/generator.log"
fi
printf 'model\tndcg_at_10\trecall_at_100\tmrr_at_10\n' > "$OUT/results.tsv"
retrieval zero-shot "$MODEL" >> "$OUT/results.tsv"
for method in $METHODS; do
  for seed in $SEEDS; do
    cat > "$OUT/$method-$seed.json" <<JSON
{ "batch_size": 64, "max_length": 32, "max_steps": $STEPS, "learning_rate": 3e-5, "evaluate_every": 0, "log_every": 10, "seed": $seed, "training_mlp": false }
JSON
    extra=()
    [ "$method" = diffcse ] && extra=(--generator "$GENERATOR")
    [ -f "$OUT/runs/$method-$seed/config.json" ] || research train --method "$method" --config "$OUT/$method-$seed.json" "${extra[@]}" --model "$MODEL" \
      --data "$OUT/sentences.txt" --out "$OUT/runs/$method-$seed" | tee "$OUT/$method-$seed.log"
    retrieval "$method-$seed" "$OUT/runs/$method-$seed" >> "$OUT/results.tsv"
  done
done
column -t -s $'\t' "$OUT/results.tsv"
