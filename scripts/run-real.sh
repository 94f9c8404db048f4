#!/usr/bin/env bash
# The notebooks on real data (not part of CI): 01-03 and 05 with all-MiniLM-L6-v2 on BEIR SciFact, 04 with a Chinese
# BERT initialised here and MLM-pre-trained inside the notebook on Chinese STS-B / AFQMC / LCQMC sentences (no Chinese
# pretrained model can be had here). Each runs in the kit's runner with real parameters (`--param`), writing the
# executed notebook and its HTML report to artifacts/notebooks-real/, and their run times to times.tsv there;
# artifacts/index.html links them. Sized for about 45 minutes on 2 CPU cores (each notebook's top says its share):
#   01 cleaning   the 809 SciFact train claims; leakage against the 300 test claims and a 2,000-abstract corpus
#   02 mining     BM25 / dense / fused over the claims' cited abstracts; the SciFact reranker re-scores the fused pairs
#   03 training   InfoNCE, margin/scale, distillation (the reranker's logits) and LoRA on 256 mined (claim, abstract,
#                 3 hard negatives) records, 1 epoch; dev = the test claims over the 2,000-abstract corpus
#   04 unsupervised  SimCSE / ESimCSE / DiffCSE on 6,400 Chinese sentences (100 steps each, the seeds' log on LCQMC dev
#                 every 25 steps), from experiments/chinese.sh's MLM model (pre-trained on all 104k train/dev sentences;
#                 100 more MLM steps on the notebook's sentences); Chinese STS-B dev. Without that model: a model
#                 initialised here and MLM-trained inside the notebook on 10,000 sentences (3 epochs)
#   05 evaluation the SciFact reranker experiment (experiments/scifact_reranker.sh: its finished seeds, each re-ranking
#                 BM25's top 100)
# The reranker comes from that experiment (its seed-42 model); without it 02 and 03 fall back to an untrained
# classifier over MiniLM and to hashed-encoder teacher scores, and 05 stops with a message.
# Usage: bash scripts/run-real.sh [NOTEBOOK_NUMBERS...]   (default: 01 02 03 04 05; DATA=../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=$(realpath "${DATA:-../shared/data}")
OUT=$(realpath -m "${OUT:-artifacts/real}")
REPORTS=${REPORTS:-artifacts/notebooks-real}
MINILM=$(realpath -m "${MINILM:-artifacts/models/minilm}")
RERANKER_GRID=artifacts/experiments/scifact_reranker
RERANKER=$(realpath -m "$RERANKER_GRID/cells/minilm__reranker__seed42/model")
WHICH=${*:-01 02 03 04 05}
for d in "$DATA/beir_scifact" "$DATA/csts"; do
  [ -d "$d" ] || { echo "run-real: $d is missing (the real data; set DATA=FOLDER holding beir_scifact/ and csts/)" >&2; exit 2; }
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/Research.Cli -c Release -v quiet -nologo >/dev/null
research() { dotnet src/Research.Cli/bin/Release/net10.0/research.dll "$@"; }
mkdir -p "$OUT" "$REPORTS"
[ -f "$MINILM/config.json" ] || research model get all-MiniLM-L6-v2 --out "$MINILM"

echo "== data (SciFact: claims, a 2,000-abstract evaluation corpus; Chinese sentences and evaluation pairs)"
python3 scripts/real-notebook-data.py "$DATA/beir_scifact" "$OUT/scifact" --dev-corpus 2000
python3 experiments/scifact_train_jsonl.py "$DATA/beir_scifact" "$OUT/scifact/claims.jsonl" "$OUT/scifact/corpus.txt"
python3 experiments/chinese_sentences.py "$DATA/csts" "$OUT/chinese"
head -n 10000 "$OUT/chinese/sentences.txt" > "$OUT/chinese/sentences-10k.txt"
head -n 6400 "$OUT/chinese/sentences.txt" > "$OUT/chinese/sentences-6k.txt"
head -n 3001 "$OUT/chinese/lcqmc-test.tsv" > "$OUT/chinese/lcqmc-test-3k.tsv"
have_reranker=0
[ -f "$RERANKER/config.json" ] && have_reranker=1
if [[ " $WHICH " == *" 03 "* ]] && [ ! -f "$OUT/scifact/mined/mined.jsonl" ]; then
  echo "== hard negatives for 03: MiniLM's ranks 10-50 of the corpus, 3 a record$([ $have_reranker = 1 ] && echo ', re-scored by the SciFact reranker (teacher scores)')"
  head -n 256 "$OUT/scifact/train.jsonl" > "$OUT/scifact/train-256.jsonl"
  rescore=()
  [ $have_reranker = 1 ] && rescore=(--rescore "$RERANKER" --rescore-keep-all)
  research mine --input "$OUT/scifact/train-256.jsonl" --model "$MINILM" --method Dense --corpus "$OUT/scifact/corpus.txt" \
    --range 10-50 --negatives 3 --replace "${rescore[@]}" --out "$OUT/scifact/mined"
fi
if [ ! -f "$OUT/chinese/model0/config.json" ]; then
  research model init --layers 4 --hidden 256 --heads 4 --max-positions 128 --pooling Mean --vocab-from "$OUT/chinese/sentences.txt" \
    --vocab-words 1 --seed 42 --out "$OUT/chinese/model0"
fi
[ $have_reranker = 1 ] && reranker=$RERANKER || reranker=$MINILM
teacher=""
[ $have_reranker = 1 ] && teacher=mined/mined.jsonl

run() { # NUMBER NOTEBOOK PARAMS...: the kit's runner with real parameters; the wall time into times.tsv
  local n=$1 nb=$2; shift 2
  [[ " $WHICH " == *" $n "* ]] || return 0
  local params=() start
  for p in "$@"; do params+=(--param "$p"); done
  echo "== $nb"
  start=$(date +%s)
  research notebooks run "notebooks/$nb" "${params[@]}" --out "$REPORTS" --cell-timeout 3600
  printf '%s\t%s s\n' "$nb" "$(( $(date +%s) - start ))" >> "$REPORTS/times.tsv.new"
}
rm -f "$REPORTS/times.tsv.new"
run 01 01_cleaning.ipynb dataDir="$OUT/scifact" trainFile=claims.jsonl modelDir="$MINILM" threshold=0.85 \
  devFile=dev.json devNegFile=dev_neg.json pairsFile=
run 02 02_mining.ipynb dataDir="$OUT/scifact" trainFile=claims.jsonl modelDir="$MINILM" range=2-60 negatives=5 \
  rerankerDir="$reranker"
run 03 03_supervised.ipynb dataDir="$OUT/scifact" trainFile=mined/mined.jsonl modelDir="$MINILM" epochs=1 learningRate=1e-4 \
  devFile=dev.json devNegFile=dev_neg.json maxExamples=256 batchSize=32 queryMaxLength=64 passageMaxLength=128 \
  teacherFile="$teacher" only="InfoNCE,margin,distillation"
CHINESE_MLM=$(realpath -m "${CHINESE_MLM:-artifacts/experiments/chinese/start}")
if [ -f "$CHINESE_MLM/config.json" ]; then  # the experiment's MLM model (its head included: DiffCSE's generator)
  run 04 04_unsupervised.ipynb dataDir="$OUT/chinese" sentencesFile=sentences-6k.txt stsFile=csts-dev.tsv pairsFile=lcqmc-dev.tsv \
    modelDir="$CHINESE_MLM" epochs=1 learningRate=1e-4 batchSize=64 evaluateEvery=25 mlmEpochs=1 mlmLearningRate=1e-4 diffCseLambda=0.005 \
    fromStartingModel=false
else
  echo "run-real: $CHINESE_MLM has no model (bash experiments/chinese.sh makes it); 04 pre-trains a model initialised here"
  run 04 04_unsupervised.ipynb dataDir="$OUT/chinese" sentencesFile=sentences-10k.txt stsFile=csts-dev.tsv pairsFile=lcqmc-test-3k.tsv \
    modelDir="$OUT/chinese/model0" epochs=1 learningRate=1e-4 batchSize=64 evaluateEvery=50 mlmEpochs=3 mlmLearningRate=5e-4 diffCseLambda=0.005 \
    fromStartingModel=false
fi
if [[ " $WHICH " == *" 05 "* ]]; then
  # A snapshot of the reranker experiment's finished seeds (the experiment may still be running; its folder is locked
  # while it does): their cells and results, and the experiment file with those seeds.
  done_seeds=$(for s in 42 43 44; do if grep -qs '"status": "done"' "$RERANKER_GRID/cells/minilm__reranker__seed$s/cell.json"; then echo "$s"; fi; done | xargs)
  if [ -z "$done_seeds" ] || [ ! -f "$RERANKER_GRID/cells/bm25/cell.json" ]; then
    echo "run-real: 05 reads the SciFact reranker experiment, which has no finished seed yet: run bash experiments/scifact_reranker.sh (about 40 minutes a seed on 2 cores)" >&2
    exit 1
  fi
  snap="$OUT/reranker-grid"
  rm -rf "$snap" && mkdir -p "$snap/cells" "$snap/results"
  for id in bm25 $(printf 'minilm__reranker__seed%s ' $done_seeds); do
    cp -r "$RERANKER_GRID/cells/$id" "$snap/cells/" && rm -rf "$snap/cells/$id/model"
    cp -r "$RERANKER_GRID/results/$id" "$snap/results/"
  done
  python3 experiments/grid_with_seeds.py experiments/scifact_reranker.json "$done_seeds" "$OUT/reranker-grid.json"
  first_seed=${done_seeds%% *}
  run 05 05_evaluation.ipynb experimentFile="$OUT/reranker-grid.json" outDir="$snap" \
    firstCell=bm25 secondCell="minilm__reranker__seed$first_seed" scatterSeed="$first_seed" scatterTask=SciFact
fi
# Keep the times of notebooks not rerun this time.
[ -f "$REPORTS/times.tsv" ] && awk -F'\t' 'NR == FNR { seen[$1] = 1; next } !($1 in seen)' "$REPORTS/times.tsv.new" "$REPORTS/times.tsv" >> "$REPORTS/times.tsv.new"
sort "$REPORTS/times.tsv.new" > "$REPORTS/times.tsv" && rm "$REPORTS/times.tsv.new"
python3 scripts/make-index.py artifacts >/dev/null
cat "$REPORTS/times.tsv"
echo "reports in $REPORTS/ (linked from artifacts/index.html)"
