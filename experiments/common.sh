# Sourced by the experiment scripts (after they cd to the repository root and set $OUT): builds the CLI in Release and
# runs a copy of the build from $OUT/cli, so rebuilding the kit while an experiment runs cannot change it half-way.
mkdir -p "$OUT"
dotnet build src/Research.Cli -c Release -v quiet -nologo >/dev/null
rm -rf "$OUT/cli" && cp -r src/Research.Cli/bin/Release/net10.0 "$OUT/cli"
research() { dotnet "$OUT/cli/research.dll" "$@"; }
