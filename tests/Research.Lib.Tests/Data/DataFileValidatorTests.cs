using Research.Lib.Data;

namespace Research.Lib.Tests.Data;

public class DataFileValidatorTests
{
    [Fact]
    public void TheLayoutIsDetectedFromThePath()
    {
        Assert.Equal(
            [DataFileFormat.Train, DataFileFormat.Pairs, DataFileFormat.Csv, DataFileFormat.Sentences, DataFileFormat.Eval, DataFileFormat.Beir],
            new[] { Detect("a.jsonl"), Detect("a.TSV"), Detect("a.csv"), Detect("a.txt"), DataFileValidator.Detect("a.json", "neg.json"), Detect(TestPaths.ToyData) });

        static DataFileFormat Detect(string path) => DataFileValidator.Detect(path);
    }

    [Fact]
    public void EveryToyFileIsReadWholeByItsOwnReader()
    {
        long Count(string file, DataFileFormat format, string? neg = null) =>
            DataFileValidator.Count(Path.Combine(TestPaths.ToyData, file), format, neg is null ? null : Path.Combine(TestPaths.ToyData, neg), "test", ReadOptions.Strict);
        Assert.Equal((318L, 515L, 312L, 25L), (Count("toy_source.json", DataFileFormat.Auto), Count("toy_pairs.tsv", DataFileFormat.Pairs),
            Count("toy_unsup.txt", DataFileFormat.Auto), Count("toy_dev.json", DataFileFormat.Auto, "toy_dev_neg.json")));
        Assert.Equal(("records", "queries"), (DataFileValidator.Unit(DataFileFormat.Pairs), DataFileValidator.Unit(DataFileFormat.Beir)));
        Assert.Equal("--neg is for --format eval, not pairs.",
            Assert.Throws<ArgumentException>(() => Count("toy_pairs.tsv", DataFileFormat.Pairs, "toy_dev_neg.json")).Message);
    }
}
