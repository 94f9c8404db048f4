#!/usr/bin/env bash
# The main job on toy_data (or on your own files: TRAIN=... DEV=... DEV_NEG=... PAIRS=... STS=... UNSUP=...):
# installs what it needs (scripts/setup.sh), then runtime check, validation of every input format, statistics, a
# seeded split, encoding with the tiny checkpoint, cleaning (with a leakage check against the dev queries), mining
# (BM25, dense, hybrid), the supervised variants (InfoNCE with the mined negatives, margin/scale) and the unsupervised
# ones (SimCSE, ESimCSE, MLM then DiffCSE), every variant evaluated MTEB-style beside the zero-shot model, BM25 and the
# hashed encoder, the toy experiment grid (2 models × 4 variants × 3 seeds, mean ± sd), every notebook 00-05 headless
# in the kit's runner, in dotnet repl and in the dotnet-interactive Jupyter kernel (VS Code's engine; outputs compared
# with dotnet repl's cell by cell; executed notebooks validated with nbformat), and artifacts/index.html.
# Outputs land in artifacts/main/, artifacts/experiments/toy_grid/ and artifacts/notebooks/.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
TRAIN=${TRAIN:-toy_data/toy_source.json}
DEV=${DEV:-toy_data/toy_dev.json}
DEV_NEG=${DEV_NEG:-toy_data/toy_dev_neg.json}
PAIRS=${PAIRS:-toy_data/toy_pairs.tsv}
STS=${STS:-toy_data/toy_sts.tsv}
UNSUP=${UNSUP:-toy_data/toy_unsup.txt}
OUT=${OUT:-artifacts/main}

dotnet build src/Research.Cli -c Release -v quiet -nologo
# The notebooks #r the kit from the README's build step (Debug), as Polyglot and dotnet-repl load it.
dotnet build src/Research.Cli -v quiet -nologo
research() { dotnet src/Research.Cli/bin/Release/net10.0/research.dll "$@"; }

echo "== runtime"
research env --device auto
echo "== validate"
research data validate "$TRAIN" --format train
research data validate "$DEV" --format eval --neg "$DEV_NEG"
research data validate "$PAIRS" --format pairs
research data validate "$STS" --format pairs
research data validate "$UNSUP" --format sentences
echo "== stats"
research data stats "$TRAIN"
echo "== split"
research data split "$TRAIN" --ratios 8,1,1 --seed 42 --group-by pos --out "$OUT/split"
echo "== encode"
research model encode --model toy_data/tiny-bert --input "$UNSUP" --out "$OUT/unsup.tiny-bert.npy"
# The evaluation queries, one per line, for the leakage check.
python3 -c 'import json,sys; [print(json.loads(l)["query"]) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]' "$DEV" > "$OUT/dev_queries.txt"
echo "== clean (near-duplicate queries; model-free encoder, so no checkpoint is needed)"
research clean --input "$TRAIN" --model hashed --threshold 0.7 --eval-queries "$OUT/dev_queries.txt" --out "$OUT/clean"
# The inverted-file join for millions of queries, here probing every list: it must drop exactly what the exact search drops.
research clean --input "$TRAIN" --model hashed --threshold 0.7 --eval-queries "$OUT/dev_queries.txt" --index IVF --nprobe 1000 --out "$OUT/clean-ivf" > /dev/null
cmp "$OUT/clean/dropped.tsv" "$OUT/clean-ivf/dropped.tsv"
echo "clean --index IVF (every list probed) dropped the same queries as the exact search"
echo "== mine (BM25, dense, hybrid)"
for method in Bm25 Dense Hybrid; do
  model=(--model hashed); [ "$method" = Bm25 ] && model=()   # BM25 ranks without a model
  research mine --input "$OUT/clean/cleaned.jsonl" "${model[@]}" --method "$method" --range 2-60 --negatives 5 --replace --max-score-ratio 0.95 --out "$OUT/mine-$method"
done
echo "== train (InfoNCE with the mined hard negatives; tiny model, a few epochs) and evaluate on the dev set"
research train --config configs/infonce_toy.json --model toy_data/tiny-bert --data "$OUT/mine-Hybrid/mined.jsonl" \
  --eval "$DEV" --eval-neg "$DEV_NEG" --out "$OUT/trained-tiny"
research eval retrieval --model "$OUT/trained-tiny" --data "$DEV" --neg "$DEV_NEG" --out "$OUT/eval-trained-tiny"
echo "== train (margin/scale loss, same data)"
research train --config configs/margin_scale_toy.json --model toy_data/tiny-bert --data "$OUT/mine-Hybrid/mined.jsonl" --out "$OUT/trained-tiny-margin"
echo "== train, unsupervised on plain sentences (SimCSE, ESimCSE; MLM pre-training, then DiffCSE with it as generator)"
for method in simcse esimcse; do
  research train --method "$method" --config configs/simcse_toy.json --model toy_data/tiny-bert --data "$UNSUP" --eval-sts "$STS" --out "$OUT/trained-tiny-$method"
done
research train --method mlm --config configs/mlm_toy.json --model toy_data/tiny-bert --data "$UNSUP" --out "$OUT/mlm-tiny"
research train --method diffcse --config configs/simcse_toy.json --generator "$OUT/mlm-tiny" --model toy_data/tiny-bert --data "$UNSUP" --eval-sts "$STS" --out "$OUT/trained-tiny-diffcse"
echo "== evaluate every variant MTEB-style (retrieval, STS, pair classification) beside the zero-shot model, BM25 and the hashed encoder"
rm -rf "$OUT/eval-suite"
research eval suite --model toy_data/tiny-bert bm25 hashed "$OUT"/trained-tiny "$OUT"/trained-tiny-margin "$OUT"/trained-tiny-{simcse,esimcse,diffcse} \
  --tasks "${TASKS:-toy_data/tasks.json}" --out "$OUT/eval-suite"
echo "== experiment grid (models × variants × seeds, aggregated; a rerun resumes)"
research experiment run experiments/toy_grid.json
echo "== notebooks (the kit's runner: parameters, timeouts, HTML reports)"
research notebooks run notebooks/*.ipynb --out artifacts/notebooks
echo "== notebooks (dotnet repl, the real kernel's headless host; a failing cell fails the job)"
mkdir -p artifacts/notebooks/repl
for nb in notebooks/*.ipynb; do
  name=$(basename "$nb" .ipynb)
  # From notebooks/, as Polyglot runs a notebook's kernel in its folder (relative #r and data paths).
  (cd notebooks && dotnet repl --run "$name.ipynb" --exit-after-run --output-format ipynb --output-path "../artifacts/notebooks/repl/$name.ipynb")
  # dotnet repl 0.3.259 drops the cell ids nbformat 4.5 requires: the source's, position by position.
  python3 scripts/restore-cell-ids.py "$nb" "artifacts/notebooks/repl/$name.ipynb"
  (cd notebooks && dotnet repl --run "$name.ipynb" --exit-after-run --output-format trx --output-path "../artifacts/notebooks/repl/$name.trx")
  echo "  $nb: ok in dotnet repl (artifacts/notebooks/repl/$name.ipynb, .trx)"
done
echo "== notebooks (the dotnet-interactive Jupyter kernel, VS Code Polyglot's engine, through nbclient; outputs as dotnet repl's)"
rm -rf artifacts/jupyter && mkdir -p artifacts/jupyter/kernels
dotnet interactive jupyter install --path artifacts/jupyter/kernels >/dev/null
/usr/bin/python3 scripts/run-jupyter.py artifacts/jupyter artifacts/notebooks/jupyter notebooks/*.ipynb --compare artifacts/notebooks/repl
echo "== the notebooks' #r \"nuget: Research.Lib\" resolved to the package this build wrote to artifacts/feed"
kit_version=$(sed -n 's|.*<Version>\(.*\)</Version>.*|\1|p' Directory.Build.props)
/usr/bin/python3 - "artifacts/feed/Research.Lib.$kit_version.nupkg" "${NUGET_PACKAGES:-$HOME/.nuget/packages}/research.lib/$kit_version/lib/net10.0/Research.Lib.dll" <<'PY'
import sys, zipfile
feed, restored = sys.argv[1], sys.argv[2]
packed = zipfile.ZipFile(feed).read("lib/net10.0/Research.Lib.dll")
try:
    used = open(restored, "rb").read()
except FileNotFoundError:
    sys.exit(f"{restored}: missing - the notebooks did not restore Research.Lib from {feed}")
if used != packed:
    sys.exit(f"{restored} differs from the Research.Lib.dll in {feed}: a stale package in the NuGet cache")
print(f"  {restored} = {feed}'s")
PY
echo "== executed notebooks: nbformat validation; every report has a plot and a table"
/usr/bin/python3 scripts/check-notebooks.py notebooks artifacts/notebooks artifacts/notebooks/repl artifacts/notebooks/jupyter
echo "== index"
python3 scripts/make-index.py artifacts
echo "main job done in $(( $(date +%s) - start )) s; open artifacts/index.html (outputs in $OUT/, artifacts/experiments/, artifacts/notebooks/)"
