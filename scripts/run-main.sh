#!/usr/bin/env bash
# The main job on toy_data (or on your own files: TRAIN=... DEV=... DEV_NEG=... PAIRS=...):
# runtime check, validation of every input format, statistics, a seeded split, encoding with the tiny
# checkpoint, then every notebook in notebooks/ headless. Outputs land in artifacts/main/; executed notebooks
# and their HTML reports in artifacts/notebooks/. Later stages (cleaning, mining, training, evaluation)
# join as they land.
set -euo pipefail
cd "$(dirname "$0")/.."
TRAIN=${TRAIN:-toy_data/toy_source.json}
DEV=${DEV:-toy_data/toy_dev.json}
DEV_NEG=${DEV_NEG:-toy_data/toy_dev_neg.json}
PAIRS=${PAIRS:-toy_data/toy_pairs.tsv}
STS=${STS:-toy_data/toy_sts.tsv}
UNSUP=${UNSUP:-toy_data/toy_unsup.txt}
OUT=${OUT:-artifacts/main}

dotnet build src/Research.Cli -c Release -v quiet -nologo
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
research model encode --model toy_data/tiny-bert --input "$UNSUP" --out "$OUT/unsup.tiny-bert.f32"
echo "== notebooks"
research notebooks run notebooks/*.ipynb --out artifacts/notebooks
echo "main job done; outputs in $OUT/, notebooks and HTML reports in artifacts/notebooks/"
