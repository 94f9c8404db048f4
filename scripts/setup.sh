#!/usr/bin/env bash
# Everything the main job and the tests need beyond the .NET SDK, installed by the project's own files:
# Debian/Ubuntu packages (apt-get when run as root; otherwise one message listing exactly what to install),
# the npm reference tools, and the dotnet tools (dotnet-repl, dotnet-interactive). Quick when everything is there already.
# Sourced or run by scripts/test.sh and scripts/run-main.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

# python3: regenerates toy_data, runs reference scripts (stdlib only for the main job).
# python3-torch, python3-numpy, python3-sentencepiece: reference implementations for the parity tests.
# python3-nbformat: validates the executed notebooks. python3-nbclient, python3-jupyter-client: run the notebooks in the
# dotnet-interactive Jupyter kernel (scripts/run-jupyter.py). python3-scipy, python3-sklearn: metric references.
# libfaiss-dev, libopenblas-dev: the Faiss shim is compiled against them; python3-faiss: index-file interop test.
# libgloo-dev: the Gloo shim (multi-process training) is compiled against it.
# python3-protobuf: reads the TensorBoard event files back (benchmarks/reference/tfevents_reference.py).
# nodejs, npm: Hugging Face tokenizers (npm) for the WordPiece parity test.
packages=(python3 python3-torch python3-numpy python3-sentencepiece python3-nbformat python3-nbclient python3-jupyter-client
  python3-scipy python3-sklearn libfaiss-dev libopenblas-dev python3-faiss python3-protobuf libgloo-dev nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node/npm from another source (nvm, NodeSource) count as present.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs/}"); missing=("${missing[@]/npm/}")
fi
read -r -a missing <<< "${missing[*]:-}"
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== setup: apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing system packages; install them and run again:" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ ! -d benchmarks/reference/node_modules ] || [ benchmarks/reference/package-lock.json -nt benchmarks/reference/node_modules ]; then
  echo "== setup: reference tools (npm ci)"
  npm ci --prefix benchmarks/reference --no-audit --no-fund
fi
dotnet tool restore >/dev/null
echo "== setup: system packages, npm reference tools and dotnet tools are in place"
