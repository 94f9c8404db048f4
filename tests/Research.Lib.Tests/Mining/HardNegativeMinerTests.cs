using Research.Lib.Data;
using Research.Lib.Mining;
using Research.Lib.Modeling;
using Research.Lib.Text;

namespace Research.Lib.Tests.Mining;

public class HardNegativeMinerTests
{
    // One query; passages at cosines 0.9 (its positive), 0.85, 0.7, 0.5, 0.3, 0.1 with it.
    private static float[] At(double cosine) => [(float)cosine, (float)Math.Sqrt(1 - cosine * cosine)];

    private static Dictionary<string, float[]> Vectors() => new()
    {
        ["q"] = [1, 0],
        ["pos"] = At(0.9),
        ["n85"] = At(0.85),
        ["n70"] = At(0.7),
        ["n50"] = At(0.5),
        ["n30"] = At(0.3),
        ["n10"] = At(0.1),
    };

    private static readonly FixedEncoder Encoder = new(Vectors());

    private static readonly TrainingExample[] Records = [new("q", ["pos"], [])];
    private static readonly string[] Corpus = ["n10", "pos", "n50", "n85", "n30", "n70"];

    private static MiningResult Mine(MiningOptions options) => HardNegativeMiner.Mine(Records, Corpus, Encoder, options);

    [Fact]
    public void TopSamplingTakesTheRanksAfterRangeStartWithoutThePositive()
    {
        var result = Mine(new MiningOptions { RangeStart = 1, RangeEnd = 4, Count = 2, Sampling = NegativeSampling.Top });
        var e = Assert.Single(result.Examples);
        Assert.Equal(["n70", "n50"], e.Neg); // ranks after removing the positive: n85, n70, n50, n30, n10; skip 1
        Assert.Equal([0.7, 0.5], e.NegScores!.Select(s => Math.Round(s, 6)));
        Assert.Equal([0.9], e.PosScores!.Select(s => Math.Round(s, 6)));
        Assert.Equal(1, result.Report.ExcludedPositives);
    }

    [Fact]
    public void Bm25MiningOfChineseUsesBigramsUnlessAnAnalyzerIsGiven()
    {
        // 京北学大 holds the query's four characters in another order (no bigram of the query); 北京的大学生 holds two of its
        // bigrams (北京, 大学). One character at a time, the short shuffle ranks first; in bigrams, the real match.
        TrainingExample[] records = [new("北京大学", ["清华园"], [])];
        string[] corpus = ["清华园", "京北学大", "北京的大学生", "上海交通"];
        MiningResult Top(Research.Lib.Search.Bm25Analyzer? analyzer) => HardNegativeMiner.Mine(records, corpus, null,
            new MiningOptions { Method = MiningMethod.Bm25, RangeStart = 0, RangeEnd = 1, Count = 1, Sampling = NegativeSampling.Top, PadWithRandom = false, Analyzer = analyzer });
        var auto = Top(null);
        Assert.Equal(["北京的大学生"], Assert.Single(auto.Examples).Neg);
        Assert.Equal("cjk", auto.Report.Bm25Analyzer);
        var standard = Top(Research.Lib.Search.Bm25Analyzer.Standard);
        Assert.Equal(["京北学大"], Assert.Single(standard.Examples).Neg);
        Assert.Equal("standard", standard.Report.Bm25Analyzer);
        Assert.Null(Mine(new MiningOptions { RangeStart = 0, RangeEnd = 3, Count = 1 }).Report.Bm25Analyzer); // dense: no BM25
    }

    [Fact]
    public void FalseNegativeFiltersAreAppliedAndCounted()
    {
        var result = Mine(new MiningOptions { RangeStart = 0, RangeEnd = 5, Count = 5, Sampling = NegativeSampling.Top, MaxScore = 0.8, MaxScoreRatio = 0.7, Margin = 0.3, PadWithRandom = false });
        // n85 >= max 0.8; n70 > 0.9 - 0.3 = 0.6 (margin); n50 is kept (0.5 <= 0.63 = 0.7 x 0.9)
        Assert.Equal(["n50", "n30", "n10"], Assert.Single(result.Examples).Neg);
        Assert.Equal((1, 1, 0), (result.Report.FilteredMaxScore, result.Report.FilteredMargin, result.Report.FilteredRatio));
        Assert.Equal(0.4, result.Report.FilteredFraction, 12);
    }

    [Fact]
    public void TheRatioFilterDropsWhatOutscoresANegativePositiveToo()
    {
        // The positive scores −0.5 with its query. Ratio 0.95 drops candidates above −0.5 − 0.05 × 0.5 = −0.525; the old
        // rule (0.95 × −0.5 = −0.475) kept m48 (−0.48), which outscores the positive, and m52.
        var encoder = new FixedEncoder(new()
        {
            ["q"] = [1, 0],
            ["pos"] = At(-0.5),
            ["m48"] = At(-0.48),
            ["m52"] = At(-0.52),
            ["m53"] = At(-0.53),
            ["m60"] = At(-0.6),
        });
        var result = HardNegativeMiner.Mine(Records, ["m48", "pos", "m52", "m53", "m60"], encoder,
            new MiningOptions { RangeStart = 0, RangeEnd = 4, Count = 4, Sampling = NegativeSampling.Top, MaxScoreRatio = 0.95, PadWithRandom = false });
        Assert.Equal(["m53", "m60"], Assert.Single(result.Examples).Neg);
        Assert.Equal(2, result.Report.FilteredRatio);
        Assert.Equal((0.855, -0.525), (HardNegativeMiner.RatioThreshold(0.9, 0.95), HardNegativeMiner.RatioThreshold(-0.5, 0.95)));
    }

    [Fact]
    public void ARecordsPromptTakesThePlaceOfTheModelsQueryInstructionInDenseMining()
    {
        // The same query twice, the first with a prompt: "find: q" is orthogonal to "q", so it ranks the passages the other way round.
        var vectors = Vectors();
        vectors["find: q"] = [0, 1];
        var encoder = new FixedEncoder(vectors);
        TrainingExample[] records = [new("q", ["pos"], [], prompt: "find: "), new("q", ["pos"], [])];
        var result = HardNegativeMiner.Mine(records, Corpus, encoder, new MiningOptions { Method = MiningMethod.Dense, RangeStart = 0, RangeEnd = 2, Count = 2, Sampling = NegativeSampling.Top });
        Assert.Equal(["n10", "n30"], result.Examples[0].Neg); // sin of each cosine: 0.995, 0.954, …; the positive's 0.436
        Assert.Equal(0.43589, Math.Round(result.Examples[0].PosScores![0], 5));
        Assert.Equal(["n85", "n70"], result.Examples[1].Neg);
        Assert.Equal("find: ", result.Examples[0].Prompt);
        // The prompted query without the model's instruction (an empty one), the other with the model's (null).
        Assert.Equal([("find: q", ""), ("q", null)], encoder.Queries);
    }

    [Fact]
    public void TooFewCandidatesArePaddedAndReported()
    {
        var result = Mine(new MiningOptions { RangeStart = 0, RangeEnd = 3, Count = 3, Sampling = NegativeSampling.Top, MaxScore = 0.6 });
        var e = Assert.Single(result.Examples);
        Assert.Equal(3, e.Neg.Count);
        Assert.Equal("n50", e.Neg[0]);
        Assert.DoesNotContain("pos", e.Neg);
        Assert.Equal((2, 1), (result.Report.Padded, result.Report.QueriesPadded));
    }

    [Theory]
    [InlineData(0, 3, 4, "--negatives 4 is more than the 3 ranks of --range 0-3.")]
    [InlineData(6, 10, 2, "--range 6-10 starts beyond the corpus: it has 6 passages.")]
    [InlineData(0, 3, 0, "--negatives 0: expected a positive number.")]
    public void ImpossibleSettingsAreRefusedUpFront(int start, int end, int count, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => Mine(new MiningOptions { RangeStart = start, RangeEnd = end, Count = count }));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void FlagEmbeddingRangeParses()
    {
        Assert.Equal((10, 210), MiningOptions.ParseRange("10-210"));
        Assert.Equal("--range '210-10': expected START-END with 0 <= START < END, such as 10-210.", Assert.Throws<ArgumentException>(() => MiningOptions.ParseRange("210-10")).Message);
    }

    [Theory]
    [InlineData(MiningMethod.Dense)]
    [InlineData(MiningMethod.Bm25)]
    [InlineData(MiningMethod.Hybrid)]
    public void ToyDataNeverGetsAPositiveAsNegative(MiningMethod method)
    {
        var examples = TrainingExampleReader.Read(Path.Combine(TestPaths.ToyData, "toy_source.json")).ToList();
        var pool = HardNegativeMiner.Pool(examples);
        var encoder = HashedNgramEncoder.Fit(pool.Concat(examples.Select(e => e.Query)));
        var result = HardNegativeMiner.Mine(examples, null, encoder, new MiningOptions { Method = method, RangeStart = 2, RangeEnd = 40, Count = 5 });
        Assert.Equal(examples.Count, result.Examples.Count);
        for (var i = 0; i < examples.Count; i++)
        {
            var e = result.Examples[i];
            var positives = e.Pos.Select(TextNormalizer.ForComparison).ToHashSet();
            Assert.DoesNotContain(e.Neg, n => positives.Contains(TextNormalizer.ForComparison(n)));
            Assert.Equal(examples[i].Neg.Count + 5, e.Neg.Count); // existing negatives kept, 5 mined
            Assert.Equal(e.Neg.Count, e.Neg.Select(TextNormalizer.ForComparison).Distinct().Count());
        }
        Assert.Equal(5L * examples.Count, result.Report.Mined);
    }

    [Theory]
    [InlineData(MiningMethod.Dense)]
    [InlineData(MiningMethod.Bm25)]
    public void ShardsConcatenatedEqualTheUnshardedRun(MiningMethod method)
    {
        var examples = TrainingExampleReader.Read(Path.Combine(TestPaths.ToyData, "toy_source.json")).ToList();
        var encoder = HashedNgramEncoder.Fit(HardNegativeMiner.Pool(examples).Concat(examples.Select(e => e.Query)));
        var options = new MiningOptions { Method = method, RangeStart = 2, RangeEnd = 40, Count = 5 };
        var whole = HardNegativeMiner.Mine(examples, null, encoder, options).Examples;
        var shards = Enumerable.Range(0, 4).SelectMany(i => HardNegativeMiner.Mine(examples, null, encoder, options with { Shard = new ShardSpec(i, 4) }).Examples).ToList();
        Assert.Equal(whole.Count, shards.Count);
        for (var i = 0; i < whole.Count; i++)
        {
            Assert.Equal(whole[i].Neg, shards[i].Neg);
            Assert.Equal(whole[i].NegScores, shards[i].NegScores);
        }
    }

    [Fact]
    public void ShardsSplitContiguously()
    {
        Assert.Equal([(0, 2), (2, 5), (5, 7), (7, 10)], Enumerable.Range(0, 4).Select(i => new ShardSpec(i, 4).Range(10)));
        Assert.Equal("--shard '4/4': expected INDEX/COUNT with 0 <= INDEX < COUNT, such as 0/4.", Assert.Throws<ArgumentException>(() => ShardSpec.Parse("4/4")).Message);
    }
}
