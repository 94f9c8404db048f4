using Research.Lib.Data;

namespace Research.Lib.Tests.Data;

public class DatasetStatsTests
{
    [Fact]
    public void CountsLengthsAndDuplicates()
    {
        var stats = DatasetStats.Compute([
            new TrainingExample("abc", ["12345"], ["x", "yy"]),
            new TrainingExample("abc", ["other"]),
            new TrainingExample("复利是什么", ["12345"], ["12345"]),
            new TrainingExample("abc", ["12345"], ["z"], prompt: "p"),
        ]);
        Assert.Equal(4, stats.Records);
        Assert.Equal(4, stats.Positives);
        Assert.Equal(4, stats.Negatives);
        Assert.Equal(2, stats.DuplicateQueries);
        Assert.Equal(1, stats.DuplicatePairs);
        Assert.Equal(1, stats.PositiveAmongNegatives);
        Assert.Equal(1, stats.WithPrompt);
        Assert.Equal((3, 5), (stats.QueryLengths.Min, stats.QueryLengths.Max));
        Assert.Equal(3, stats.QueryLengths.Percentile(50));
        Assert.Equal(5, stats.QueryLengths.Percentile(90));
        Assert.Equal(3.5, stats.QueryLengths.Mean);
        Assert.Equal(8, stats.PassageLengths.Count);
        Assert.Equal(1, stats.NegativesPerRecord.Percentile(50));
    }

    [Fact]
    public void PercentileIsNearestRank()
    {
        var s = new LengthSummary();
        foreach (var n in new[] { 15, 20, 35, 40, 50 }) s.AddLength(n);
        Assert.Equal(15, s.Percentile(0));
        Assert.Equal(20, s.Percentile(30));
        Assert.Equal(20, s.Percentile(40));
        Assert.Equal(35, s.Percentile(50));
        Assert.Equal(50, s.Percentile(100));
    }

    [Fact]
    public void LengthCountsCodePointsNotUtf16Units()
    {
        var s = new LengthSummary();
        s.Add("a😀b");
        Assert.Equal(3, s.Max);
    }
}
