using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Research.Lib.IO;

namespace Research.Cli.Tests;

/// <summary>
/// Outputs are atomic as a set: each verb that writes a multi-file output (or a big file) is started as its own process
/// on inputs large enough to take seconds and killed with SIGKILL at 10 seeded random moments. After every kill the
/// output is the complete old set or the complete new set, never a mix; the next run cleans up what the killed one left.
/// </summary>
public class KillTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    internal static string Cli()
    {
        var bin = AppContext.BaseDirectory;
        var configuration = bin.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        var repo = new DirectoryInfo(bin);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Research.sln"))) repo = repo.Parent;
        return Path.Combine(repo!.FullName, "src", "Research.Cli", "bin", configuration, "net10.0", "research.dll");
    }

    [Fact]
    public void DataSplitIsAlwaysOneWholeSplit()
    {
        var input = Path.Combine(fixture.Dir, "big_train.jsonl");
        using (var w = new StreamWriter(input, false, new UTF8Encoding(false)))
            for (var i = 0; i < 150_000; i++)
                w.Write($"{{\"query\": \"question number {i} about topic {i % 97}\", \"pos\": [\"passage {i} explains topic {i % 97} at length\"], \"neg\": [\"unrelated passage {i * 7}\"]}}\n");
        var output = Path.Combine(fixture.Dir, "kill_split");
        Check(output, seed => ["data", "split", input, "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", output]);
    }

    [Fact]
    public void ModelEncodeIsAlwaysOneWholeFile()
    {
        var a = Path.Combine(fixture.Dir, "sentences_a.txt");
        var b = Path.Combine(fixture.Dir, "sentences_b.txt");
        File.WriteAllLines(a, Enumerable.Range(0, 20_000).Select(i => $"sentence {i} about cats and dogs number {i % 13}"));
        File.WriteAllLines(b, Enumerable.Range(0, 20_000).Select(i => $"another sentence {i} on birds {i % 17}"));
        var output = Path.Combine(fixture.Dir, "kill_vectors.npy");
        Check(output, run => ["model", "encode", "--model", fixture.TinyBert, "--input", run == 1 ? a : b, "--out", output, "--device", "cpu"]);
    }

    [Fact]
    public void Bm25BuildIsAlwaysOneWholeIndex()
    {
        var a = Path.Combine(fixture.Dir, "bm25_a.txt");
        var b = Path.Combine(fixture.Dir, "bm25_b.txt");
        File.WriteAllLines(a, Enumerable.Range(0, 200_000).Select(i => $"document {i} tells of cats {i % 101} and dogs {i % 37}"));
        File.WriteAllLines(b, Enumerable.Range(0, 200_000).Select(i => $"document {i} tells of birds {i % 89} and fish {i % 31}"));
        var output = Path.Combine(fixture.Dir, "kill_bm25");
        Check(output, run => ["bm25", "build", "--corpus", run == 1 ? a : b, "--out", output]);
    }

    [Fact]
    public void IndexBuildIsAlwaysOneWholeFile()
    {
        var rng = new Random(5);
        var a = Path.Combine(fixture.Dir, "vectors_a.npy");
        var b = Path.Combine(fixture.Dir, "vectors_b.npy");
        foreach (var path in new[] { a, b })
            new Research.Lib.Modeling.EmbeddingMatrix(Enumerable.Range(0, 400_000 * 32).Select(_ => (float)rng.NextDouble()).ToArray(), 400_000, 32).Save(path);
        var output = Path.Combine(fixture.Dir, "kill_index.bin");
        Check(output, run => ["index", "build", "--embeddings", run == 1 ? a : b, "--factory", "exact", "--out", output]);
    }

    /// <summary>Run 1 writes the old output, run 2 the new one elsewhere (its fingerprint); then 10 killed runs of 2, then one whole run.</summary>
    private static void Check(string output, Func<int, string[]> args)
    {
        var (exit, log, seconds) = Start(args(1), kill: null);
        Assert.True(exit == 0, log);
        var old = Fingerprint(output);
        (exit, log, seconds) = Start(args(2), kill: null);
        Assert.True(exit == 0, log);
        var fresh = Fingerprint(output);
        Assert.NotEqual(old, fresh);
        (exit, log, _) = Start(args(1), kill: null);
        Assert.True(exit == 0, log);
        Assert.Equal(old, Fingerprint(output));

        var random = new Random(42);
        for (var i = 0; i < 10; i++)
        {
            var delay = TimeSpan.FromSeconds(random.NextDouble() * seconds * 1.1);
            Start(args(2), delay);
            var now = Fingerprint(output);
            Assert.True(now == old || now == fresh, $"after a kill at {delay.TotalSeconds:0.00} s of a {seconds:0.00} s run, {output} is neither the old nor the new output");
        }
        (exit, log, _) = Start(args(2), kill: null);
        Assert.True(exit == 0, log);
        Assert.Equal(fresh, Fingerprint(output));
        var parent = Path.GetDirectoryName(output)!;
        var name = Path.GetFileName(output);
        var leftovers = Directory.EnumerateFileSystemEntries(parent, "." + name + ".*").ToList();
        Assert.True(leftovers.Count == 0, "left behind: " + string.Join(", ", leftovers));
    }

    private static (int Exit, string Log, double Seconds) Start(string[] args, TimeSpan? kill)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Cli());
        foreach (var a in args) psi.ArgumentList.Add(a);
        var watch = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (kill is { } delay && !p.WaitForExit(delay))
            p.Kill(); // SIGKILL on Linux: no handler, no cleanup
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result, watch.Elapsed.TotalSeconds);
    }

    /// <summary>A hash over a file, or over a folder's files (names and bytes) except the marker with its timestamp.</summary>
    private static string Fingerprint(string path)
    {
        if (File.Exists(path)) return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
        if (!Directory.Exists(path)) return "missing";
        if (File.Exists(Path.Combine(path, "bm25.json")))
        {
            // Lucene's files differ between two builds of the same corpus (segment names, ids): compare what the index answers.
            try
            {
                using var index = Research.Lib.Search.Bm25Index.Open(path);
                var hits = index.Search("cats birds 7", 5);
                return $"bm25 {index.Count} " + string.Join(" ", hits.Select(h => $"{h.DocId}:{h.Score:R}"));
            }
            catch (Exception e)
            {
                return "broken: " + e.Message;
            }
        }
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(file) == AtomicDirectory.MarkerFile) continue;
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(path, file)));
            sha.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
