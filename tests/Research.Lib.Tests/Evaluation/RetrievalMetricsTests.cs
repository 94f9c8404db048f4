using Research.Lib.Evaluation;
using Research.Lib.Search;

namespace Research.Lib.Tests.Evaluation;

/// <summary>Hand-computed rankings: d1 (grade 1), d3 (grade 2) and d6 (grade 1, never retrieved) are relevant.</summary>
public class RetrievalMetricsTests
{
    private static readonly string[] Ranked = ["d2", "d1", "d4", "d3", "d5"];
    private static readonly Dictionary<string, int> Judged = new() { ["d1"] = 1, ["d3"] = 2, ["d6"] = 1, ["d4"] = 0 };

    [Theory]
    [InlineData(1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)]
    [InlineData(2, 1.0, 0.5, 1.0 / 3, 0.5, 0.5 / 3, 0.23981246656813146)] // (1/log2 3) / (2 + 1/log2 3): the ideal top 2 holds grades 2 and 1
    [InlineData(5, 1.0, 0.5, 2.0 / 3, 0.4, 1.0 / 3, 0.47662611018851303)]
    [InlineData(10, 1.0, 0.5, 2.0 / 3, 0.2, 1.0 / 3, 0.47662611018851303)] // k beyond the ranking: precision still divides by k
    public void CutOffMetrics(int k, double hit, double rr, double recall, double precision, double ap, double ndcg)
    {
        Assert.Equal(hit, RetrievalMetrics.HitRate(Ranked, Judged, k), 9);
        Assert.Equal(rr, RetrievalMetrics.ReciprocalRank(Ranked, Judged, k), 9);
        Assert.Equal(recall, RetrievalMetrics.Recall(Ranked, Judged, k), 9);
        Assert.Equal(precision, RetrievalMetrics.Precision(Ranked, Judged, k), 9);
        Assert.Equal(ap, RetrievalMetrics.AveragePrecision(Ranked, Judged, k), 9);
        Assert.Equal(ndcg, RetrievalMetrics.Ndcg(Ranked, Judged, k), 9);
    }

    [Fact]
    public void WholeRankingMetrics()
    {
        Assert.Equal(1.0 / 3, RetrievalMetrics.AveragePrecision(Ranked, Judged), 9);   // (1/2 + 2/4) / 3
        Assert.Equal(1.0 / 3, RetrievalMetrics.RPrecision(Ranked, Judged), 9);         // 1 relevant in the top 3
        Assert.Equal(0.20151514190050246, RetrievalMetrics.Ndcg(Ranked, Judged, 3), 9); // (1/log2 3) / (2 + 1/log2 3 + 1/2)
    }

    [Fact]
    public void NothingRelevantRetrievedAndEverythingRetrieved()
    {
        string[] none = ["x", "y"];
        Assert.Equal(0, RetrievalMetrics.Ndcg(none, Judged, 10));
        Assert.Equal(0, RetrievalMetrics.AveragePrecision(none, Judged));
        Assert.Equal(0, RetrievalMetrics.ReciprocalRank(none, Judged, 10));
        var binary = new Dictionary<string, int> { ["a"] = 1, ["b"] = 1 };
        string[] all = ["a", "b", "c"];
        Assert.Equal(1, RetrievalMetrics.Ndcg(all, binary, 10));
        Assert.Equal(1, RetrievalMetrics.AveragePrecision(all, binary));
        Assert.Equal(1, RetrievalMetrics.Recall(all, binary, 2));
        Assert.Equal(1, RetrievalMetrics.RPrecision(all, binary));
    }

    [Fact]
    public void GradedRelevanceUsesTheGradeAsGain()
    {
        var graded = new Dictionary<string, int> { ["a"] = 3, ["b"] = 1 };
        // ranked b, a: DCG = 1 + 3/log2(3); ideal = 3 + 1/log2(3)
        Assert.Equal((1 + 3 / Math.Log2(3)) / (3 + 1 / Math.Log2(3)), RetrievalMetrics.Ndcg(["b", "a"], graded, 10), 12);
    }

    [Fact]
    public void TiesAreBrokenByDocumentIdDescendingAsTrecEval()
    {
        var sorted = RankingOrder.Sort([new("a", 0.5), new("c", 0.9), new("b", 0.5), new("aa", 0.5)]);
        Assert.Equal(["c", "b", "aa", "a"], sorted.Select(d => d.DocId));
    }
}
