using Research.Lib.Search;

namespace Research.Lib.Tests.Search;

public class Bm25AndFusionTests
{
    private static readonly (string, string)[] Docs =
    [
        ("d1", "Compound interest grows savings over time"),
        ("d2", "An index fund tracks a market index such as the S&P 500"),
        ("d3", "Interest rates and bond prices move in opposite directions"),
        ("d4", "复利是利滚利的计息方式"),
        ("d5", "指数基金跟踪沪深300指数"),
    ];

    [Fact]
    public void RanksByBm25AndSearchesBatchesInOrder()
    {
        using var index = Bm25Index.Build(Docs);
        Assert.Equal(5, index.Count);
        var hits = index.Search("compound interest", 3);
        Assert.Equal(["d1", "d3"], hits.Select(h => h.DocId)); // d1 has both terms; d3 only "interest"
        Assert.True(hits[0].Score > hits[1].Score);
        var batch = index.SearchBatch(["index fund", "bond prices", "nothing matches zzz"], 2);
        Assert.Equal("d2", batch[0][0].DocId);
        Assert.Equal("d3", batch[1][0].DocId);
        Assert.Empty(batch[2]);
    }

    [Fact]
    public void ARunMapsEachQueryIdToItsRankingAndRefusesAnIdTwice()
    {
        using var index = Bm25Index.Build(Docs);
        var run = index.SearchRun([("q7", "bond prices"), ("q2", "compound interest")], 2);
        Assert.Equal(["q7", "q2"], run.Keys);
        Assert.Equal(["d3"], run["q7"].Select(h => h.DocId));
        Assert.Equal(["d1", "d3"], run["q2"].Select(h => h.DocId));
        var twice = Assert.Throws<ArgumentException>(() => index.SearchRun([("q7", "bond prices"), ("q7", "index fund")], 2));
        Assert.Equal("query id 'q7' appears twice among the queries; a run holds one ranking per query.", twice.Message);
    }

    [Theory]
    [InlineData(new[] { "北京大学的学生", "How many?" }, Bm25Analyzer.Cjk)]          // 6 Han of 6 + 7 letters: at least half
    [InlineData(new[] { "北京", "a student" }, Bm25Analyzer.Standard)]               // 2 of 2 + 8: a fifth
    [InlineData(new[] { "ひらがなとカタカナ", "한국어" }, Bm25Analyzer.Cjk)]
    [InlineData(new[] { "compound interest", "42 %" }, Bm25Analyzer.Standard)]
    [InlineData(new string[0], Bm25Analyzer.Standard)]
    public void TheAnalyzerFollowsTheCorpusScript(string[] texts, Bm25Analyzer expected) =>
        Assert.Equal(expected, Bm25Index.AnalyzerFor(texts));

    [Fact]
    public void AnalyzersTokenizeAsConfigured()
    {
        using var cjk = Bm25Index.Build(Docs, new Bm25Options { Analyzer = Bm25Analyzer.Cjk });
        Assert.Equal(["复利", "利是", "是什", "什么"], cjk.Terms("复利是什么"));
        Assert.Equal("d4", cjk.Search("复利是什么", 1)[0].DocId);
        using var english = Bm25Index.Build(Docs, new Bm25Options { Analyzer = Bm25Analyzer.English });
        Assert.Equal(["grow", "save"], english.Terms("the growing savings"));
        using var standard = Bm25Index.Build(Docs);
        Assert.Equal(["the", "growing", "savings", "s", "p", "500"], standard.Terms("The growing savings S&P 500"));
    }

    [Fact]
    public void OnDiskIndexReopensWithItsSettings()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "bm25");
        using (var built = Bm25Index.Build(Docs, new Bm25Options { K1 = 1.2f, B = 0.75f, Analyzer = Bm25Analyzer.English }, path)) { }
        using var opened = Bm25Index.Open(path);
        Assert.Equal(new Bm25Options { K1 = 1.2f, B = 0.75f, Analyzer = Bm25Analyzer.English }, opened.Options);
        Assert.Equal("d1", opened.Search("compounding interests", 1)[0].DocId);
    }

    [Fact]
    public void ReciprocalRankFusionHandComputed()
    {
        IReadOnlyList<ScoredDocument> bm25 = [new("a", 9), new("b", 5), new("c", 1)];
        IReadOnlyList<ScoredDocument> dense = [new("b", 0.9), new("d", 0.8)];
        var fused = RankFusion.ReciprocalRank([bm25, dense], k: 60);
        Assert.Equal(["b", "a", "d", "c"], fused.Select(d => d.DocId));
        Assert.Equal(1.0 / 62 + 1.0 / 61, fused[0].Score, 12);
        Assert.Equal(1.0 / 61, fused[1].Score, 12);
    }

    [Fact]
    public void WeightedScoreFusionNormalizesEachList()
    {
        IReadOnlyList<ScoredDocument> bm25 = [new("a", 10), new("b", 0)];
        IReadOnlyList<ScoredDocument> dense = [new("b", 0.9), new("a", 0.5), new("c", 0.1)];
        var fused = RankFusion.WeightedScores([bm25, dense], [0.3, 0.7]);
        // a: 0.3 * 1 + 0.7 * 0.5 = 0.65; b: 0 + 0.7 * 1 = 0.7; c: 0
        Assert.Equal(["b", "a", "c"], fused.Select(d => d.DocId));
        Assert.Equal(0.65, fused[1].Score, 12);
    }
}
