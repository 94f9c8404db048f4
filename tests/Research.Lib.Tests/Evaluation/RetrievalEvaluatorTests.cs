using Research.Lib.Data;
using Research.Lib.Evaluation;
using Research.Lib.Modeling;

namespace Research.Lib.Tests.Evaluation;

public class RetrievalEvaluatorTests
{
    [Fact]
    public void EncodesSearchesScoresAndWritesTrecFilesThatRescoreTheSame()
    {
        using var dir = new TempDir();
        var data = QueryPassageEvalReader.Read(Path.Combine(TestPaths.ToyData, "toy_dev.json"), Path.Combine(TestPaths.ToyData, "toy_dev_neg.json"));
        using var encoder = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        var runPath = Path.Combine(dir.Path, "run.trec");
        var qrelsPath = Path.Combine(dir.Path, "qrels.trec");
        var (result, run) = RetrievalEvaluator.Evaluate(encoder, data, topK: 20, runPath: runPath, qrelsPath: qrelsPath);
        Assert.Equal(25, result.QueryCount);
        Assert.All(run.Values, docs => Assert.Equal(20, docs.Count));
        Assert.Equal(25 * 20, File.ReadLines(runPath).Count());
        Assert.Equal(25, File.ReadLines(qrelsPath).Count());
        Assert.All(result.Means.Values, v => Assert.InRange(v, 0, 1));
        var rescored = RetrievalEvaluation.Evaluate(TrecFiles.ReadRun(runPath), TrecFiles.ReadQrels(qrelsPath));
        foreach (var (metric, value) in result.Means)
            Assert.Equal(value, rescored[metric], 6);
        // the run's first document for each query is the exact nearest neighbour of the query vector
        var q = encoder.EncodeQueries([data.Queries[0].Text]);
        var docs = encoder.EncodePassages(data.Corpus.Select(d => d.FullText).ToList());
        var best = Enumerable.Range(0, docs.Rows).MaxBy(i => Enumerable.Range(0, q.Dimension).Sum(d => q.Row(0)[d] * docs.Row(i)[d]));
        Assert.Equal(data.Corpus[best].Id, run[data.Queries[0].Id][0].DocId);
    }
}
