#!/usr/bin/env bash
# The Chinese leg, supervised (issue 30): no pretrained Chinese model can be had here, so a small BERT with a character
# vocabulary built from the data is MLM-pre-trained with whole-word masking (SmartCn words) on every distinct train/dev
# sentence of LCQMC (dev only is shipped), AFQMC and Chinese STS-B (never a test split), its pooling (CLS or mean)
# chosen on Chinese STS-B dev, then fine-tuned with CoSENT on scored pairs (Chinese STS-B train scores 0-5, AFQMC
# train labels 0/1; gold_scores, one source per batch; the best of the evaluations on Chinese STS-B dev kept) for each
# seed; and with InfoNCE (in-batch + mined hard negatives) on text2vec's query/pos/neg records (experiments/chinese_bge_prepare.py
# drops those that share a sentence with the evaluation). Reported: Spearman ×100 on Chinese STS-B dev and test, AP / F1 ×100 on LCQMC test, mean ± sd over seeds, next to the model-free lexical encoder, the untrained
# model and the MLM-only model. Finished steps are kept, so an interrupted run resumes.
# Scale by the environment: LAYERS, HIDDEN, HEADS, MLM_STEPS; the fine-tuning recipe is configs/cosent_chinese.json, the
# grid (seeds, baselines, tasks) experiments/chinese.json.
# Usage: bash experiments/chinese.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data}
OUT=${OUT:-artifacts/experiments/chinese}
LAYERS=${LAYERS:-4}
HIDDEN=${HIDDEN:-256}
HEADS=${HEADS:-4}
MLM_STEPS=${MLM_STEPS:-1627}       # one pass over the 104,112 sentences at batch 64, as measured in README (max_steps overrides epochs)
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
echo "fine-tuning starts from the MLM model with $POOL pooling (STS-B dev)"
with_pooling "$OUT/mlm" "$POOL" "$OUT/start"
# The query/pos/neg leg: text2vec's records without the evaluation's sentences, negatives mined with the start model
# fused with BM25 (CJK bigrams, chosen by the texts' script).
python3 experiments/chinese_bge_prepare.py "$SHARED/text2vec/bge_finetune_data.jsonl" "$OUT" "$OUT"
[ -f "$OUT/bge-mined/mined.jsonl" ] || research mine --input "$OUT/bge-train.jsonl" --model "$OUT/start" --method Hybrid --range 3-50 --negatives 7 \
  --replace --out "$OUT/bge-mined"
# CoSENT and InfoNCE × 3 seeds, the MLM model (zero-shot) and the hashed encoder beside them: one resumable grid (manifest, mean ± sd).
research experiment run experiments/chinese.json --out "$OUT/grid"
python3 - "$OUT" <<'PY'
import csv, glob, json, os, statistics, sys
out = sys.argv[1]
def cell(vals):
    vals = [100 * v for v in vals]
    return f"{statistics.mean(vals):.2f} ± {statistics.stdev(vals):.2f}" if len(vals) > 1 else f"{vals[0]:.2f}"
rows = {}  # model -> task -> [(main, f1)]
for path in glob.glob(f"{out}/grid/results/*/*/*.json"):
    if os.path.basename(path) == "model_meta.json": continue
    r = json.load(open(path))
    cell_id = path.split(os.sep)[-3]
    group = cell_id.rsplit("__seed", 1)[0].replace("__", " / ")
    s = next(iter(r["scores"].values()))[0]
    rows.setdefault(group, {}).setdefault(r["task_name"], []).append((s["main_score"], s.get("max_f1")))
for r in csv.DictReader(open(f"{out}/results.tsv"), delimiter="\t"):
    if r["model"] in ("untrained", "mlm-cls", "mlm-mean"):
        rows[r["model"]] = {"ChineseSTSB-dev": [(float(r["csts_dev_spearman"]) / 100, None)], "ChineseSTSB": [(float(r["csts_test_spearman"]) / 100, None)],
                            "LCQMC": [(float(r["lcqmc_test_ap"]), float(r["lcqmc_test_f1"]))]}
order = ["hashed", "untrained", "mlm-cls", "mlm-mean"] + sorted(k for k in rows if k.startswith("mlm / ") and k != "mlm / zero-shot")  # the zero-shot row is mlm-cls or mlm-mean
with open(f"{out}/results.md.tmp", "w") as f:
    f.write("| model | runs | STS-B dev Spearman ×100 | STS-B test Spearman ×100 | LCQMC test AP ×100 | LCQMC test F1 ×100 |\n|---|---|---|---|---|---|\n")
    for name in (n for n in order if n in rows):
        t = rows[name]
        f.write(f"| {name} | {len(t['ChineseSTSB'])} | {cell([m for m, _ in t['ChineseSTSB-dev']])} | {cell([m for m, _ in t['ChineseSTSB']])} | "
                f"{cell([m for m, _ in t['LCQMC']])} | {cell([f1 for _, f1 in t['LCQMC']])} |\n")
os.replace(f"{out}/results.md.tmp", f"{out}/results.md")
print(open(f"{out}/results.md").read())
PY
