#!/usr/bin/env bash
# A portable bundle of the kit for a Linux machine with PyTorch (its libtorch, CPU or CUDA) but no .NET SDK: the CLI, the
# benchmarks and the library tests published into one folder without libtorch (-p:TorchBackend=external, English
# resources only), xUnit's console runner, the .NET runtime they need, and launchers that point the kit at the installed
# PyTorch's torch/lib (or RESEARCH_LIBTORCH). Writes artifacts/bundle/ and artifacts/bundle.tar.xz (under 64 MiB).
# On the GPU machine, from a checkout of the repository (the tests and benchmarks read toy_data/):
#   tar xf bundle.tar.xz -C artifacts && artifacts/bundle/research env --device cuda
#   artifacts/bundle/research-tests -class Research.Lib.Tests.Devices.CudaTests      (the CUDA tests)
#   artifacts/bundle/research-bench gpu ...                                            (benchmarks/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-artifacts/bundle}
rm -rf "$OUT" && mkdir -p "$OUT/dotnet/shared/Microsoft.NETCore.App"
common=(-c Release -r linux-x64 --no-self-contained -p:TorchBackend=external -p:SatelliteResourceLanguages=en -o "$OUT/app" -v quiet -nologo)
dotnet publish src/Research.Cli "${common[@]}"
dotnet publish benchmarks/Research.Benchmarks "${common[@]}"
dotnet publish tests/Research.Lib.Tests "${common[@]}"
rm -f "$OUT"/app/libonnxruntime*.so "$OUT"/app/*.pdb   # ONNX Runtime is the CPU reference of other tests; not needed on the GPU machine
# Not needed there either, and together 35 MB: the ONNX Runtime package's Windows binary (copied into every publish) and
# the F# compiler that the notebook runner's package manager carries (`research notebook` is not run from the bundle).
rm -f "$OUT"/app/onnxruntime.dll "$OUT"/app/FSharp.Compiler.Service.dll
# xUnit's console runner (runs the tests without the SDK), restored through a throw-away project.
runner=$(mktemp -d)
cat > "$runner/r.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
<ItemGroup><PackageDownload Include="xunit.runner.console" Version="[2.4.1]" /></ItemGroup></Project>
XML
touch "$runner/Directory.Build.props" "$runner/Directory.Build.targets" "$runner/Directory.Packages.props"
dotnet restore "$runner/r.csproj" --packages "$runner/packages" -v quiet -nologo >/dev/null
cp -r "$runner"/packages/xunit.runner.console/2.4.1/tools/netcoreapp2.0 "$OUT/xunit"
rm -rf "$runner"
root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" {print $2}' | tail -1)
cp -r "$root/dotnet" "$root/host" "$OUT/dotnet/"
cp -r "$root/shared/Microsoft.NETCore.App/$runtime" "$OUT/dotnet/shared/Microsoft.NETCore.App/"
for tool in research:app/research.dll research-bench:app/Research.Benchmarks.dll "research-tests:xunit/xunit.console.dll app/Research.Lib.Tests.dll"; do
  cat > "$OUT/${tool%%:*}" <<SH
#!/usr/bin/env bash
# Runs ${tool#*:} with this bundle's .NET runtime and the installed PyTorch's libtorch.
here=\$(dirname "\$(readlink -f "\$0")")
torchlib=\${RESEARCH_LIBTORCH:-\$(python3 -c "import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))")}
export DOTNET_ROOT="\$here/dotnet" DOTNET_ROLL_FORWARD=Major LD_LIBRARY_PATH="\$torchlib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
exec "\$here/dotnet/dotnet" $(for f in ${tool#*:}; do printf '"$here/%s" ' "$f"; done)"\$@"
SH
  chmod +x "$OUT/${tool%%:*}"
done
tar -C "$(dirname "$OUT")" -I "xz -T0 -9" -cf "$OUT.tar.xz" "$(basename "$OUT")"
echo "$OUT.tar.xz: $(du -h "$OUT.tar.xz" | cut -f1) (runtime $runtime; no libtorch inside: $(find "$OUT" -name 'libtorch*.so' | wc -l) libtorch files)"
# A GPU call carries 64 MiB in all, and the benchmark inputs (artifacts/gpu.tar.xz) need about 1.1 MiB of it.
if [ "$(stat -c %s "$OUT.tar.xz")" -gt $((62 * 1024 * 1024)) ]; then
  echo "warning: $OUT.tar.xz is over 62 MiB: with the benchmark inputs it may not fit the 64 MiB a GPU call can carry." >&2
fi
