using Research.Lib.Modeling;
using Research.Lib.Search;

namespace Research.Lib.Tests.Search;

public class ExactSearchTests
{
    [Fact]
    public void BlockedTopKEqualsBruteForce()
    {
        var docs = TestVectors.Random(1000, 16, 5);
        var queries = TestVectors.Random(37, 16, 6);
        var (indices, scores) = ExactSearch.TopK(queries, docs, 10, queryBlock: 8, documentBlock: 128);
        for (var q = 0; q < queries.Rows; q++)
        {
            var brute = Enumerable.Range(0, docs.Rows)
                .Select(d => (d, s: Enumerable.Range(0, 16).Sum(i => queries.Row(q)[i] * docs.Row(d)[i])))
                .OrderByDescending(x => x.s).Take(10).ToList();
            Assert.Equal(brute.Select(x => x.d), indices[q]);
            for (var j = 0; j < 10; j++) Assert.Equal(brute[j].s, scores[q][j], 4);
        }
    }

    [Fact]
    public void KLargerThanTheCorpusReturnsEverything()
    {
        var docs = new EmbeddingMatrix([1, 0, 0, 1], 2, 2);
        var (indices, scores) = ExactSearch.TopK(new EmbeddingMatrix([0.2f, 1], 1, 2), docs, 5);
        Assert.Equal([1, 0], indices[0]);
        Assert.Equal([1f, 0.2f], scores[0]);
    }
}

public class ExactIndexTests
{
    [Fact]
    public void RepeatedSearchesInsideScopesAndAfterAddsStayCorrect()
    {
        using var index = new ExactIndex(2);
        index.Add(new EmbeddingMatrix([1, 0], 1, 2), [7]);
        var query = new EmbeddingMatrix([0, 1], 1, 2);
        using (TorchSharp.torch.NewDisposeScope())
            Assert.Equal(7, index.Search(query, 1)[0][0].Id);
        Assert.Equal(7, index.Search(query, 1)[0][0].Id); // the cached vectors outlived the caller's scope
        index.Add(new EmbeddingMatrix([0, 1], 1, 2), [8]);
        Assert.Equal([8L, 7L], index.Search(query, 2)[0].Select(h => h.Id)); // the cache follows additions
    }
}
