using Research.Lib.Data;
using Research.Lib.IO;

namespace Research.Lib.Tests.Data;

/// <summary>
/// Reads the real public data sets in ../shared/data (not part of the repository). Each test skips with a
/// visible reason where the folder is absent. Counts are those the data set README states.
/// </summary>
public class SharedDataTests
{
    private static string Require(params string[] parts)
    {
        var path = Path.Combine([TestPaths.SharedData, .. parts]);
        Skip.IfNot(File.Exists(path) || Directory.Exists(path), $"{path} is not present (shared data lives beside the repository).");
        return path;
    }

    [SkippableFact]
    public void BeirSciFactTest()
    {
        var ds = BeirReader.Read(Require("beir_scifact"), "test");
        Assert.Equal(5183, ds.Corpus.Count);
        Assert.Equal(300, ds.Queries.Count);
        Assert.Equal(339, ds.Qrels.Values.Sum(d => d.Count));
    }

    [SkippableFact]
    public void FinancialQaCsv()
    {
        var path = Require("financial_qa_10k", "Financial-QA-10k.csv");
        var rows = CsvReader.Read(path, null, "question", "answer", "context", "ticker", "filing").ToList();
        Assert.Equal(7000, rows.Count);
        Assert.Equal(69, rows.Select(r => r["ticker"]).Distinct().Count());
        // The real file has a row with an empty question: strict mode stops there, lenient mode reports it.
        var error = Assert.Throws<DataFormatException>(() => CsvReader.ReadTrainingExamples(path, "question", "context").Count());
        Assert.Equal($"{path}:1735: field 'question': is empty", error.Message);
        var report = new SkipReport();
        var kept = CsvReader.ReadTrainingExamples(path, "question", "context", ReadOptions.Lenient(report)).Count();
        Assert.Equal(7000, kept + report.Count);
        Assert.Contains(report.Records, r => r.LineNumber == 1735 && r.Field == "question");
    }

    [SkippableTheory]
    [InlineData("LCQMC", "dev.txt", 8802)]
    [InlineData("LCQMC", "test.txt", 12500)]
    [InlineData("Chinese-STS-B", "sts-b-dev.txt", 1458)]
    [InlineData("Chinese-STS-B", "sts-b-test.txt", 1361)]
    [InlineData("Chinese-STS-B", "sts-b-train.txt", 5231)]
    [InlineData("AFQMC", "dev.txt", 4316)]
    public void SentencePairs(string set, string file, int count)
    {
        var pairs = TextPairReader.Read(Require("csts", set, file)).ToList();
        Assert.Equal(count, pairs.Count);
        Assert.All(pairs, p => Assert.InRange(p.Score, 0, 5));
    }

    [SkippableFact]
    public void Text2VecFlagEmbeddingJsonl()
    {
        var all = TrainingExampleReader.Read(Require("text2vec", "bge_finetune_data.jsonl")).ToList();
        Assert.Equal(2701, all.Count);
        Assert.All(all, e => Assert.NotEmpty(e.Pos));
    }

    [SkippableFact]
    public void FlagEmbeddingExampleFilesAllParse()
    {
        var root = Require("flagembedding");
        var files = Directory.GetFiles(root, "*.jsonl", SearchOption.AllDirectories)
            .Where(f => !f.Contains("pretrain", StringComparison.Ordinal)).Order().ToList();
        Assert.True(files.Count >= 10, $"expected the FlagEmbedding example files, found {files.Count}");
        foreach (var f in files)
            Assert.NotEmpty(TrainingExampleReader.Read(f).ToList());
        var withScores = TrainingExampleReader.Read(Path.Combine(root, "examples/finetune/embedder/example_data/sts/sts.jsonl")).First();
        Assert.Equal("symmetric_sts", withScores.Type);
    }

    [SkippableFact]
    public void PaddleNlpSeedEvalFiles()
    {
        var dir = Require("paddlenlp_contrastive_toy");
        var ds = QueryPassageEvalReader.Read(Path.Combine(dir, "toy_dev.json"), Path.Combine(dir, "toy_dev_neg.json"));
        Assert.Equal(20, ds.Queries.Count);
        Assert.All(ds.Qrels.Values, judged => Assert.NotEmpty(judged));
        Assert.True(ds.Corpus.Count > 20);
    }
}
