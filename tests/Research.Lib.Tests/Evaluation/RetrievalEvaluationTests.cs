using Research.Lib.Evaluation;
using Research.Lib.Search;

namespace Research.Lib.Tests.Evaluation;

public class RetrievalEvaluationTests
{
    private static readonly Dictionary<string, IReadOnlyList<ScoredDocument>> Run = new()
    {
        ["q1"] = [new("d1", 0.9), new("d2", 0.8)],          // relevant first: RR 1
        ["q2"] = [new("d3", 0.7), new("d4", 0.7)],          // tie: d4 ranks first, relevant d3 second: RR 1/2
        ["q3"] = [new("d9", 0.5)],                          // judged, but nothing relevant exists
        ["q4"] = [new("d1", 0.5)],                          // not judged at all
    };

    private static readonly Dictionary<string, IReadOnlyDictionary<string, int>> Qrels = new()
    {
        ["q1"] = new Dictionary<string, int> { ["d1"] = 1 },
        ["q2"] = new Dictionary<string, int> { ["d3"] = 1 },
        ["q3"] = new Dictionary<string, int> { ["d9"] = 0 },
        ["q5"] = new Dictionary<string, int> { ["d7"] = 1 },  // judged, not in the run
    };

    [Fact]
    public void DefaultIsTrecEvalWithoutC()
    {
        var r = RetrievalEvaluation.Evaluate(Run, Qrels, new RetrievalEvaluationOptions { Ks = [1, 10] });
        Assert.Equal(["q1", "q2", "q3"], r.PerQuery.Keys.Order());
        Assert.Equal((1 + 0.5 + 0) / 3, r["mrr_at_10"], 12);
        Assert.Equal(1.0 / 3, r["hit_rate_at_1"], 12);
        Assert.Equal(0.5, r.PerQuery["q2"]["mrr"], 12);
    }

    [Fact]
    public void OptionsChangeWhichQueriesCount()
    {
        var withC = RetrievalEvaluation.Evaluate(Run, Qrels, new RetrievalEvaluationOptions { Ks = [10], CountUnretrievedJudgedQueries = true });
        Assert.Equal(4, withC.QueryCount);
        Assert.Equal(1.5 / 4, withC["mrr_at_10"], 12);
        var skipEmpty = RetrievalEvaluation.Evaluate(Run, Qrels, new RetrievalEvaluationOptions { Ks = [10], SkipQueriesWithoutRelevant = true });
        Assert.Equal(0.75, skipEmpty["mrr_at_10"], 12);
        var unjudged = RetrievalEvaluation.Evaluate(Run, Qrels, new RetrievalEvaluationOptions { Ks = [10], CountUnjudgedQueriesAsZero = true });
        Assert.Equal(1.5 / 4, unjudged["mrr_at_10"], 12);
    }

    [Fact]
    public void TrecFilesRoundTripAndReadBeirTsv()
    {
        using var dir = new TempDir();
        var run = Path.Combine(dir.Path, "run.trec");
        TrecFiles.WriteRun(run, Run, "test");
        Assert.Equal("q2 Q0 d4 1 0.7 test", File.ReadLines(run).ElementAt(2));
        var back = TrecFiles.ReadRun(run);
        Assert.Equal(RetrievalEvaluation.Evaluate(Run, Qrels).Means, RetrievalEvaluation.Evaluate(back, Qrels).Means);
        var qrels = Path.Combine(dir.Path, "qrels.txt");
        TrecFiles.WriteQrels(qrels, Qrels);
        Assert.Equal("q1 0 d1 1", File.ReadLines(qrels).First());
        Assert.Equal(Qrels["q2"], TrecFiles.ReadQrels(qrels)["q2"]);
        var tsv = dir.File("test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t2\n");
        Assert.Equal(2, TrecFiles.ReadQrels(tsv)["q1"]["d1"]);
        var bad = dir.File("bad.trec", "q1 Q0 d1 1 high run\n");
        Assert.Equal($"{bad}:1: field 'score': 'high' is not a finite number", Assert.Throws<Research.Lib.IO.DataFormatException>(() => TrecFiles.ReadRun(bad)).Message);
    }
}
