#!/usr/bin/env bash
# A portable bundle of the kit for a Linux machine with PyTorch (its libtorch, CPU or CUDA) but no .NET SDK: the CLI and
# the benchmarks published without libtorch (-p:TorchBackend=external), the .NET runtime they need, and a launcher that
# points the kit at the installed PyTorch's torch/lib (or RESEARCH_LIBTORCH). Writes artifacts/bundle/ and
# artifacts/bundle.tar.xz. On the GPU machine: tar xf bundle.tar.xz && bundle/research env --device cuda
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-artifacts/bundle}
rm -rf "$OUT" && mkdir -p "$OUT/dotnet/shared/Microsoft.NETCore.App"
dotnet publish src/Research.Cli -c Release -r linux-x64 --no-self-contained -p:TorchBackend=external -o "$OUT/app" -v quiet -nologo
dotnet publish benchmarks/Research.Benchmarks -c Release -r linux-x64 --no-self-contained -p:TorchBackend=external -o "$OUT/bench" -v quiet -nologo
root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" {print $2}' | tail -1)
cp -r "$root/dotnet" "$root/host" "$OUT/dotnet/"
cp -r "$root/shared/Microsoft.NETCore.App/$runtime" "$OUT/dotnet/shared/Microsoft.NETCore.App/"
for tool in research:app/research.dll research-bench:bench/Research.Benchmarks.dll; do
  cat > "$OUT/${tool%%:*}" <<SH
#!/usr/bin/env bash
# Runs ${tool#*:} with this bundle's .NET runtime and the installed PyTorch's libtorch.
here=\$(dirname "\$(readlink -f "\$0")")
torchlib=\${RESEARCH_LIBTORCH:-\$(python3 -c "import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))")}
export DOTNET_ROOT="\$here/dotnet" LD_LIBRARY_PATH="\$torchlib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
exec "\$here/dotnet/dotnet" "\$here/${tool#*:}" "\$@"
SH
  chmod +x "$OUT/${tool%%:*}"
done
tar -C "$(dirname "$OUT")" -I "xz -T0 -6" -cf "$OUT.tar.xz" "$(basename "$OUT")"
echo "$OUT.tar.xz: $(du -h "$OUT.tar.xz" | cut -f1) (runtime $runtime; no libtorch inside: $(find "$OUT" -name 'libtorch*.so' | wc -l) libtorch files)"
