using Research.Lib.Data;

namespace Research.Lib.Tests.Data;

public class ToyDataTests
{
    private static string Toy(string name) => Path.Combine(TestPaths.ToyData, name);

    [Fact]
    public void EveryToyFileParsesWithTheDocumentedCounts()
    {
        var source = TrainingExampleReader.Read(Toy("toy_source.json")).ToList();
        Assert.Equal(318, source.Count);
        Assert.All(source, e => Assert.Equal(3, e.Neg.Count));
        var dev = QueryPassageEvalReader.Read(Toy("toy_dev.json"), Toy("toy_dev_neg.json"));
        Assert.Equal(25, dev.Queries.Count);
        Assert.Equal(25 + 60, dev.Corpus.Count);
        var pairs = TextPairReader.Read(Toy("toy_pairs.tsv")).ToList();
        Assert.Equal(515, pairs.Count);
        Assert.Equal(208, pairs.Count(p => p.Score == 1));
        Assert.Equal(515, TextPairReader.Read(Toy("toy_sts.tsv")).Count());
        Assert.Equal(312, SentenceReader.Read(Toy("toy_unsup.txt")).Count());
    }

    [Fact]
    public void EvaluationIsDisjointFromTraining()
    {
        var source = TrainingExampleReader.Read(Toy("toy_source.json")).ToList();
        var trainTexts = source.SelectMany(e => e.Pos.Concat(e.Neg).Append(e.Query)).ToHashSet();
        trainTexts.UnionWith(SentenceReader.Read(Toy("toy_unsup.txt")));
        var dev = QueryPassageEvalReader.Read(Toy("toy_dev.json"));
        Assert.DoesNotContain(dev.Queries, q => trainTexts.Contains(q.Text));
        Assert.DoesNotContain(dev.Corpus, d => trainTexts.Contains(d.Text));
    }

    [Fact]
    public void SourceHasNearAndExactDuplicatesAndNoPositiveAmongNegatives()
    {
        var stats = DatasetStats.Compute(TrainingExampleReader.Read(Toy("toy_source.json")));
        Assert.Equal(6, stats.DuplicateQueries);
        Assert.Equal(0, stats.PositiveAmongNegatives);
        // three paraphrased queries share each positive: 104 distinct positives for 312 distinct queries
        var positives = TrainingExampleReader.Read(Toy("toy_source.json")).Select(e => e.Pos[0]).Distinct().Count();
        Assert.Equal(104, positives);
    }
}
