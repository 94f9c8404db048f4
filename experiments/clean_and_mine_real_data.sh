#!/usr/bin/env bash
# Regenerates the cleaning and mining table (README, cleaning/mining issue) on real data from ../shared/data:
# text2vec's bge_finetune_data.jsonl (Chinese), financial-qa-10K (question -> context) and BEIR SciFact train
# (query -> cited abstracts). Cleaning at cosine 0.7 / 0.8 / 0.9 with the model-free hashed encoder and, for the
# English sets, all-MiniLM-L6-v2; mining with BM25, dense and hybrid, range 10-210, 15 negatives, relative
# false-negative filter 0.95. Dense and hybrid mining rank with the model itself (all-MiniLM-L6-v2) on the English sets
# and with the hashed encoder on the Chinese one (no Chinese model is available here); MINER=hashed mines every set with
# the model-free hashed encoder, as the README's mining table was measured. Outputs and a summary table under
# artifacts/experiments/clean-mine/.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-artifacts/experiments/clean-mine}
MINILM=${MINILM:-artifacts/models/minilm}
MINER=${MINER:-$MINILM}
source experiments/common.sh
[ -f "$MINILM/config.json" ] || research model get all-MiniLM-L6-v2 --out "$MINILM"

# Training JSONL for the two English sets (the Chinese set already is one).
python3 - "$DATA" "$OUT" <<'PY'
import csv, json, sys
data, out = sys.argv[1], sys.argv[2]
skipped = 0
with open(f"{out}/fin.jsonl", "w", encoding="utf-8") as f:
    for row in csv.DictReader(open(f"{data}/financial_qa_10k/Financial-QA-10k.csv", encoding="utf-8")):
        if not row["question"].strip() or not row["context"].strip():
            skipped += 1  # a few rows have no question or no context
            continue
        f.write(json.dumps({"query": row["question"], "pos": [row["context"]], "neg": []}, ensure_ascii=False) + "\n")
print(f"financial-qa-10K: {skipped} rows without question or context skipped", file=sys.stderr)
PY
python3 experiments/scifact_train_jsonl.py "$DATA/beir_scifact" "$OUT/scifact.jsonl" "$OUT/scifact_corpus.txt"
cp "$DATA/text2vec/bge_finetune_data.jsonl" "$OUT/bge.jsonl"

for set in bge fin scifact; do
  models="hashed"; [ "$set" != bge ] && models="hashed $MINILM"
  for model in $models; do
    name=$(basename "$model")
    for t in 0.7 0.8 0.9; do
      research clean --input "$OUT/$set.jsonl" --model "$model" --threshold "$t" --out "$OUT/clean-$set-$name-$t" > /dev/null
    done
  done
  corpus=(); [ "$set" = scifact ] && corpus=(--corpus "$OUT/scifact_corpus.txt")
  for method in Bm25 Dense Hybrid; do
    miner=$MINER; [ "$set" = bge ] && miner=hashed
    model=(--model "$miner"); [ "$method" = Bm25 ] && model=()   # BM25 ranks without a model
    research mine --input "$OUT/$set.jsonl" "${model[@]}" --method "$method" "${corpus[@]}" --range 10-210 --negatives 15 \
      --max-score-ratio 0.95 --replace --out "$OUT/mine-$set-$method" > /dev/null
  done
done

python3 - "$OUT" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
print("| data | encoder | threshold | queries in | exact dup. | near dup. | queries out |")
print("|---|---|---|---|---|---|---|")
for path in sorted(glob.glob(f"{out}/clean-*/summary.json")):
    s = json.load(open(path)); _, data, enc, t = os.path.basename(os.path.dirname(path)).split("-", 3)
    print(f"| {data} | {enc} | {t} | {s['records_in']} | {s['exact_duplicates']} | {s['near_duplicates']} | {s['records_out']} |")
print()
print("| data | method | negatives / query | filtered as likely false negatives | padded |")
print("|---|---|---|---|---|")
for path in sorted(glob.glob(f"{out}/mine-*/summary.json")):
    s = json.load(open(path)); _, data, method = os.path.basename(os.path.dirname(path)).split("-", 2)
    print(f"| {data} | {method} | {s['mined'] / s['queries']:.1f} | {s['filtered_fraction']:.1%} | {s['mined'] and s['padded'] / s['mined']:.1%} |")
PY
