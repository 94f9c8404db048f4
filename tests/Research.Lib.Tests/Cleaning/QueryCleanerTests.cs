using Research.Lib.Cleaning;
using Research.Lib.Data;
using Research.Lib.Modeling;

namespace Research.Lib.Tests.Cleaning;

public class QueryCleanerTests
{
    private static TrainingExample Example(string query, string pos) => new(query, [pos], []);

    // cos(A, B) = 0.8, cos(B, C) = 0.8, cos(A, C) = 0.28, D apart from all.
    private static readonly FixedEncoder Encoder = new(new()
    {
        ["A"] = [1, 0, 0],
        ["B"] = [0.8f, 0.6f, 0],
        ["C"] = [0.28f, 0.96f, 0],
        ["D"] = [0, 0, 1],
    });

    private static readonly TrainingExample[] Records =
    [
        Example("A", "pa"), Example("D", "pd"), Example(" a ", "pa2"), Example("B", "pb"), Example("C", "pc"),
    ];

    [Fact]
    public void ExactThenNearDuplicatesGroupedAsConnectedComponents()
    {
        var result = QueryCleaner.Clean(Records, Encoder, new QueryCleanerOptions { Threshold = 0.7 });
        Assert.Equal(["A", "D"], result.Kept.Select(e => e.Query));
        Assert.Equal(2, result.Groups);
        Assert.Equal(
        [
            new DroppedQuery(2, " a ", 0, "A", 1.0, 4, "exact"),
            new DroppedQuery(3, "B", 0, "A", 0.8, 4, "near"),
            // The chain A~B~C puts C with A although cos(A, C) = 0.28: the report shows it.
            new DroppedQuery(4, "C", 0, "A", 0.28, 4, "near"),
        ], result.Dropped.Select(d => d with { Cosine = Math.Round(d.Cosine, 6) }));
        Assert.Equal((1, 2), (result.ExactDuplicates, result.NearDuplicates));
    }

    [Fact]
    public void AHigherThresholdSplitsTheChain()
    {
        var result = QueryCleaner.Clean(Records, Encoder, new QueryCleanerOptions { Threshold = 0.9 });
        Assert.Equal(["A", "D", "B", "C"], result.Kept.Select(e => e.Query));
        Assert.Equal(" a ", Assert.Single(result.Dropped).Query);
    }

    [Fact]
    public void MergingGivesTheKeptQueryTheGroupsPositives()
    {
        var result = QueryCleaner.Clean(Records, Encoder, new QueryCleanerOptions { Threshold = 0.7, MergePositives = true });
        Assert.Equal(["pa", "pa2", "pb", "pc"], result.Kept[0].Pos);
        Assert.Equal(["pd"], result.Kept[1].Pos);
    }

    [Fact]
    public void ToyDataWithTheModelFreeEncoderIsLexicalNotSemantic()
    {
        var examples = TrainingExampleReader.Read(Path.Combine(TestPaths.ToyData, "toy_source.json")).ToList();
        var encoder = HashedNgramEncoder.Fit(examples.Select(e => e.Query));
        var result = QueryCleaner.Clean(examples, encoder, new QueryCleanerOptions { Threshold = 0.7 });
        Assert.Equal(318, examples.Count);
        Assert.Equal(6, result.ExactDuplicates);
        // Deterministic, and honest about a lexical encoder: at 0.7 it groups queries that share a template ("...的功效是什么")
        // more often than true paraphrases (17 of 116 near duplicates share their kept query's passage); a trained model
        // is needed for paraphrases. The exact repeats are all found.
        var samePassage = result.Dropped.Count(d => d.Reason == "near" && examples[d.Index].Pos[0] == examples[d.KeptIndex].Pos[0]);
        Assert.Equal((116, 17, 196), (result.NearDuplicates, samePassage, result.Kept.Count));
        Assert.All(result.Dropped.Where(d => d.Reason == "exact"), d => Assert.Equal(Research.Lib.Text.TextNormalizer.ForComparison(examples[d.KeptIndex].Query), Research.Lib.Text.TextNormalizer.ForComparison(d.Query)));
    }

    [Fact]
    public void AnIvfIndexFindsTheSameDuplicatesOnToyDataAndIsDeterministic()
    {
        var examples = TrainingExampleReader.Read(Path.Combine(TestPaths.ToyData, "toy_source.json")).ToList();
        var encoder = HashedNgramEncoder.Fit(examples.Select(e => e.Query));
        var exact = QueryCleaner.Clean(examples, encoder, new QueryCleanerOptions { Threshold = 0.7 });
        // 312 queries after exact duplicates: IVF8 (312 / 39), every list searched with nprobe 8 = the exact result.
        var ivf = QueryCleaner.Clean(examples, encoder, new QueryCleanerOptions { Threshold = 0.7, Index = "IVF", Nprobe = 8 });
        Assert.Equal(exact.Dropped, ivf.Dropped);
        // One list of eight searched: fewer pairs found, the same ones on every run.
        var narrow = QueryCleaner.Clean(examples, encoder, new QueryCleanerOptions { Threshold = 0.7, Index = "IVF", Nprobe = 1 });
        var again = QueryCleaner.Clean(examples, encoder, new QueryCleanerOptions { Threshold = 0.7, Index = "IVF", Nprobe = 1 });
        Assert.Equal(narrow.Dropped, again.Dropped);
        Assert.InRange(narrow.NearDuplicates, 1, exact.NearDuplicates - 1);
        Assert.All(narrow.Dropped, d => Assert.Contains(d.Index, exact.Dropped.Select(e => e.Index))); // its links are a subset
    }

    [Fact]
    public void IvfListsFollowTheSquareRootRuleWithEnoughTrainingPointsPerList()
    {
        Assert.Equal(
            [1, 1, 8, 256, 1264, 4000],
            new[] { 10, 77, 312, 10_000, 100_000, 1_000_000 }.Select(Research.Lib.Search.IvfRangeJoin.Lists));
        Assert.Throws<ArgumentOutOfRangeException>(() => new QueryCleanerOptions { Nprobe = 0 });
    }
}
