#!/usr/bin/env bash
# README's test command: installs what the tests need (scripts/setup.sh), checks that toy_data regenerates byte for
# byte, runs every test project, and prints the totals. Exit status: the tests'.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== toy_data is reproducible"
python3 toy_data/make_toy_data.py
git diff --exit-code -- toy_data

echo "== tests (dotnet test Research.sln -c Release)"
log=$(mktemp)
set +e
dotnet test Research.sln -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# Each test assembly ends with a summary ("Total tests: N" then "Passed: N", "Failed: N", "Skipped: N"
# lines, or a one-line "Passed!  - Failed: 0, Passed: N, Skipped: N" form): add them up.
read -r passed failed skipped < <(awk '
  /Passed!|Failed!/ && /Failed: +[0-9]+, Passed: +[0-9]+/ {
    match($0, /Failed: +[0-9]+/); f += substr($0, RSTART + 8, RLENGTH - 8) + 0
    match($0, /Passed: +[0-9]+/); p += substr($0, RSTART + 8, RLENGTH - 8) + 0
    if (match($0, /Skipped: +[0-9]+/)) s += substr($0, RSTART + 9, RLENGTH - 9) + 0
    n++; next }
  /^ *Total tests: +[0-9]+/ { inblock = 1; n++; next }
  inblock && /^ *Passed: +[0-9]+/ { sub(/^ *Passed: +/, ""); p += $1; next }
  inblock && /^ *Failed: +[0-9]+/ { sub(/^ *Failed: +/, ""); f += $1; next }
  inblock && /^ *Skipped: +[0-9]+/ { sub(/^ *Skipped: +/, ""); s += $1; next }
  inblock && !/^ *(Passed|Failed|Skipped|Total time)/ { inblock = 0 }
  END { if (n) print p + 0, f + 0, s + 0; else print "", "", "" }' "$log")
rm -f "$log"
if [ "$status" -ne 0 ] || [ -z "$passed" ]; then
  echo "tests failed (exit $status)"
  exit 1
fi
echo "== code style (dotnet format --verify-no-changes: .editorconfig, import order, whitespace)"
dotnet format Research.sln --verify-no-changes --no-restore
echo "tests: ${passed} passed, ${failed:-0} failed, ${skipped:-0} skipped (skipped: CUDA tests, which need a GPU)"
