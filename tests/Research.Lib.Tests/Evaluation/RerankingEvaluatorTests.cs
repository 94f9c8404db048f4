using System.Text.Json.Nodes;
using Research.Lib.Data;
using Research.Lib.Evaluation;
using Research.Lib.Modeling;
using Research.Lib.Search;
using Research.Lib.Tests.Training;

namespace Research.Lib.Tests.Evaluation;

[Collection(TorchRandomCollection.Name)]
public class RerankingEvaluatorTests
{
    private static readonly string TinyBert = Path.Combine(TestPaths.ToyData, "tiny-bert");

    private static readonly RetrievalDataset Data = new(
        [new EvalQuery("q1", "why do cats purr"), new EvalQuery("q2", "how do birds fly")],
        [new CorpusDocument("d1", "Cats", "Cats purr when content."), new CorpusDocument("d2", "", "Dogs bark at strangers."),
         new CorpusDocument("d3", "", "A purr is a vibration of the larynx."), new CorpusDocument("d4", "Birds", "Wings give birds lift.")],
        new Dictionary<string, IReadOnlyDictionary<string, int>>
        {
            ["q1"] = new Dictionary<string, int> { ["d1"] = 1, ["d3"] = 1 },
            ["q2"] = new Dictionary<string, int> { ["d4"] = 1 },
        });

    [Fact]
    public void ReordersTheFirstStagesTopByTheCrossEncodersLogits()
    {
        using var model = CrossEncoder.Load(TinyBert, maxLength: 64, seed: 5);
        var firstStage = new Dictionary<string, IReadOnlyList<ScoredDocument>>
        {
            ["q1"] = [new("d2", 9), new("d1", 8), new("d3", 7)],
            ["q2"] = [new("d4", 3), new("d2", 2)],
        };
        var run = RerankingEvaluator.Rerank(model, Data, firstStage, top: 2);
        // Only the first stage's top 2 enter; each gets its own pair's logit (title + text, as the corpus is embedded). The
        // pairs in the order the evaluator batches them, so the logits are bit-equal.
        var logits = model.Predict([("why do cats purr", "Dogs bark at strangers."), ("why do cats purr", "Cats Cats purr when content."),
            ("how do birds fly", "Birds Wings give birds lift."), ("how do birds fly", "Dogs bark at strangers.")]);
        Assert.Equal(new[] { ("d2", logits[0]), ("d1", logits[1]) }.OrderByDescending(x => x.Item2).Select(x => new ScoredDocument(x.Item1, x.Item2)), run["q1"]);
        Assert.Equal(new[] { ("d4", logits[2]), ("d2", logits[3]) }.OrderByDescending(x => x.Item2).Select(x => new ScoredDocument(x.Item1, x.Item2)), run["q2"]);
        Assert.DoesNotContain(run["q1"], d => d.DocId == "d3");

        var metrics = RerankingEvaluator.ForTraining(Data, firstStage, top: 2)(model);
        var whole = RetrievalEvaluation.Evaluate(run, Data.Qrels);
        Assert.Equal(whole["ndcg_at_10"], metrics["main_score"]);
        Assert.Equal(whole["map"], metrics["map"]);
        Assert.Equal(["main_score", "map", "mrr_at_10", "ndcg_at_10"], metrics.Keys.Order(StringComparer.Ordinal));

        var missing = Assert.Throws<InvalidDataException>(() => RerankingEvaluator.Rerank(model, Data, new Dictionary<string, IReadOnlyList<ScoredDocument>> { ["q2"] = [new("d9", 1)] }));
        Assert.Equal("first stage: document 'd9' (query 'q2') is not in the corpus.", missing.Message);
        Assert.Throws<ArgumentException>(() => RerankingEvaluator.Rerank(model, Data, firstStage, top: 0));
    }

    [Fact]
    public void TheBm25FirstStageRanksEveryQuerysMatchingDocuments()
    {
        var run = RerankingEvaluator.Bm25FirstStage(Data, top: 2);
        // English analyzer: "cats" / "purr" match d1 and d3 ("purr"), not d2; "birds": d4 alone ("fly" nowhere).
        Assert.Equal(["d1", "d3"], run["q1"].Select(d => d.DocId).Order(StringComparer.Ordinal));
        Assert.Equal(["d4"], run["q2"].Select(d => d.DocId));
    }

    [Fact]
    public void TheSuiteEvaluatesARerankerOverBm25sTopAndRecordsItsFirstStage()
    {
        using var dir = new TempDir();
        var folder = Path.Combine(dir.Path, "reranker");
        using (var model = CrossEncoder.Load(TinyBert, maxLength: 64, seed: 5)) model.Save(folder);
        var tasks = EvalSuite.ReadTasks(Path.Combine(TestPaths.ToyData, "tasks.json"));
        using var suiteModel = EvalSuiteModel.Load(folder, rerankTop: 5);
        Assert.Equal("bm25", suiteModel.FirstStage!.Spec);
        Assert.False(suiteModel.Supports(EvalTaskType.STS));
        var log = new List<string>();
        var results = EvalSuite.Run(suiteModel, tasks, Path.Combine(dir.Path, "results"), log: log.Add);
        Assert.Single(results);
        Assert.Contains("reranker / ToySTS: skipped", log[1]);

        // The same figures by hand: BM25's top 5 over the task's data (the CJK analyzer: the task lists cmn-Hans), re-ranked.
        var task = tasks.Single(t => t.Name == "ToyRetrieval");
        var data = QueryPassageEvalReader.Read(task.Data, task.Neg);
        using var bm25 = Bm25Index.Build(data.Corpus.Select(d => (d.Id, d.FullText)), new Bm25Options { Analyzer = Bm25Analyzer.Cjk });
        var firstStage = data.Queries.ToDictionary(q => q.Id, q => bm25.Search(q.Text, 5), StringComparer.Ordinal);
        var expected = RetrievalEvaluation.Evaluate(RerankingEvaluator.Rerank(suiteModel.Reranker!, data, firstStage, 5), data.Qrels);
        Assert.Equal(expected["ndcg_at_10"], results[0].MainScore("dev"));

        var meta = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "results", "reranker", "no_revision_available", "model_meta.json")))!;
        Assert.Equal("bm25", meta["first_stage"]!.GetValue<string>());
        Assert.Equal(5, meta["rerank_top"]!.GetValue<int>());
        Assert.Equal("cross-encoder", meta["model_type"]![0]!.GetValue<string>());

        var notReranker = Assert.Throws<ArgumentException>(() => EvalSuiteModel.Load(TinyBert, firstStage: "bm25"));
        Assert.Equal($"--first-stage: {TinyBert} is not a cross-encoder (reranker) folder; only a reranker re-ranks a first stage.", notReranker.Message);
        var hashed = Assert.Throws<ArgumentException>(() => EvalSuiteModel.Load(folder, firstStage: "hashed"));
        Assert.Equal("--first-stage hashed: expected bm25 or a bi-encoder (embedding model) folder.", hashed.Message);
    }
}
