#!/usr/bin/env bash
# The recipe grid beyond the recommended recipe (experiments/scifact_recipe_grid.json): LoRA, learning rate 1e-4, GIST
# with the zero-shot model as guide, the symmetric loss, on the recommended recipe's data and mined negatives. One seed
# each by default (SEEDS, default 42); prints one line per variant and seed with its SciFact test nDCG@10, then the
# aggregate. Results in artifacts/experiments/scifact_recipe_grid/; a rerun resumes where it stopped. CPU cost on 2
# cores: the recommended recipe's preparation once, then 15-25 minutes a cell.
set -euo pipefail
cd "$(dirname "$0")/.."
EXPERIMENT=experiments/scifact_recipe_grid.json SEEDS=${SEEDS:-42} exec bash experiments/scifact_recommended.sh
