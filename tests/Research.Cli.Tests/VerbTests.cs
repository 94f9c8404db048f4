using Research.Lib.Modeling;
using Research.Lib.Search;

namespace Research.Cli.Tests;

/// <summary>What the verbs write when the input is good, and that a failed run leaves earlier output alone.</summary>
public class VerbTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    [Fact]
    public void EvalRunWritesPerQueryValuesAsTrecEvalQ()
    {
        var path = fixture["perquery.tsv"];
        var (exit, _, error) = CliHarness.Run("eval", "run", "--qrels", fixture["qrels.trec"], "--run", fixture["run.trec"], "--k", "1", "--per-query", path);
        Assert.True(exit == 0, error);
        var lines = File.ReadAllLines(path);
        Assert.Equal("run\tquery\tmetric\tvalue", lines[0]);
        Assert.Contains("run\tq1\tndcg_at_1\t1", lines);
        Assert.Contains("run\tq2\tmrr_at_1\t1", lines);
        Assert.Contains("run\tall\tndcg_at_1\t1", lines);
        Assert.Equal(2 * 9 + 9 + 1, lines.Length); // 9 metrics for k = 1 (6 cut-off metrics, map, mrr, r_precision) per query, the means, the header
    }

    [Fact]
    public void ExportOnnxQuantizesToInt8OnRequest()
    {
        var (exit, stdout, error) = CliHarness.Run("model", "export-onnx", "--model", fixture.TinyBert, "--out", fixture["export_int8.onnx"], "--quantize", "int8");
        Assert.True(exit == 0, error);
        Assert.Contains(", linear layers dynamic int8, sentence_embedding dimension ", stdout);
        var graph = Research.Lib.Onnx.OnnxGraph.Load(fixture["export_int8.onnx"]);
        Assert.Equal(12, graph.Nodes.Count(n => n.OpType == "MatMulInteger")); // tiny-bert: 2 layers × 6 linear layers
        Assert.Equal(3, graph.Initializers["encoder.layer.0.attention.self.query.weight_quantized"].DataType); // INT8
    }

    [Fact]
    public void TopLevelEncodeIsModelEncode()
    {
        File.WriteAllLines(fixture["encode_alias.txt"], ["a cat sat", "dogs bark"]);
        var (exit, _, error) = CliHarness.Run("encode", "--model", fixture.TinyBert, "--input", fixture["encode_alias.txt"], "--out", fixture["alias_a.npy"], "--device", "cpu");
        Assert.True(exit == 0, error);
        (exit, _, error) = CliHarness.Run("model", "encode", "--model", fixture.TinyBert, "--input", fixture["encode_alias.txt"], "--out", fixture["alias_b.npy"], "--device", "cpu");
        Assert.True(exit == 0, error);
        Assert.Equal(File.ReadAllBytes(fixture["alias_b.npy"]), File.ReadAllBytes(fixture["alias_a.npy"]));
    }

    [Fact]
    public void EvalSuiteFilesMtebResultsAndTabulatesEveryModel()
    {
        var results = fixture["suite_results"];
        var tasks = Path.Combine(fixture.ToyData, "tasks.json");
        var (exit, stdout, error) = CliHarness.Run("eval", "suite", "--model", fixture.TinyBert, "bm25", "--tasks", tasks, "--out", results, "--device", "cpu");
        Assert.True(exit == 0, error);
        Assert.Contains("bm25 / ToySTS: skipped (bm25 has no embeddings for STS tasks)", stdout);
        Assert.Equal([".research-output.json", "ToyPairs.json", "ToyRetrieval.json", "ToySTS.json", "model_meta.json"],
            Directory.GetFiles(Path.Combine(results, "tiny-bert", "no_revision_available")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
        var summary = File.ReadAllLines(Path.Combine(results, "summary.md"));
        Assert.Equal("| model | ToyPairs | ToyRetrieval | ToySTS | average |", summary[2]);
        Assert.StartsWith("| bm25 |  | 83.67 |  |  |", summary[4]);
        (exit, stdout, error) = CliHarness.Run("eval", "summary", results);
        Assert.True(exit == 0, error);
        Assert.Contains("| tiny-bert |", stdout);
        (exit, _, error) = CliHarness.Run("eval", "suite", "--model", fixture.TinyBert, "bm25", "--name", "x", "--tasks", tasks, "--out", results);
        Assert.Equal(1, exit);
        Assert.Equal("--name names one model's results; 2 models were given.\n", error);
    }

    [Fact]
    public void ARerankerTrainsIsEvaluatedOverBm25AndRescoresMinedNegatives()
    {
        File.WriteAllText(fixture["reranker.json"], "{\"batch_size\": 8, \"group_size\": 4, \"max_length\": 64, \"epochs\": 1, \"learning_rate\": 1e-4, \"evaluate_every\": 4, \"log_every\": 2}");
        var folder = fixture["reranker"];
        var (exit, stdout, error) = CliHarness.Run("train", "--method", "reranker", "--config", fixture["reranker.json"], "--model", fixture.TinyBert,
            "--data", Path.Combine(fixture.ToyData, "toy_source.json"), "--eval", Path.Combine(fixture.ToyData, "toy_dev.json"),
            "--eval-neg", Path.Combine(fixture.ToyData, "toy_dev_neg.json"), "--rerank-top", "20", "--out", folder, "--device", "cpu");
        Assert.True(exit == 0, error);
        Assert.Contains("reranker: ", stdout);
        Assert.True(CrossEncoder.IsCrossEncoderFolder(folder));
        Assert.Contains("pipeline_tag: text-ranking", File.ReadAllText(Path.Combine(folder, "README.md")));
        var args = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "training_args.json")))!;
        Assert.Equal("reranker", args["method"]!.GetValue<string>());
        Assert.Equal("listwise", args["loss"]!.GetValue<string>());
        var evaluated = File.ReadAllLines(Path.Combine(folder, "training_log.jsonl")).Where(l => l.Contains("\"map\"", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(evaluated);

        var results = fixture["reranker_results"];
        (exit, stdout, error) = CliHarness.Run("eval", "suite", "--model", folder, "--tasks", Path.Combine(fixture.ToyData, "tasks.json"), "--rerank-top", "20", "--out", results, "--device", "cpu");
        Assert.True(exit == 0, error);
        Assert.Contains("reranker / ToyRetrieval (Retrieval, dev): ndcg_at_10 ", stdout);
        Assert.Contains("reranker / ToyPairs: skipped", stdout);
        (exit, _, error) = CliHarness.Run("eval", "suite", "--model", fixture.TinyBert, "--tasks", Path.Combine(fixture.ToyData, "tasks.json"), "--first-stage", "bm25", "--out", results);
        Assert.Equal(1, exit);
        Assert.Equal("--first-stage: no --model is a cross-encoder (reranker) folder; only a reranker re-ranks a first stage.\n", error);

        // Mining re-scored by the reranker: every pair's logit in pos_scores / neg_scores (nothing dropped with --rescore-keep-all).
        var mined = fixture["reranker_mined"];
        (exit, stdout, error) = CliHarness.Run("mine", "--input", Path.Combine(fixture.ToyData, "toy_source.json"), "--method", "Bm25", "--range", "0-6", "--negatives", "3",
            "--rescore", folder, "--rescore-keep-all", "--out", mined);
        Assert.True(exit == 0, error);
        Assert.Contains($"re-scored by {folder}: 0 negatives scored above a positive dropped", stdout);
        var records = Research.Lib.Data.TrainingExampleReader.Read(Path.Combine(mined, "mined.jsonl")).ToList();
        using (var reranker = CrossEncoder.Load(folder))
        {
            var logits = reranker.Predict(records.SelectMany(e => e.Pos.Concat(e.Neg).Select(p => (e.QueryText(""), p))).ToList());
            Assert.Equal(logits.Select(s => (double)s), records.SelectMany(e => e.PosScores!.Concat(e.NegScores!)));
        }
        var summary = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(mined, "summary.json")))!;
        Assert.Equal(Path.GetFullPath(folder), summary["rescored_by"]!.GetValue<string>());
        Assert.Null(summary["rescore_margin"]);

        (exit, _, error) = CliHarness.Run("mine", "--input", Path.Combine(fixture.ToyData, "toy_source.json"), "--method", "Bm25", "--rescore", fixture.TinyBert, "--out", fixture["m_bad"]);
        Assert.Equal(1, exit);
        Assert.Equal($"--rescore {fixture.TinyBert}: not a cross-encoder folder (config.json's architectures name no ...ForSequenceClassification); train one with 'research train --method reranker'.\n", error);
        (exit, _, error) = CliHarness.Run("mine", "--input", Path.Combine(fixture.ToyData, "toy_source.json"), "--method", "Bm25", "--rescore", fixture["no_reranker"], "--out", fixture["m_bad"]);
        Assert.Equal(1, exit);
        Assert.Equal($"--rescore {fixture["no_reranker"]}: no such folder; expected a cross-encoder folder ('research train --method reranker' writes one).\n", error);
        (exit, _, error) = CliHarness.Run("mine", "--input", Path.Combine(fixture.ToyData, "toy_source.json"), "--method", "Bm25", "--rescore", fixture.ToyData, "--out", fixture["m_bad"]);
        Assert.Equal(1, exit);
        Assert.Equal($"--rescore {fixture.ToyData}: no config.json; expected a cross-encoder folder ('research train --method reranker' writes one).\n", error);
        (exit, _, error) = CliHarness.Run("train", "--method", "supervised", "--model", fixture.TinyBert, "--data", Path.Combine(fixture.ToyData, "toy_source.json"), "--rerank-top", "5", "--out", fixture["tr_bad"]);
        Assert.Equal(1, exit);
        Assert.Equal("--rerank-top is the number of BM25 candidates a reranker's --eval re-ranks; it needs --method reranker and --eval.\n", error);
    }

    [Fact]
    public void SupervisedTrainingOnScoredPairsIsEvaluatedOnStsAndKeepsItsBestStep()
    {
        // CoSENT on scored pairs (gold_scores) with Chinese-STS-style model selection: --eval-sts gives the main score.
        var pairs = fixture["scored_pairs.jsonl"];
        File.WriteAllLines(pairs, File.ReadLines(Path.Combine(fixture.ToyData, "toy_sts.tsv")).Skip(1).Select(l => l.Split('\t'))
            .Select(c => System.Text.Json.JsonSerializer.Serialize(new { query = c[0], pos = new[] { c[1] }, pos_scores = new[] { double.Parse(c[2], System.Globalization.CultureInfo.InvariantCulture) } })));
        File.WriteAllText(fixture["cosent_gold.json"], "{\"loss\": {\"type\": \"cosent\", \"gold_scores\": true}, \"group_size\": 1, \"batch_size\": 8, \"epochs\": 2, \"learning_rate\": 1e-3, \"evaluate_every\": 2, \"log_every\": 2}");
        var folder = fixture["cosent_gold"];
        var sts = Path.Combine(fixture.ToyData, "toy_sts.tsv");
        var (exit, stdout, error) = CliHarness.Run("train", "--config", fixture["cosent_gold.json"], "--model", fixture.TinyBert, "--data", pairs, "--eval-sts", sts, "--out", folder, "--device", "cpu");
        Assert.True(exit == 0, error);
        var evaluations = File.ReadAllLines(Path.Combine(folder, "training_log.jsonl")).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!)
            .Where(n => n["eval"]?["sts_spearman"] is not null).Select(n => n["eval"]!["sts_spearman"]!.GetValue<double>()).ToList();
        Assert.True(evaluations.Count >= 2, stdout);
        (exit, stdout, error) = CliHarness.Run("eval", "sts", "--model", folder, "--data", sts);
        Assert.True(exit == 0, error);
        Assert.Contains(evaluations.Max().ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture), stdout);
    }

    [Fact]
    public void FailedBm25BuildKeepsThePreviousIndex()
    {
        var index = fixture["bm25_keep"];
        var (exit, _, error) = CliHarness.Run("bm25", "build", "--corpus", fixture["corpus.jsonl"], "--out", index);
        Assert.True(exit == 0, error);
        (exit, _, error) = CliHarness.Run("bm25", "build", "--corpus", fixture["corpus_noid.jsonl"], "--out", index);
        Assert.Equal(1, exit);
        using var kept = Bm25Index.Open(index);
        Assert.Equal(3, kept.Count);
        Assert.Equal("d1", kept.Search("cats", 1)[0].DocId);
        Assert.Empty(Directory.EnumerateFileSystemEntries(fixture.Dir, ".bm25_keep.*"));
    }

    [Fact]
    public void EncodeThenIndexThenSearch()
    {
        var vectors = fixture["enc.npy"];
        var (exit, _, error) = CliHarness.Run("model", "encode", "--model", fixture.TinyBert, "--input", fixture["sentences.txt"], "--out", vectors, "--device", "cpu");
        Assert.True(exit == 0, error);
        var m = EmbeddingMatrix.Load(vectors);
        Assert.Equal((2, 64), (m.Rows, m.Dimension));
        var index = fixture["enc.index"];
        (exit, _, error) = CliHarness.Run("index", "build", "--embeddings", vectors, "--factory", "exact", "--out", index);
        Assert.True(exit == 0, error);
        var hits = fixture["hits.tsv"];
        (exit, _, error) = CliHarness.Run("index", "search", "--index", index, "--queries", vectors, "--k", "1", "--out", hits);
        Assert.True(exit == 0, error);
        var rows = File.ReadAllLines(hits);
        Assert.Equal("query\trank\tid\tscore", rows[0]);
        Assert.StartsWith("0\t1\t0\t", rows[1]); // each sentence finds itself first
        Assert.StartsWith("1\t1\t1\t", rows[2]);
    }

    [Fact]
    public void EncodingInBf16LoadsBf16WeightsAsTheLibraryDoes()
    {
        var vectors = fixture["enc_bf16.npy"];
        var (exit, _, error) = CliHarness.Run("model", "encode", "--model", fixture.TinyBert, "--input", fixture["sentences.txt"], "--out", vectors, "--device", "cpu", "--precision", "bf16");
        Assert.True(exit == 0, error);
        using var half = SentenceEncoder.Load(fixture.TinyBert, weights: EncodePrecision.BFloat16);
        var expected = half.EncodePassages(File.ReadAllLines(fixture["sentences.txt"]));
        Assert.Equal(expected.Data, EmbeddingMatrix.Load(vectors).Data);
        using var full = SentenceEncoder.Load(fixture.TinyBert);
        Assert.NotEqual(full.EncodePassages(File.ReadAllLines(fixture["sentences.txt"])).Data, expected.Data);
    }

    [Fact]
    public void DenseMiningInBf16MinesEveryQuery()
    {
        var output = fixture["mine_bf16"];
        var (exit, _, error) = CliHarness.Run("mine", "--input", Path.Combine(fixture.ToyData, "toy_source.json"), "--model", fixture.TinyBert, "--method", "Dense",
            "--range", "2-40", "--negatives", "5", "--replace", "--precision", "bf16", "--device", "cpu", "--out", output);
        Assert.True(exit == 0, error);
        var records = File.ReadAllLines(Path.Combine(output, "mined.jsonl"));
        Assert.Equal(File.ReadAllLines(Path.Combine(fixture.ToyData, "toy_source.json")).Count(l => l.Trim().Length > 0), records.Length);
        Assert.All(records, l => Assert.Equal(5, System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("neg").GetArrayLength()));
    }

    [Fact]
    public void ShardedMiningMergedIsByteIdenticalToTheUnshardedRun()
    {
        string[] Args(string output, params string[] extra) =>
            ["mine", "--input", Path.Combine(fixture.ToyData, "toy_source.json"), "--model", "hashed", "--method", "Hybrid", "--range", "2-40", "--negatives", "5", "--out", output, .. extra];
        var (exit, _, error) = CliHarness.Run(Args(fixture["mine_whole"]));
        Assert.True(exit == 0, error);
        for (var i = 0; i < 3; i++)
        {
            (exit, _, error) = CliHarness.Run(Args(fixture[$"mine_part{i}"], "--shard", $"{i}/3"));
            Assert.True(exit == 0, error);
        }
        (exit, _, error) = CliHarness.Run("merge", fixture["mine_part0"], fixture["mine_part1"], fixture["mine_part2"], "--out", fixture["mine_merged"]);
        Assert.True(exit == 0, error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(fixture["mine_whole"], "mined.jsonl")), File.ReadAllBytes(Path.Combine(fixture["mine_merged"], "mined.jsonl")));
        (exit, _, error) = CliHarness.Run("merge", fixture["mine_part1"], fixture["mine_part0"], fixture["mine_part2"], "--out", fixture["mine_wrong"]);
        Assert.Equal((1, $"{fixture["mine_part1"]}: is shard 1/3, expected 0/3; give every shard once, in order."), (exit, error.TrimEnd('\n')));
    }

    [Fact]
    public void ShardedEncodingMergedEqualsTheWholeAndFeedsCleaning()
    {
        var input = fixture["queries_for_clean.txt"];
        var train = Path.Combine(fixture.ToyData, "toy_source.json");
        File.WriteAllLines(input, Research.Lib.Data.TrainingExampleReader.Read(train).Select(e => e.Query));
        var (exit, _, error) = CliHarness.Run("model", "encode", "--model", fixture.TinyBert, "--input", input, "--as", "query", "--out", fixture["q_whole.npy"]);
        Assert.True(exit == 0, error);
        for (var i = 0; i < 2; i++)
        {
            (exit, _, error) = CliHarness.Run("model", "encode", "--model", fixture.TinyBert, "--input", input, "--as", "query", "--shard", $"{i}/2", "--out", fixture[$"q_part{i}.npy"]);
            Assert.True(exit == 0, error);
        }
        (exit, _, error) = CliHarness.Run("merge", fixture["q_part0.npy"], fixture["q_part1.npy"], "--out", fixture["q_merged.npy"]);
        Assert.True(exit == 0, error);
        var whole = EmbeddingMatrix.Load(fixture["q_whole.npy"]);
        var merged = EmbeddingMatrix.Load(fixture["q_merged.npy"]);
        Assert.Equal((318, 64), (merged.Rows, merged.Dimension));
        // Each part batches its own texts (other padding lengths), so the vectors agree to float rounding.
        Assert.True(whole.Data.Zip(merged.Data, (a, b) => Math.Abs(a - b)).Max() < 1e-5);
        // The hashed encoder fits its n-gram weights on the whole input in every shard, so its merged parts equal the whole exactly.
        (exit, _, error) = CliHarness.Run("model", "encode", "--model", "hashed", "--input", input, "--out", fixture["h_whole.npy"]);
        Assert.True(exit == 0, error);
        for (var i = 0; i < 2; i++)
        {
            (exit, _, error) = CliHarness.Run("model", "encode", "--model", "hashed", "--input", input, "--shard", $"{i}/2", "--out", fixture[$"h_part{i}.npy"]);
            Assert.True(exit == 0, error);
        }
        (exit, _, error) = CliHarness.Run("merge", fixture["h_part0.npy"], fixture["h_part1.npy"], "--out", fixture["h_merged.npy"]);
        Assert.True(exit == 0, error);
        Assert.Equal(EmbeddingMatrix.Load(fixture["h_whole.npy"]).Data, EmbeddingMatrix.Load(fixture["h_merged.npy"]).Data);
        (exit, _, error) = CliHarness.Run("clean", "--input", train, "--model", "hashed", "--embeddings", fixture["q_merged.npy"], "--threshold", "0.99", "--out", fixture["clean_from_vectors"]);
        Assert.True(exit == 0, error);
        Assert.Contains("\"exact_duplicates\": 6", File.ReadAllText(Path.Combine(fixture["clean_from_vectors"], "summary.json")));
    }
}
