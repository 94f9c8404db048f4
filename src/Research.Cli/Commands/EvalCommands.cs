using System.CommandLine;
using System.Globalization;
using Research.Lib.Data;
using Research.Lib.Devices;
using Research.Lib.Evaluation;
using Research.Lib.Modeling;

namespace Research.Cli.Commands;

/// <summary><c>research eval run|retrieval|sts|pairs</c>.</summary>
internal static class EvalCommands
{
    public static Command Create()
    {
        var eval = new Command("eval", "Evaluate models and runs: retrieval (trec_eval-compatible metrics), STS, pair classification.");
        eval.Subcommands.Add(Run());
        eval.Subcommands.Add(Retrieval());
        eval.Subcommands.Add(Pairs("sts", "STS: Spearman/Pearson ×100 of pair scores against gold scores (s1<TAB>s2<TAB>score)."));
        eval.Subcommands.Add(Pairs("pairs", "Pair classification: best-threshold accuracy/F1, AP for cosine, dot, euclidean, manhattan (s1<TAB>s2<TAB>0|1)."));
        return eval;
    }

    private static Option<string> KOption() => new("--k") { Description = "Cut-offs, comma-separated.", DefaultValueFactory = _ => "1,3,5,10,100" };

    private static int[] ParseKs(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(k => int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : throw new FormatException($"--k '{text}': '{k}' is not a positive integer."))
            .ToArray();

    private static Command Run()
    {
        var qrels = new Option<string>("--qrels") { Required = true, Description = "Judgments: TREC qrels (qid 0 docid grade) or BEIR .tsv." };
        var runs = new Option<string[]>("--run") { Required = true, AllowMultipleArgumentsPerToken = true, Description = "TREC run file(s) (qid Q0 docid rank score tag); several make columns side by side." };
        var ks = KOption();
        var allJudged = new Option<bool>("--all-judged") { Description = "trec_eval -c: judged queries missing from a run count as zero." };
        var out_ = new Option<string?>("--out") { Description = "Folder for MTEB-style JSON results." };
        var cmd = new Command("run", "Score TREC run files against TREC qrels, as trec_eval would, in one table.") { qrels, runs, ks, allJudged, out_ };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var judgments = TrecFiles.ReadQrels(r.GetValue(qrels)!);
            var options = new RetrievalEvaluationOptions { Ks = ParseKs(r.GetValue(ks)!), CountUnretrievedJudgedQueries = r.GetValue(allJudged) };
            var table = new MetricTable();
            // BEIR keeps qrels as <task>/qrels/<split>.trec: name the task and split after them.
            var qrelsPath = Path.GetFullPath(r.GetValue(qrels)!);
            var split = Path.GetFileNameWithoutExtension(qrelsPath);
            var parent = Path.GetDirectoryName(qrelsPath)!;
            var task = Path.GetFileName(parent) == "qrels" ? Path.GetFileName(Path.GetDirectoryName(parent)!) : split;
            foreach (var path in r.GetValue(runs)!)
            {
                var result = RetrievalEvaluation.Evaluate(TrecFiles.ReadRun(path), judgments, options);
                Console.WriteLine($"{Path.GetFileName(path)}: {result.QueryCount} queries evaluated");
                table.Add(Path.GetFileNameWithoutExtension(path), task, split,
                    result.Means, $"ndcg_at_{(options.Ks.Contains(10) ? 10 : options.Ks[0])}");
            }
            Report(table, r.GetValue(out_));
        }));
        return cmd;
    }

    private static Command Retrieval()
    {
        var model = new Option<string>("--model") { Required = true, Description = "Model folder." };
        var data = new Option<string>("--data") { Required = true, Description = "BEIR folder, or the seed's query + pos_passage JSONL (with --neg)." };
        var neg = new Option<string?>("--neg") { Description = "With a seed-format --data: the neg_passage JSONL." };
        var split = new Option<string>("--split") { Description = "BEIR qrels split.", DefaultValueFactory = _ => "test" };
        var topK = new Option<int>("--top-k") { Description = "Documents retrieved per query.", DefaultValueFactory = _ => 1000 };
        var ks = KOption();
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 32 };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu" };
        var out_ = new Option<string>("--out") { Required = true, Description = "Folder for run.trec, qrels.trec and MTEB-style JSON." };
        var cmd = new Command("retrieval", "Encode queries and corpus, search exactly, score (trec_eval-compatible); writes the TREC run and qrels.")
        {
            model, data, neg, split, topK, ks, batch, device, out_,
        };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var path = r.GetValue(data)!;
            var dataset = Directory.Exists(path) ? BeirReader.Read(path, r.GetValue(split)!) : QueryPassageEvalReader.Read(path, r.GetValue(neg));
            var modelDir = r.GetValue(model)!;
            using var encoder = SentenceEncoder.Load(modelDir, DeviceSpec.Parse(r.GetValue(device)!));
            var outDir = r.GetValue(out_)!;
            Directory.CreateDirectory(outDir);
            var modelName = Path.GetFileName(Path.GetFullPath(modelDir).TrimEnd('/'));
            var (result, _) = RetrievalEvaluator.Evaluate(encoder, dataset, r.GetValue(topK), new EncodeOptions { BatchSize = r.GetValue(batch) },
                new RetrievalEvaluationOptions { Ks = ParseKs(r.GetValue(ks)!) }, Path.Combine(outDir, "run.trec"), Path.Combine(outDir, "qrels.trec"), modelName);
            var task = Path.GetFileNameWithoutExtension(Path.GetFullPath(path).TrimEnd('/'));
            Report(new MetricTable().Add(modelName, task, Directory.Exists(path) ? r.GetValue(split)! : "dev", result.Means,
                result.Means.ContainsKey(RetrievalEvaluator.MainScore) ? RetrievalEvaluator.MainScore : result.Means.Keys.First()), outDir);
            Console.WriteLine($"{result.QueryCount} queries, {dataset.Corpus.Count} documents; TREC run and qrels in {outDir}");
        }));
        return cmd;
    }

    private static Command Pairs(string name, string description)
    {
        var model = new Option<string>("--model") { Required = true };
        var data = new Option<string>("--data") { Required = true };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu" };
        var out_ = new Option<string?>("--out") { Description = "Folder for MTEB-style JSON results." };
        var cmd = new Command(name, description) { model, data, device, out_ };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var pairs = TextPairReader.Read(r.GetValue(data)!).ToList();
            var modelDir = r.GetValue(model)!;
            using var encoder = SentenceEncoder.Load(modelDir, DeviceSpec.Parse(r.GetValue(device)!));
            var metrics = name == "sts" ? StsEvaluator.Evaluate(encoder, pairs) : PairClassificationEvaluator.Evaluate(encoder, pairs);
            var task = Path.GetFileNameWithoutExtension(r.GetValue(data)!);
            Report(new MetricTable().Add(Path.GetFileName(Path.GetFullPath(modelDir).TrimEnd('/')), task, "test", metrics, "main_score"), r.GetValue(out_));
        }));
        return cmd;
    }

    private static void Report(MetricTable table, string? outDir)
    {
        Console.Write(table.ToMarkdown());
        if (outDir is not null)
            foreach (var path in table.WriteMtebJson(outDir)) Console.WriteLine($"wrote {path}");
    }
}
