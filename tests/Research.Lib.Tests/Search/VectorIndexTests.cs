using Research.Lib.Modeling;
using Research.Lib.Search;
using static Research.Lib.Tests.Search.TestVectors;

namespace Research.Lib.Tests.Search;

public class VectorIndexTests
{
    [SkippableFact]
    public void BuildTrainsWhatNeedsTrainingAndHitsAreWrittenAsTsv()
    {
        var docs = new EmbeddingMatrix([1, 0, 0.6f, 0.8f, 0, 1], 3, 2);
        using var exact = VectorIndex.Build(docs, [10, 11, 12], VectorIndex.Exact, VectorMetric.InnerProduct);
        var hits = exact.Search(new EmbeddingMatrix([1, 0], 1, 2), 2);
        using var work = new TempDir();
        var path = Path.Combine(work.Path, "hits.tsv");
        VectorIndex.WriteHits(path, hits);
        Assert.Equal(["query\trank\tid\tscore", "0\t1\t10\t1", "0\t2\t11\t0.6"], File.ReadAllLines(path));
        Skip.IfNot(FaissIndex.IsAvailable, FaissIndex.Availability);
        // IVF needs its k-means lists trained before vectors go in: Build does it on the same vectors.
        var many = Unit(512, 16, 3);
        using var ivf = VectorIndex.Build(many, Ids(many.Rows), "IVF4,Flat", VectorMetric.InnerProduct);
        Assert.Equal(512, ivf.Count);
    }

    [SkippableFact]
    public void FaissFlatEqualsExactOn10kUnitVectors()
    {
        Skip.IfNot(FaissIndex.IsAvailable, FaissIndex.Availability);
        var docs = Unit(10_000, 128, 1);
        var queries = Unit(200, 128, 2);
        using var flat = FaissIndex.Create(128, "Flat");
        using var exact = new ExactIndex(128);
        flat.Add(docs, Ids(docs.Rows));
        exact.Add(docs, Ids(docs.Rows));
        var a = flat.Search(queries, 10);
        var b = exact.Search(queries, 10);
        for (var q = 0; q < queries.Rows; q++)
        {
            Assert.Equal(b[q].Select(h => h.Id), a[q].Select(h => h.Id));
            for (var j = 0; j < 10; j++) Assert.True(Math.Abs(a[q][j].Score - b[q][j].Score) <= 1e-5, $"query {q} rank {j}: {a[q][j].Score} vs {b[q][j].Score}");
        }
    }

    [SkippableFact]
    public void RangeSearchAgreesAndSaveLoadKeepsResults()
    {
        Skip.IfNot(FaissIndex.IsAvailable, FaissIndex.Availability);
        var docs = Unit(2_000, 16, 3);
        var queries = Unit(50, 16, 4);
        using var flat = FaissIndex.Create(16, "Flat");
        using var exact = new ExactIndex(16);
        flat.Add(docs, Ids(docs.Rows));
        exact.Add(docs, Ids(docs.Rows));
        var a = flat.RangeSearch(queries, 0.6f);
        var b = exact.RangeSearch(queries, 0.6f);
        Assert.True(b.Sum(h => h.Length) > 50, "the threshold should find neighbours");
        for (var q = 0; q < queries.Rows; q++)
            Assert.Equal(b[q].Select(h => h.Id).Order(), a[q].Select(h => h.Id).Order());
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "flat.faiss");
        flat.Save(path);
        using var loaded = FaissIndex.Load(path);
        Assert.Equal(2_000, loaded.Count);
        Assert.Equal(flat.Search(queries, 5).SelectMany(h => h).Select(h => h.Id), loaded.Search(queries, 5).SelectMany(h => h).Select(h => h.Id));
        var exactPath = Path.Combine(dir.Path, "exact.safetensors");
        exact.Save(exactPath);
        using var exactLoaded = ExactIndex.Load(exactPath);
        Assert.Equal(exact.Search(queries, 5).SelectMany(h => h), exactLoaded.Search(queries, 5).SelectMany(h => h));
    }

    [SkippableFact]
    public void L2MetricAndIvfTrainingAndParameters()
    {
        Skip.IfNot(FaissIndex.IsAvailable, FaissIndex.Availability);
        var docs = Unit(5_000, 32, 5);
        var queries = Unit(20, 32, 6);
        using var exact = new ExactIndex(32, VectorMetric.L2);
        exact.Add(docs, Ids(docs.Rows));
        using var flatL2 = FaissIndex.Create(32, "Flat", VectorMetric.L2);
        flatL2.Add(docs, Ids(docs.Rows));
        var a = flatL2.Search(queries, 5);
        var b = exact.Search(queries, 5);
        Assert.Equal(b.SelectMany(h => h).Select(h => h.Id), a.SelectMany(h => h).Select(h => h.Id));
        Assert.True(Math.Abs(a[0][0].Score - b[0][0].Score) < 1e-4, $"{a[0][0].Score} vs {b[0][0].Score}");

        using var ivf = FaissIndex.Create(32, "IVF16,Flat");
        Assert.False(ivf.IsTrained);
        Assert.Equal("This Faiss index must be trained before vectors are added (call Train).",
            Assert.Throws<InvalidOperationException>(() => ivf.Add(docs, Ids(docs.Rows))).Message);
        ivf.Train(docs);
        ivf.Add(docs, Ids(docs.Rows));
        ivf.SetParameter("nprobe", 16); // all lists: exact
        using var flat = FaissIndex.Create(32, "Flat");
        flat.Add(docs, Ids(docs.Rows));
        Assert.Equal(flat.Search(queries, 10).SelectMany(h => h).Select(h => h.Id), ivf.Search(queries, 10).SelectMany(h => h).Select(h => h.Id));
        var bad = Assert.Throws<ArgumentException>(() => FaissIndex.Create(32, "NoSuchIndex"));
        Assert.StartsWith("Faiss factory 'NoSuchIndex' (dimension 32): could not parse index string NoSuchIndex", bad.Message);
    }
}

public class HnswRangeSearchTests
{
    [SkippableFact]
    public void HnswRangeSearchExpandsTopKAndMatchesFlat()
    {
        Skip.IfNot(FaissIndex.IsAvailable, FaissIndex.Availability);
        // 40 tight groups of 25 near-duplicates: every vector has 24 neighbours above 0.95, more than the first k of 16.
        var rng = new Random(9);
        var data = new float[1000 * 32];
        var centres = Enumerable.Range(0, 40 * 32).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        for (var r = 0; r < 1000; r++)
        {
            double norm = 0;
            for (var d = 0; d < 32; d++) { var v = centres[(r / 25) * 32 + d] + 0.001 * (rng.NextDouble() - 0.5); data[r * 32 + d] = (float)v; norm += v * v; }
            for (var d = 0; d < 32; d++) data[r * 32 + d] /= (float)Math.Sqrt(norm);
        }
        var m = new EmbeddingMatrix(data, 1000, 32);
        var ids = Enumerable.Range(0, 1000).Select(i => (long)i).ToArray();
        using var hnsw = FaissIndex.Create(32, "HNSW32");
        using var flat = FaissIndex.Create(32, "Flat");
        hnsw.Add(m, ids);
        flat.Add(m, ids);
        var a = hnsw.RangeSearch(m, 0.95f);
        var b = flat.RangeSearch(m, 0.95f);
        Assert.All(b, h => Assert.Equal(25, h.Length));
        Assert.Equal(b.Select(h => string.Join(",", h.Select(x => x.Id).Order())), a.Select(h => string.Join(",", h.Select(x => x.Id).Order())));
    }
}
