#!/usr/bin/env bash
# multi-process (issue 29, item 5): one supervised job on one CPU node run three ways on the same global batch, in
# rounds that alternate them: 1 process; 2 processes through `research launch` sharing the cores (its default since
# session 22: cores ÷ processes intra-op threads each); 2 processes with all the cores each (OMP_NUM_THREADS = cores,
# oversubscribed: the behaviour before). For each run: the wall time (process start and model load included), the
# median examples/s the trainer logs from step 3 on, and the SHA-256 of the saved weights (runs of one kind should
# agree); then the medians over rounds and the ratios to 1 process.
# Usage: bash benchmarks/multi-process.sh [MODEL_DIR] [PAIRS_JSONL]
#   (defaults: artifacts/models/minilm, artifacts/experiments/scifact-st-recipe/pairs.jsonl; ROUNDS=3 STEPS=10 BATCH=32)
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-artifacts/models/minilm}
DATA=${2:-artifacts/experiments/scifact-st-recipe/pairs.jsonl}
ROUNDS=${ROUNDS:-3} STEPS=${STEPS:-10} BATCH=${BATCH:-32}
[ -f "$MODEL/config.json" ] || { echo "multi-process: $MODEL has no model (research model get all-MiniLM-L6-v2 --out $MODEL)" >&2; exit 2; }
[ -f "$DATA" ] || { echo "multi-process: $DATA: file not found (bash experiments/scifact_st_recipe.sh writes it)" >&2; exit 2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/Research.Cli -c Release -v quiet -nologo >/dev/null
CLI=src/Research.Cli/bin/Release/net10.0/research.dll
CORES=$(nproc)
WORK=$(mktemp -d /tmp/multi-process-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cat > "$WORK/config.json" <<JSON
{ "batch_size": $BATCH, "group_size": 1, "max_steps": $STEPS, "epochs": 1, "learning_rate": 2e-5, "warmup_ratio": 0.1,
  "query_max_length": 32, "passage_max_length": 128, "seed": 42, "log_every": 1 }
JSON
echo "multi-process: $MODEL, $STEPS steps × global batch $BATCH of $DATA, $CORES cores, $ROUNDS rounds"
printf 'round\tkind\twall s\tex/s\tweights\n' > "$WORK/runs.tsv"
for round in $(seq 1 "$ROUNDS"); do
  for kind in one shared oversubscribed; do
    out="$WORK/$kind-$round"
    args=(train --config "$WORK/config.json" --model "$MODEL" --data "$DATA" --out "$out" --device cpu)
    start=$(date +%s.%N)
    case $kind in
      one) dotnet "$CLI" "${args[@]}" > "$out.log" 2>&1 ;;
      shared) env -u OMP_NUM_THREADS dotnet "$CLI" launch --nproc-per-node 2 -- "${args[@]}" > "$out.log" 2>&1 ;;
      oversubscribed) OMP_NUM_THREADS=$CORES dotnet "$CLI" launch --nproc-per-node 2 -- "${args[@]}" > "$out.log" 2>&1 ;;
    esac || { echo "multi-process: the $kind run failed:" >&2; tail -20 "$out.log" >&2; exit 1; }
    wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
    rate=$(grep -E '^step +[0-9]+ ' "$out.log" | awk '$2 >= 3 { for (i = 1; i < NF; i++) if ($(i + 1) == "ex/s") print $i }' | sort -g \
      | awk '{ v[NR] = $1 } END { if (NR == 0) print "?"; else print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
    hash=$(sha256sum "$out/model.safetensors" | cut -c1-8)
    printf '%s\t%s\t%.1f\t%s\t%s\n' "$round" "$kind" "$wall" "$rate" "$hash" | tee -a "$WORK/runs.tsv"
    rm -rf "$out"
  done
done
python3 - "$WORK/runs.tsv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
kinds = ["one", "shared", "oversubscribed"]
names = {"one": "1 process", "shared": "2 processes, cores shared (default)", "oversubscribed": "2 processes, all cores each (OMP_NUM_THREADS)"}
med = {k: (statistics.median(float(r["wall s"]) for r in rows if r["kind"] == k),
           statistics.median(float(r["ex/s"]) for r in rows if r["kind"] == k and r["ex/s"] != "?")) for k in kinds}
print("\n| run | median wall s | median ex/s | wall vs 1 process | distinct weights over rounds |")
print("|---|---|---|---|---|")
for k in kinds:
    distinct = len({r["weights"] for r in rows if r["kind"] == k})
    print(f"| {names[k]} | {med[k][0]:.1f} | {med[k][1]:.1f} | {med[k][0] / med['one'][0]:.2f}× | {distinct} |")
PY
