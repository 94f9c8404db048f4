using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.IO;

namespace Research.Lib.Experiments;

/// <summary>
/// The run manifest written next to a grid's results (<c>manifest.json</c>), so that any figure can be regenerated and
/// checked: the experiment file as it was, seeds, the git commit (and whether the tree had changes), SHA-256 of every
/// file the grid read (configs, data, task data, model folders), the machine, library versions, and each cell's
/// status and timings.
/// </summary>
public static class ExperimentManifest
{
    public const string FileName = "manifest.json";

    public static JsonObject Build(ExperimentSpec spec, IReadOnlyList<ExperimentCellResult?> cells, IReadOnlyList<ExperimentCell> grid,
        DateTimeOffset started, DateTimeOffset? finished, string device, IReadOnlyDictionary<string, string> hashes)
    {
        // The experiment file's repository, else the one the kit's binaries were built in.
        var (commit, dirty) = Git(Path.GetDirectoryName(spec.SourcePath)!) is { Commit: not null } g ? g : Git(AppContext.BaseDirectory);
        var cellList = new JsonArray();
        for (var i = 0; i < grid.Count; i++)
        {
            var c = cells[i];
            cellList.Add(new JsonObject
            {
                ["id"] = grid[i].Id,
                ["group"] = grid[i].Group,
                ["seed"] = grid[i].Seed,
                ["status"] = c?.Status ?? "pending",
                ["train_seconds"] = c?.TrainSeconds,
                ["eval_seconds"] = c?.EvalSeconds,
                ["error"] = c?.Error,
            });
        }
        return new JsonObject
        {
            ["experiment"] = spec.Name,
            ["command"] = $"research experiment run {Path.GetRelativePath(Directory.GetCurrentDirectory(), spec.SourcePath)}",
            ["config"] = JsonFile.Parse(spec.SourcePath),
            ["seeds"] = new JsonArray(spec.Seeds.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
            ["git_commit"] = commit,
            ["git_dirty"] = dirty,
            ["file_sha256"] = new JsonObject(hashes.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, kv.Value))),
            ["machine"] = new JsonObject
            {
                ["host"] = Environment.MachineName,
                ["os"] = RuntimeInformation.OSDescription,
                ["cpu"] = CpuModel(),
                ["logical_cores"] = Environment.ProcessorCount,
                ["memory_gib"] = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
                ["device"] = device,
            },
            ["versions"] = new JsonObject
            {
                ["research_kit"] = typeof(ExperimentManifest).Assembly.GetName().Version?.ToString(),
                ["dotnet"] = RuntimeInformation.FrameworkDescription,
                ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(),
            },
            ["started"] = started.ToString("O"),
            ["finished"] = finished?.ToString("O"),
            ["seconds"] = finished is { } f ? Math.Round((f - started).TotalSeconds, 1) : null,
            ["cells"] = cellList,
        };
    }

    public static void Write(string directory, JsonObject manifest) =>
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    /// <summary>SHA-256 (hex) of every file the grid reads, keyed by path; a folder's hash covers its files' relative names and bytes.</summary>
    public static Dictionary<string, string> HashInputs(ExperimentSpec spec)
    {
        var paths = new List<string> { spec.SourcePath, spec.TasksPath };
        paths.AddRange(spec.Models.Select(m => m.Path));
        foreach (var v in spec.Variants)
        {
            if (v.Config is not null) paths.Add(v.Config);
            paths.Add(v.Data);
            if (v.Generator is not null) paths.Add(v.Generator);
            if (v.EvalSts is not null) paths.Add(v.EvalSts);
            if (v.EvalPairs is not null) paths.Add(v.EvalPairs);
        }
        foreach (var t in spec.Tasks)
        {
            paths.Add(t.Data);
            if (t.Neg is not null) paths.Add(t.Neg);
        }
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in paths.Distinct(StringComparer.Ordinal))
            hashes[Path.GetRelativePath(Directory.GetCurrentDirectory(), p)] = Hash(p);
        return hashes;
    }

    public static string Hash(string path)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != AtomicDirectory.MarkerFile).Order(StringComparer.Ordinal).ToList()
            : [path];
        var buffer = new byte[1 << 16];
        foreach (var file in files)
        {
            if (Directory.Exists(path)) sha.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(path, file) + "\n"));
            using var stream = File.OpenRead(file);
            int read;
            while ((read = stream.Read(buffer)) > 0) sha.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static (string? Commit, bool? Dirty) Git(string folder)
    {
        string? RunGit(params string[] args)
        {
            try
            {
                var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
                foreach (var a in args) psi.ArgumentList.Add(a);
                using var p = Process.Start(psi)!;
                var output = p.StandardOutput.ReadToEnd();
                p.StandardError.ReadToEnd();
                p.WaitForExit();
                return p.ExitCode == 0 ? output.Trim() : null;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return null; // no git on this machine
            }
        }
        var commit = RunGit("rev-parse", "HEAD");
        return commit is null ? (null, null) : (commit, RunGit("status", "--porcelain", "--untracked-files=no") is { Length: > 0 });
    }

    private static string? CpuModel()
    {
        try
        {
            return File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                : RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
