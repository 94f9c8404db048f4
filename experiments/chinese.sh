#!/usr/bin/env bash
# The Chinese leg, supervised (issue 30): no pretrained Chinese model can be had here, so a small BERT with a character
# vocabulary built from the data is MLM-pre-trained with whole-word masking (SmartCn words) on every distinct train/dev
# sentence of LCQMC (dev only is shipped), AFQMC and Chinese STS-B (never a test split), its pooling (CLS or mean)
# chosen on Chinese STS-B dev, then fine-tuned with CoSENT on scored pairs (Chinese STS-B train scores 0-5, AFQMC
# train labels 0/1; gold_scores, one source per batch; the best of the evaluations on Chinese STS-B dev kept) for each
# seed. Reported: Spearman ×100 on Chinese STS-B dev and test, AP / F1 ×100 on LCQMC test, mean ± sd over seeds, next to the model-free lexical encoder, the untrained
# model and the MLM-only model. Finished steps are kept, so an interrupted run resumes.
# Scale by the environment: LAYERS, HIDDEN, HEADS, MLM_STEPS, COSENT_EPOCHS, SEEDS.
# Usage: bash experiments/chinese.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data}
OUT=${OUT:-artifacts/experiments/chinese}
LAYERS=${LAYERS:-4}
HIDDEN=${HIDDEN:-256}
HEADS=${HEADS:-4}
MLM_STEPS=${MLM_STEPS:-1627}       # one pass over the 104,112 sentences at batch 64, as measured in README (max_steps overrides epochs)
COSENT_EPOCHS=${COSENT_EPOCHS:-1}
SEEDS=${SEEDS:-"42 43 44"}
source experiments/common.sh
python3 experiments/chinese_sentences.py "$SHARED/csts" "$OUT"
python3 experiments/chinese_pairs.py "$SHARED/csts" "$OUT/pairs.jsonl"
[ -f "$OUT/model0/config.json" ] || research model init --layers "$LAYERS" --hidden "$HIDDEN" --heads "$HEADS" --max-positions 128 --pooling Cls \
  --vocab-from "$OUT/sentences.txt" --vocab-words 1 --seed 42 --out "$OUT/model0"
cat > "$OUT/mlm.json" <<JSON
{ "batch_size": 64, "max_length": 64, "max_steps": $MLM_STEPS, "learning_rate": 0.0005, "warmup_ratio": 0.06, "weight_decay": 0.01,
  "mask_probability": 0.15, "whole_word_masking": true, "log_every": 100, "seed": 42 }
JSON
[ -f "$OUT/mlm/config.json" ] || research train --method mlm --config "$OUT/mlm.json" --model "$OUT/model0" --data "$OUT/sentences.txt" --out "$OUT/mlm" | tee "$OUT/mlm.log"
with_pooling() { # source-folder mode out-folder: a copy of a model folder with another pooling (sentence-transformers' 1_Pooling)
  [ -f "$3/config.json" ] && return
  rm -rf "$3.tmp" && cp -r "$1" "$3.tmp"
  python3 - "$3.tmp/1_Pooling/config.json" "$2" <<'PY'
import json, sys
path, mode = sys.argv[1], sys.argv[2]
c = json.load(open(path))
for k in list(c):
    if k.startswith("pooling_mode_"): c[k] = False
c[{"mean": "pooling_mode_mean_tokens", "cls": "pooling_mode_cls_token"}[mode]] = True
json.dump(c, open(path, "w"), indent=2)
PY
  mv "$3.tmp" "$3"
}
with_pooling "$OUT/mlm" mean "$OUT/mlm-mean"
evaluate() { # name model: one row (STS-B dev and test Spearman, LCQMC test AP and F1), cached in $OUT/eval/NAME.tsv
  local dev test pairs
  if [ -f "$OUT/eval/$1.tsv" ]; then cat "$OUT/eval/$1.tsv"; return; fi
  mkdir -p "$OUT/eval"
  dev=$(research eval sts --model "$2" --data "$OUT/csts-dev.tsv" | awk -F'|' '/cosine_spearman/ {gsub(/ /,"",$(NF-1)); print $(NF-1); exit}')
  test=$(research eval sts --model "$2" --data "$OUT/csts-test.tsv" | awk -F'|' '/cosine_spearman/ {gsub(/ /,"",$(NF-1)); print $(NF-1); exit}')
  pairs=$(research eval pairs --model "$2" --data "$OUT/lcqmc-test.tsv" --out "$OUT/eval/$1")
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$dev" "$test" "$(echo "$pairs" | awk -F'|' '/ max_ap / {gsub(/ /,"",$(NF-1)); print $(NF-1); exit}')" \
    "$(echo "$pairs" | awk -F'|' '/ max_f1 / {gsub(/ /,"",$(NF-1)); print $(NF-1); exit}')" > "$OUT/eval/$1.tsv.tmp"
  mv "$OUT/eval/$1.tsv.tmp" "$OUT/eval/$1.tsv"
  cat "$OUT/eval/$1.tsv"
}
printf 'model\tcsts_dev_spearman\tcsts_test_spearman\tlcqmc_test_ap\tlcqmc_test_f1\n' > "$OUT/results.tsv"
evaluate hashed hashed >> "$OUT/results.tsv"
evaluate untrained "$OUT/model0" >> "$OUT/results.tsv"
evaluate mlm-cls "$OUT/mlm" >> "$OUT/results.tsv"
evaluate mlm-mean "$OUT/mlm-mean" >> "$OUT/results.tsv"
# The pooling the fine-tuning starts from: the better of the two on STS-B dev (never test).
POOL=$(awk -F'\t' '$1 == "mlm-cls" {c = $2} $1 == "mlm-mean" {m = $2} END {print (m >= c ? "mean" : "cls")}' "$OUT/results.tsv")
START=$([ "$POOL" = mean ] && echo "$OUT/mlm-mean" || echo "$OUT/mlm")
echo "fine-tuning starts from the MLM model with $POOL pooling (STS-B dev)"
for seed in $SEEDS; do
  cat > "$OUT/cosent-$seed.json" <<JSON
{ "loss": { "type": "cosent", "scale": 20, "gold_scores": true }, "group_size": 1, "batch_size": 64, "epochs": $COSENT_EPOCHS,
  "learning_rate": 0.0001, "weight_decay": 0.01, "warmup_ratio": 0.1, "query_max_length": 64, "passage_max_length": 64,
  "same_type_within_batch": true, "evaluate_every": 100, "log_every": 50, "seed": $seed }
JSON
  [ -f "$OUT/runs/cosent-$seed/config.json" ] || research train --config "$OUT/cosent-$seed.json" --model "$START" --data "$OUT/pairs.jsonl" \
    --eval-sts "$OUT/csts-dev.tsv" --out "$OUT/runs/cosent-$seed" | tee "$OUT/cosent-$seed.log"
  evaluate "cosent-$seed" "$OUT/runs/cosent-$seed" >> "$OUT/results.tsv"
done
python3 - "$OUT" <<'PY'
import csv, statistics, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/results.tsv"), delimiter="\t"))
groups = {}
for r in rows:
    name = r["model"].rsplit("-", 1)
    groups.setdefault(name[0] if name[-1].isdigit() else r["model"], []).append(r)
def cell(vals, scale=1):
    vals = [scale * float(v) for v in vals]
    return f"{statistics.mean(vals):.2f} ± {statistics.stdev(vals):.2f}" if len(vals) > 1 else f"{vals[0]:.2f}"
with open(f"{out}/results.md.tmp", "w") as f:
    f.write("| model | runs | STS-B dev Spearman ×100 | STS-B test Spearman ×100 | LCQMC test AP ×100 | LCQMC test F1 ×100 |\n|---|---|---|---|---|---|\n")
    for name, rs in groups.items():
        f.write(f"| {name} | {len(rs)} | {cell(r['csts_dev_spearman'] for r in rs)} | {cell(r['csts_test_spearman'] for r in rs)} | "
                f"{cell((r['lcqmc_test_ap'] for r in rs), 100)} | {cell((r['lcqmc_test_f1'] for r in rs), 100)} |\n")
import os
os.replace(f"{out}/results.md.tmp", f"{out}/results.md")
print(open(f"{out}/results.md").read())
PY
