using Research.Lib.Data;

namespace Research.Lib.Tests.Data;

public class DataSplitterTests
{
    private static List<TrainingExample> Make(int n, Func<int, string>? query = null, Func<int, string>? type = null) =>
        Enumerable.Range(0, n).Select(i => new TrainingExample(query?.Invoke(i) ?? $"q{i}", [$"p{i}"], type: type?.Invoke(i))).ToList();

    [Theory]
    [InlineData(10, 8, 1, 1)]
    [InlineData(7, 5, 1, 1)]
    [InlineData(3, 3, 0, 0)]
    [InlineData(1000, 800, 100, 100)]
    public void CountsUseLargestRemainder(int n, int train, int dev, int test)
    {
        Assert.Equal((train, dev, test), DataSplitter.Counts(n, SplitRatios.Parse("8,1,1")));
    }

    [Fact]
    public void SameSeedSameSplitDifferentSeedDifferentSplit()
    {
        var items = Make(100);
        var a = DataSplitter.Split(items, e => e.Query, SplitRatios.Parse("8,1,1"), 42);
        var b = DataSplitter.Split(items, e => e.Query, SplitRatios.Parse("0.8:0.1:0.1"), 42);
        var c = DataSplitter.Split(items, e => e.Query, SplitRatios.Parse("8,1,1"), 43);
        Assert.Equal((80, 10, 10), (a.Train.Count, a.Dev.Count, a.Test.Count));
        Assert.Equal(a.Dev.Select(e => e.Query), b.Dev.Select(e => e.Query));
        Assert.NotEqual(a.Dev.Select(e => e.Query), c.Dev.Select(e => e.Query));
        Assert.Equal(items.Select(e => e.Query).Order(), a.Train.Concat(a.Dev).Concat(a.Test).Select(e => e.Query).Order());
    }

    [Fact]
    public void FixedSeedGivesAFixedSplitOnEveryPlatform()
    {
        var split = DataSplitter.Split(Make(10), e => e.Query, SplitRatios.Parse("8,1,1"), 42);
        Assert.Equal(["q1"], split.Dev.Select(e => e.Query));
        Assert.Equal(["q7"], split.Test.Select(e => e.Query));
    }

    [Fact]
    public void RepeatedQueriesStayTogether()
    {
        var items = Make(60, i => $"q{i % 20}");
        var split = DataSplitter.Split(items, e => e.Query, SplitRatios.Parse("8,1,1"), 7);
        Assert.Equal((48, 6, 6), (split.Train.Count, split.Dev.Count, split.Test.Count));
        Assert.Empty(split.Train.Select(e => e.Query).Intersect(split.Dev.Concat(split.Test).Select(e => e.Query)));
    }

    [Fact]
    public void GroupingByPositiveKeepsParaphrasesTogether()
    {
        var items = Enumerable.Range(0, 30).Select(i => new TrainingExample($"q{i}", [$"passage{i / 3}"])).ToList();
        var split = DataSplitter.Split(items, e => e.Query, SplitRatios.Parse("8,1,1"), 3, groupBy: e => e.Pos[0]);
        Assert.Equal((24, 3, 3), (split.Train.Count, split.Dev.Count, split.Test.Count));
        Assert.Single(split.Dev.Select(e => e.Pos[0]).Distinct());
        Assert.Empty(split.Train.Select(e => e.Pos[0]).Intersect(split.Test.Select(e => e.Pos[0])));
    }

    [Fact]
    public void StratifiedSplitKeepsRatiosPerStratum()
    {
        var items = Make(100, type: i => i < 80 ? "retrieval" : "sts");
        var split = DataSplitter.Split(items, e => e.Query, SplitRatios.Parse("8,1,1"), 1, e => e.Type!);
        Assert.Equal(2, split.Dev.Count(e => e.Type == "sts"));
        Assert.Equal(8, split.Dev.Count(e => e.Type == "retrieval"));
        Assert.Equal(16, split.Train.Count(e => e.Type == "sts"));
    }

    [Fact]
    public void LeakCheckNamesTheQuery()
    {
        var leak = new DataSplit<TrainingExample>([new("same", ["a"])], [new(" same ", ["b"])], []);
        var error = Assert.Throws<InvalidOperationException>(() => DataSplitter.EnsureDisjoint(leak, e => e.Query));
        Assert.Equal("Query 'same' is in both the train and the dev split.", error.Message);
    }

    [Theory]
    [InlineData("8,1", "Ratios '8,1': expected three numbers (train,dev,test) such as 8,1,1.")]
    [InlineData("8,x,1", "Ratios '8,x,1': 'x' is not a number >= 0.")]
    [InlineData("8,-1,1", "Ratios '8,-1,1': '-1' is not a number >= 0.")]
    [InlineData("0,0,0", "Ratios '0,0,0': at least one proportion must be positive.")]
    public void BadRatiosAreRejected(string text, string message)
    {
        Assert.Equal(message, Assert.Throws<FormatException>(() => SplitRatios.Parse(text)).Message);
    }

    [Fact]
    public void NegativeRatioIsRejectedByTheConstructorToo()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SplitRatios(8, -1, 1));
        Assert.StartsWith("Split ratio 'dev' must be a finite number >= 0, got -1.", error.Message);
    }
}
