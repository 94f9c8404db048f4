using System.Text.Json.Nodes;
using Research.Lib.Data;
using Research.Lib.Evaluation;

namespace Research.Lib.Tests.Evaluation;

public class EvalSuiteTests
{
    private static readonly Dictionary<string, float[]> Vectors = new()
    {
        ["q apple"] = [1, 0],
        ["q pear"] = [0, 1],
        ["apple pie"] = [0.9f, 0.1f],
        ["pear tart"] = [0.2f, 0.8f],
        ["plum jam"] = [0.6f, 0.6f],
        ["a"] = [1, 0],
        ["b"] = [0.8f, 0.6f],
        ["c"] = [0, 1],
        ["d"] = [0.6f, 0.8f],
    };

    private static string WriteTasks(TempDir dir, string json)
    {
        File.WriteAllText(Path.Combine(dir.Path, "rerank.jsonl"),
            "{\"query\": \"q apple\", \"pos\": [\"apple pie\"], \"neg\": [\"pear tart\", \"plum jam\"]}\n"
            + "{\"query\": \"q pear\", \"pos\": [\"pear tart\"], \"neg\": [\"plum jam\", \"apple pie\"]}\n");
        File.WriteAllText(Path.Combine(dir.Path, "sts.tsv"), "a\tb\t4\na\tc\t0\nb\td\t5\n");
        File.WriteAllText(Path.Combine(dir.Path, "pairs.tsv"), "a\tb\t1\na\tc\t0\nb\td\t1\nc\ta\t0\n");
        var path = Path.Combine(dir.Path, "tasks.json");
        File.WriteAllText(path, json);
        return path;
    }

    private const string Tasks = """
        {"tasks": [
          {"name": "Fruit", "type": "Reranking", "data": "rerank.jsonl", "languages": ["eng-Latn"]},
          {"name": "Toy STS", "type": "sts", "data": "sts.tsv", "split": "dev"},
          {"name": "Dup", "type": "PairClassification", "data": "pairs.tsv"}
        ]}
        """;

    [Fact]
    public void TasksResolveRelativePathsAndTypes()
    {
        using var dir = new TempDir();
        var tasks = EvalSuite.ReadTasks(WriteTasks(dir, Tasks));
        Assert.Equal(["Fruit", "Toy STS", "Dup"], tasks.Select(t => t.Name));
        Assert.Equal([EvalTaskType.Reranking, EvalTaskType.STS, EvalTaskType.PairClassification], tasks.Select(t => t.Type));
        Assert.Equal(Path.Combine(dir.Path, "rerank.jsonl"), tasks[0].Data);
        Assert.Equal(["test", "dev", "test"], tasks.Select(t => t.Split));
        Assert.Equal(["map", "cosine_spearman", "max_ap"], tasks.Select(t => t.MainScore));
        Assert.Equal(["eng-Latn"], tasks[0].Languages);
    }

    [Theory]
    [InlineData("""{"tasks": [{"name": "X", "type": "Clustering", "data": "sts.tsv"}]}""", "tasks[0] (X): field 'type': 'Clustering' is not one of Retrieval, Reranking, STS, PairClassification.")]
    [InlineData("""{"tasks": [{"name": "X", "data": "sts.tsv"}]}""", "tasks[0]: field 'type' is missing.")]
    [InlineData("""{"tasks": [{"name": "X", "type": "STS", "data": "sts.tsv", "lang": []}]}""", "tasks[0]: unknown field 'lang' (fields: name, type, data, neg, split, languages).")]
    [InlineData("""{"tasks": [{"name": "X", "type": "STS", "data": "nope.tsv"}]}""", "tasks[0] (X): field 'data': ")]
    [InlineData("""{"tasks": [{"name": "X", "type": "STS", "data": "sts.tsv"}, {"name": "X", "type": "STS", "data": "sts.tsv"}]}""", "tasks[1]: field 'name': 'X' is used by an earlier task.")]
    [InlineData("""{"tasks": []}""", "the task list is empty.")]
    public void BadTaskListsNameTheTaskAndField(string json, string expected)
    {
        using var dir = new TempDir();
        var path = WriteTasks(dir, json);
        var e = Assert.Throws<InvalidDataException>(() => EvalSuite.ReadTasks(path));
        Assert.StartsWith($"{path}: {expected}", e.Message);
    }

    [Fact]
    public void RerankingStsAndPairsScoreAsTheEvaluatorsDo()
    {
        using var dir = new TempDir();
        var tasks = EvalSuite.ReadTasks(WriteTasks(dir, Tasks));
        using var model = EvalSuiteModel.Wrap("fixed", new FixedEncoder(Vectors));
        var results = EvalSuite.Run(model, tasks, Path.Combine(dir.Path, "results"));
        // q apple ranks apple pie (0.9) first; q pear ranks pear tart (0.8) first: both positives at rank 1.
        Assert.Equal(1.0, results[0].MainScore("test"));
        var sts = StsEvaluator.Evaluate(new FixedEncoder(Vectors), TextPairReader.Read(Path.Combine(dir.Path, "sts.tsv")).ToList());
        Assert.Equal(sts["cosine_spearman"] / 100, results[1].MainScore("dev"));
        Assert.Equal(1.0, results[1].MainScore("dev"));
        Assert.Equal(1.0, results[2].MainScore("test"));
        var folder = Path.Combine(dir.Path, "results", "fixed", MtebTaskResult.NoRevision);
        Assert.Equal([".research-output.json", "Dup.json", "Fruit.json", "Toy_STS.json", "model_meta.json"], // the marker: the folder was written whole
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("run\tquery\tmetric\tvalue", File.ReadLines(Path.Combine(folder, "per_query", "Fruit.tsv")).First());
    }

    [Fact]
    public void Bm25RerankingPutsCandidatesWithoutSharedTermsLast()
    {
        using var dir = new TempDir();
        var tasks = EvalSuite.ReadTasks(WriteTasks(dir, Tasks));
        using var bm25 = EvalSuiteModel.Load("bm25");
        var results = EvalSuite.Run(bm25, tasks, Path.Combine(dir.Path, "results"));
        // Only the reranking task: bm25 has no embedding for STS or pairs. Each query shares one term with its positive only.
        Assert.Equal(["Fruit"], results.Select(r => r.TaskName));
        Assert.Equal(1.0, results[0].MainScore("test"));
    }

    [Fact]
    public void ResultFilesHaveMtebsKeysAndTypes()
    {
        using var dir = new TempDir();
        var tasks = EvalSuite.ReadTasks(WriteTasks(dir, Tasks));
        using var model = EvalSuiteModel.Wrap("fixed", new FixedEncoder(Vectors));
        var path = EvalSuite.Evaluate(model, tasks[0]).Write(dir.Path);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        // mteb's TaskResult: dataset_revision, task_name, mteb_version (str), scores (split -> list), evaluation_time (float), kg_co2_emissions (float | None).
        Assert.Equal(["dataset_revision", "task_name", "mteb_version", "scores", "evaluation_time", "kg_co2_emissions"], json.Select(kv => kv.Key));
        Assert.Equal("Fruit", json["task_name"]!.GetValue<string>());
        Assert.Equal(EvalSuite.DataRevision(tasks[0]), json["dataset_revision"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{12}$", json["dataset_revision"]!.GetValue<string>());
        Assert.Equal("1.14.0", json["mteb_version"]!.GetValue<string>());
        Assert.True(json["evaluation_time"]!.GetValue<double>() >= 0);
        Assert.Null(json["kg_co2_emissions"]);
        var entry = json["scores"]!["test"]!.AsArray().Single()!.AsObject();
        Assert.Equal(1.0, entry["main_score"]!.GetValue<double>());
        Assert.Equal("default", entry["hf_subset"]!.GetValue<string>());
        Assert.Equal(["eng-Latn"], entry["languages"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal(["map", "mrr", "mrr_at_10", "ndcg_at_10", "hit_rate_at_1", "precision_at_1", "main_score", "hf_subset", "languages"], entry.Select(kv => kv.Key));
        var back = MtebTaskResult.Read(path);
        Assert.Equal(1.0, back.MainScore("test"));
        Assert.Equal(6, back.Scores["test"][0].Metrics.Count);
    }

    [Fact]
    public void ReadingAFileWithoutMainScoreNamesTheField()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "T.json");
        File.WriteAllText(path, """{"dataset_revision": "x", "task_name": "T", "mteb_version": "1.14.0", "scores": {"test": [{"hf_subset": "default", "languages": []}]}, "evaluation_time": 1, "kg_co2_emissions": null}""");
        Assert.Equal($"{path}: field 'scores.test[0].main_score': expected a number.", Assert.Throws<InvalidDataException>(() => MtebTaskResult.Read(path)).Message);
    }

    [Fact]
    public void SummaryPutsModelsInRowsAndAveragesOnlyCompleteRows()
    {
        MtebTaskResult R(string task, double main) => new(task, "r", new Dictionary<string, IReadOnlyList<MtebSplitScores>>
        {
            ["test"] = [new MtebSplitScores("default", [], main, new Dictionary<string, double> { ["m"] = main })],
        }, 2.5);
        var summary = EvalSuiteSummary.From([("bm25", R("SciFact", 0.665)), ("tuned", R("SciFact", 0.7)), ("tuned", R("STS", 0.81))]);
        Assert.Equal("| model | STS | SciFact | average |\n|---|---:|---:|---:|\n| bm25 |  | 66.50 |  |\n| tuned | 81.00 | 70.00 | 75.50 |\n", summary.ToMarkdown());
        Assert.Equal("model,task,split,hf_subset,metric,value,evaluation_time\nbm25,SciFact,test,default,m,0.665,2.5\nbm25,SciFact,test,default,main_score,0.665,2.5\n",
            string.Join("\n", summary.ToCsv().Split('\n').Take(3)) + "\n");
        Assert.Equal(3, summary.ToDataFrame().Rows.Count);
    }
}
