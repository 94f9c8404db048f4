#!/usr/bin/env bash
# Renders an HTML report in headless Chromium (Debian's `chromium`) and saves a PNG, to check that charts draw
# offline. usage: scripts/screenshot-report.sh artifacts/notebooks/00_quickstart.html out.png [height]
set -euo pipefail
report=$(realpath "$1")
out=$(realpath -m "$2")
height=${3:-4200}
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# No network is needed: the report embeds plotly.js. The flags keep Chromium from trying to reach anything.
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars \
  --window-size=1200,"$height" --virtual-time-budget=10000 --screenshot="$out" "file://$report" 2>/dev/null
echo "$out"
