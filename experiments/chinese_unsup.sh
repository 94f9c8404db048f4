#!/usr/bin/env bash
# Chinese unsupervised sentence embeddings from scratch (issue: SimCSE / ESimCSE / DiffCSE): no pretrained Chinese model
# is available here, so a small BERT (4 layers × 256, character vocabulary built from the data) is MLM-pre-trained on the
# train and dev sentences of LCQMC (dev only is shipped), AFQMC and Chinese STS-B (never a test split), then trained
# without labels by SimCSE, ESimCSE and DiffCSE (the MLM model, frozen, is DiffCSE's generator), one run per seed, model selection on Chinese STS-B dev Spearman (SimCSE's
# protocol). Reported: Spearman ×100 on Chinese STS-B test and AP / F1 ×100 on LCQMC test, mean ± sd over seeds, next to
# the untrained model, the MLM-only model and the model-free lexical encoder. Writes artifacts/experiments/chinese-unsup/
# (results.md, results.tsv, every model and log). Scale by the environment: MLM_STEPS, UNSUP_STEPS, SEEDS, METHODS.
# Usage: bash experiments/chinese_unsup.sh     (about 90 minutes on 2 cores with the defaults; finished runs and
# evaluations are kept, so an interrupted run resumes)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data}
OUT=${OUT:-artifacts/experiments/chinese-unsup}
MLM_STEPS=${MLM_STEPS:-1000}
UNSUP_STEPS=${UNSUP_STEPS:-250}
SEEDS=${SEEDS:-"42 43 44"}
METHODS=${METHODS:-"simcse esimcse diffcse"}
source experiments/common.sh
python3 experiments/chinese_sentences.py "$SHARED/csts" "$OUT"
[ -f "$OUT/model0/config.json" ] || research model init --layers 4 --hidden 256 --heads 4 --max-positions 128 --pooling Cls --vocab-from "$OUT/sentences.txt" --vocab-words 1 --seed 42 --out "$OUT/model0"
cat > "$OUT/mlm.json" <<JSON
{ "batch_size": 64, "max_length": 64, "max_steps": $MLM_STEPS, "learning_rate": 0.0005, "warmup_ratio": 0.06, "weight_decay": 0.01, "log_every": 50, "seed": 42 }
JSON
[ -f "$OUT/mlm/config.json" ] || research train --method mlm --config "$OUT/mlm.json" --model "$OUT/model0" --data "$OUT/sentences.txt" --out "$OUT/mlm" | tee "$OUT/mlm.log"
evaluate() { # name model: one row, cached in $OUT/eval/NAME.tsv (a finished evaluation is not redone)
  local sts pairs
  if [ -f "$OUT/eval/$1.tsv" ]; then cat "$OUT/eval/$1.tsv"; return; fi
  mkdir -p "$OUT/eval"
  sts=$(research eval sts --model "$2" --data "$OUT/csts-test.tsv" | awk -F'|' '/cosine_spearman/ {gsub(/ /,"",$(NF-1)); print $(NF-1); exit}')
  pairs=$(research eval pairs --model "$2" --data "$OUT/lcqmc-test.tsv" --out "$OUT/eval/$1")
  printf '%s\t%s\t%s\t%s\n' "$1" "$sts" "$(echo "$pairs" | awk -F'|' '/ max_ap / {gsub(/ /,"",$(NF-1)); print $(NF-1); exit}')" "$(echo "$pairs" | awk -F'|' '/ max_f1 / {gsub(/ /,"",$(NF-1)); print $(NF-1); exit}')" | tee "$OUT/eval/$1.tsv.tmp"
  mv "$OUT/eval/$1.tsv.tmp" "$OUT/eval/$1.tsv"
}
printf 'model\tcsts_test_spearman\tlcqmc_test_ap\tlcqmc_test_f1\n' > "$OUT/results.tsv"
evaluate hashed hashed >> "$OUT/results.tsv"
evaluate untrained "$OUT/model0" >> "$OUT/results.tsv"
evaluate mlm "$OUT/mlm" >> "$OUT/results.tsv"
for method in $METHODS; do
  for seed in $SEEDS; do
    cat > "$OUT/$method-$seed.json" <<JSON
{ "batch_size": 64, "max_length": 32, "max_steps": $UNSUP_STEPS, "learning_rate": 0.0001, "evaluate_every": 50, "log_every": 25, "seed": $seed }
JSON
    extra=()
    [ "$method" = diffcse ] && extra=(--generator "$OUT/mlm")   # masking_ratio 0.30 and lambda_weight 0.005: the paper's script's defaults
    [ -f "$OUT/runs/$method-$seed/config.json" ] || research train --method "$method" --config "$OUT/$method-$seed.json" "${extra[@]}" --model "$OUT/mlm" --data "$OUT/sentences.txt" \
      --eval-sts "$OUT/csts-dev.tsv" --out "$OUT/runs/$method-$seed" | tee "$OUT/$method-$seed.log"
    evaluate "$method-$seed" "$OUT/runs/$method-$seed" >> "$OUT/results.tsv"
  done
done
python3 - "$OUT" <<'PY'
import csv, statistics, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/results.tsv"), delimiter="\t"))
groups = {}
for r in rows:
    groups.setdefault(r["model"].rsplit("-", 1)[0] if r["model"].rsplit("-", 1)[-1].isdigit() else r["model"], []).append(r)
def cell(vals):
    vals = [float(v) for v in vals]
    return f"{statistics.mean(vals):.2f} ± {statistics.stdev(vals):.2f}" if len(vals) > 1 else f"{vals[0]:.2f}"
with open(f"{out}/results.md", "w") as f:
    f.write("| model | runs | Chinese STS-B test Spearman ×100 | LCQMC test AP ×100 | LCQMC test F1 ×100 |\n|---|---|---|---|---|\n")
    for name, rs in groups.items():
        f.write(f"| {name} | {len(rs)} | {cell(r['csts_test_spearman'] for r in rs)} | {cell(100 * float(r['lcqmc_test_ap']) for r in rs)} | {cell(100 * float(r['lcqmc_test_f1']) for r in rs)} |\n")
print(open(f"{out}/results.md").read())
PY
