using System.Runtime.InteropServices;
using System.Text.Json;
using Research.Lib.Modeling;
using Research.Lib.Search;
using TorchSharp;
using static Research.Lib.Tests.Search.TestVectors;

namespace Research.Lib.Tests.Search;

/// <summary>
/// Index files travel both ways between the kit and Python's faiss (Debian python3-faiss), with the same search
/// results; and Faiss (system OpenMP) and libtorch (its own OpenMP) run one after the other in one process.
/// </summary>
public class FaissInteropTests
{
    private static string WriteF32(string dir, string name, EmbeddingMatrix m)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(m.Data.AsSpan()).ToArray());
        return path;
    }

    [SkippableTheory]
    [InlineData("Flat")]
    [InlineData("HNSW32")]
    public void PythonReadsOurIndexAndWeReadPythons(string factory)
    {
        Skip.IfNot(FaissIndex.IsAvailable, FaissIndex.Availability);
        var missing = ReferenceTools.PythonMissing("faiss", "numpy");
        Skip.If(missing is not null, missing);
        using var dir = new TempDir();
        var docs = TestVectors.Random(3000, 24, 1);
        var queries = TestVectors.Random(30, 24, 2);
        var ids = Ids(docs.Rows);
        var queriesPath = WriteF32(dir.Path, "q.f32", queries);

        using var ours = FaissIndex.Create(24, factory);
        ours.Add(docs, ids);
        var ourPath = Path.Combine(dir.Path, "ours.faiss");
        ours.Save(ourPath);
        var outPath = Path.Combine(dir.Path, "py.json");
        ReferenceTools.RunOrThrow("/usr/bin/python3", Path.Combine(ReferenceTools.Dir, "faiss_reference.py"), "search", ourPath, queriesPath, "24", "10", outPath);
        var python = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(outPath));
        Assert.Equal(3000, python.GetProperty("ntotal").GetInt32());
        var ourHits = ours.Search(queries, 10);
        for (var q = 0; q < queries.Rows; q++)
            Assert.Equal(python.GetProperty("ids")[q].EnumerateArray().Select(e => e.GetInt64()), ourHits[q].Select(h => h.Id));

        var pyPath = Path.Combine(dir.Path, "py.faiss");
        ReferenceTools.RunOrThrow("/usr/bin/python3", Path.Combine(ReferenceTools.Dir, "faiss_reference.py"), "build", WriteF32(dir.Path, "d.f32", docs), "24", factory, pyPath);
        using var theirs = FaissIndex.Load(pyPath);
        Assert.Equal(3000, theirs.Count);
        if (factory == "Flat")
            Assert.Equal(ourHits.SelectMany(h => h).Select(h => h.Id), theirs.Search(queries, 10).SelectMany(h => h).Select(h => h.Id));
        else
            Assert.True(Recall(ourHits, theirs.Search(queries, 10)) >= 0.9);
    }

    [SkippableFact]
    public void FaissAndTorchTakeTurnsInOneProcess()
    {
        Skip.IfNot(FaissIndex.IsAvailable, FaissIndex.Availability);
        var docs = TestVectors.Random(20_000, 64, 3);
        var queries = TestVectors.Random(500, 64, 4);
        using var hnsw = FaissIndex.Create(64, "HNSW32");
        hnsw.Add(docs, Enumerable.Range(0, docs.Rows).Select(i => (long)i).ToArray());
        float TorchWork()
        {
            using var scope = torch.NewDisposeScope();
            torch.manual_seed(1);
            var a = torch.randn(512, 512);
            return a.mm(a).sum().item<float>();
        }
        var torchBefore = TorchWork();
        var faissFirst = hnsw.Search(queries, 10);
        var torchAfter = TorchWork();
        var faissAgain = hnsw.Search(queries, 10);
        Assert.Equal(torchBefore, torchAfter);
        Assert.Equal(faissFirst.SelectMany(h => h), faissAgain.SelectMany(h => h));
        Assert.Equal(500, faissFirst.Count(h => h.Length == 10));
    }

    private static double Recall(VectorHit[][] truth, VectorHit[][] found) =>
        truth.Zip(found).Average(p => (double)p.First.Select(h => h.Id).Intersect(p.Second.Select(h => h.Id)).Count() / p.First.Length);
}
