using System.CommandLine;
using System.Globalization;
using Research.Lib.Data;
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
        eval.Subcommands.Add(Suite());
        eval.Subcommands.Add(Summary());
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
        var perQuery = PerQueryOption();
        var cmd = new Command("run", "Score TREC run files against TREC qrels, as trec_eval would, in one table.") { qrels, runs, ks, allJudged, out_, perQuery };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var judgments = TrecFiles.ReadQrels(r.GetValue(qrels)!);
            var options = new RetrievalEvaluationOptions { Ks = ParseKs(r.GetValue(ks)!), CountUnretrievedJudgedQueries = r.GetValue(allJudged) };
            var table = new MetricTable();
            var (task, split) = EvaluationNaming.FromQrels(r.GetValue(qrels)!);
            var perQueryRows = new List<(string Run, RetrievalResult Result)>();
            foreach (var path in r.GetValue(runs)!)
            {
                var result = RetrievalEvaluation.Evaluate(TrecFiles.ReadRun(path), judgments, options);
                if (result.QueryCount == 0)
                    throw new InvalidDataException($"--run {path}: none of its queries is judged in {r.GetValue(qrels)}; are they the run and qrels of the same data?");
                Console.WriteLine($"{Path.GetFileName(path)}: {result.QueryCount} queries evaluated");
                table.Add(Path.GetFileNameWithoutExtension(path), task, split,
                    result.Means, $"ndcg_at_{(options.Ks.Contains(10) ? 10 : options.Ks[0])}");
                perQueryRows.Add((Path.GetFileNameWithoutExtension(path), result));
            }
            Report(table, r.GetValue(out_));
            if (r.GetValue(perQuery) is { } perQueryPath)
                WritePerQuery(perQueryPath, perQueryRows);
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
        var device = CliOptions.Device();
        var precision = CliOptions.Precision();
        var out_ = new Option<string>("--out") { Required = true, Description = "Folder for run.trec, qrels.trec and MTEB-style JSON." };
        var perQuery = PerQueryOption();
        var cmd = new Command("retrieval", "Encode queries and corpus, search exactly, score (trec_eval-compatible); writes the TREC run and qrels.")
        {
            model, data, neg, split, topK, ks, batch, device, precision, out_, perQuery,
        };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var path = r.GetValue(data)!;
            var k = CliOptions.Positive("--top-k", r.GetValue(topK));
            var batchSize = CliOptions.Positive("--batch-size", r.GetValue(batch));
            var encodePrecision = CliOptions.ParsePrecision(r.GetValue(precision)!);
            var evaluation = new RetrievalEvaluationOptions { Ks = ParseKs(r.GetValue(ks)!) };
            if (r.GetValue(neg) is not null && Directory.Exists(path))
                throw new ArgumentException($"--neg is for the seed's JSONL evaluation files; {path} is a BEIR folder.");
            var outDir = r.GetValue(out_)!;
            if (File.Exists(outDir))
                throw new IOException($"--out {outDir}: is a file; expected a folder for run.trec, qrels.trec and the JSON results.");
            var dataset = Directory.Exists(path) ? BeirReader.Read(path, r.GetValue(split)!) : QueryPassageEvalReader.Read(path, r.GetValue(neg));
            if (dataset.Queries.Count == 0)
                throw new InvalidDataException($"--data {path}: no judged queries to evaluate.");
            var modelDir = r.GetValue(model)!;
            using var encoder = SentenceEncoder.Load(modelDir, CliOptions.ParseDevice(r.GetValue(device)!), weights: encodePrecision); // evaluation never trains
            Directory.CreateDirectory(outDir);
            var modelName = EvaluationNaming.Model(modelDir);
            var (result, _) = RetrievalEvaluator.Evaluate(encoder, dataset, k, new EncodeOptions { BatchSize = batchSize, Precision = encodePrecision },
                evaluation, Path.Combine(outDir, "run.trec"), Path.Combine(outDir, "qrels.trec"), modelName);
            Report(result.ToTable(modelName, EvaluationNaming.Task(path), Directory.Exists(path) ? r.GetValue(split)! : "dev"), outDir);
            if (r.GetValue(perQuery) is { } perQueryPath)
                WritePerQuery(perQueryPath, [(modelName, result)]);
            Console.WriteLine($"{result.QueryCount} queries, {dataset.Corpus.Count} documents; TREC run and qrels in {outDir}");
        }));
        return cmd;
    }

    private static Command Pairs(string name, string description)
    {
        var model = new Option<string>("--model") { Required = true, Description = "Model folder, or 'hashed' for the model-free n-gram TF-IDF encoder (idf fitted on the pairs' sentences)." };
        var data = new Option<string>("--data") { Required = true };
        var device = CliOptions.Device();
        var out_ = new Option<string?>("--out") { Description = "Folder for MTEB-style JSON results." };
        var cmd = new Command(name, description) { model, data, device, out_ };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var dataPath = r.GetValue(data)!;
            var pairs = (name == "sts" ? TextPairReader.Read(dataPath) : TextPairReader.ReadBinary(dataPath)).ToList();
            if (pairs.Count == 0)
                throw new InvalidDataException($"--data {dataPath}: no pairs; the file is empty.");
            var modelDir = r.GetValue(model)!;
            // "hashed": the model-free n-gram TF-IDF encoder, its idf fitted on the evaluated sentences (no labels).
            var encoder = EncoderLoader.Load(modelDir, CliOptions.ParseDevice(r.GetValue(device)!), fitTexts: () => pairs.SelectMany(p => new[] { p.Sentence1, p.Sentence2 }).ToList());
            using var owner = encoder as IDisposable;
            var metrics = name == "sts" ? StsEvaluator.Evaluate(encoder, pairs) : PairClassificationEvaluator.Evaluate(encoder, pairs);
            Report(new MetricTable().Add(EvaluationNaming.Model(modelDir), EvaluationNaming.Task(dataPath), "test", metrics, "main_score"), r.GetValue(out_));
        }));
        return cmd;
    }

    private static Command Suite()
    {
        var models = new Option<string[]>("--model")
        {
            Required = true,
            AllowMultipleArgumentsPerToken = true,
            Description = "Model folder(s), or the baselines 'hashed' (model-free n-gram TF-IDF) and 'bm25' (retrieval and reranking only); a cross-encoder (reranker) folder re-ranks --first-stage's top --rerank-top on retrieval tasks.",
        };
        var firstStage = new Option<string?>("--first-stage") { Description = "Rerankers on retrieval tasks: the first stage whose top candidates they re-rank, bm25 (default) or a bi-encoder folder." };
        var rerankTop = new Option<int?>("--rerank-top") { Description = "Rerankers on retrieval tasks: candidates per query taken from the first stage (default 100)." };
        var tasks = new Option<string>("--tasks") { Required = true, Description = "Task list JSON: {\"tasks\": [{\"name\", \"type\" (Retrieval, Reranking, STS, PairClassification), \"data\", \"neg\"?, \"split\"?, \"languages\"?}]}." };
        var name = new Option<string?>("--name") { Description = "With one --model: the name its results are filed under (default: the folder's name)." };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 32 };
        var device = CliOptions.Device();
        var precision = CliOptions.Precision();
        var out_ = new Option<string>("--out") { Required = true, Description = "Results folder (mteb layout: MODEL/REVISION/TASK.json); summary.md and summary.csv cover every model in it." };
        var cmd = new Command("suite", "MTEB-style evaluation of one or more models on local tasks: one mteb results JSON per task, and a summary table across models.")
        {
            models, tasks, name, batch, device, precision, out_, firstStage, rerankTop,
        };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var specs = r.GetValue(models)!;
            if (r.GetValue(name) is not null && specs.Length != 1)
                throw new ArgumentException($"--name names one model's results; {specs.Length} models were given.");
            var taskList = EvalSuite.ReadTasks(r.GetValue(tasks)!);
            var outDir = r.GetValue(out_)!;
            if (File.Exists(outDir)) throw new IOException($"--out {outDir}: is a file; expected a results folder.");
            var options = new EncodeOptions { BatchSize = CliOptions.Positive("--batch-size", r.GetValue(batch)), Precision = CliOptions.ParsePrecision(r.GetValue(precision)!) };
            var rerankers = specs.Where(s => Directory.Exists(s) && CrossEncoder.IsCrossEncoderFolder(s)).ToList();
            if ((r.GetValue(firstStage) is not null || r.GetValue(rerankTop) is not null) && rerankers.Count == 0)
                throw new ArgumentException($"{(r.GetValue(firstStage) is not null ? "--first-stage" : "--rerank-top")}: no --model is a cross-encoder (reranker) folder; only a reranker re-ranks a first stage.");
            foreach (var spec in specs)
            {
                var isReranker = rerankers.Contains(spec);
                using var model = EvalSuiteModel.Load(spec, CliOptions.ParseDevice(r.GetValue(device)!), r.GetValue(name), options.Precision,
                    isReranker ? r.GetValue(firstStage) : null, isReranker ? r.GetValue(rerankTop) : null);
                EvalSuite.Run(model, taskList, outDir, options, Console.WriteLine);
            }
            var summary = EvalSuiteSummary.Load(outDir);
            Console.Write(summary.ToMarkdown());
            foreach (var path in summary.Write(outDir)) Console.WriteLine($"wrote {path}");
        }));
        return cmd;
    }

    private static Command Summary()
    {
        var results = new Argument<string>("results") { Description = "A results folder written by 'research eval suite' (or mteb)." };
        var cmd = new Command("summary", "Tabulate an mteb-layout results folder across models: main scores ×100 and their average; writes summary.md and summary.csv.") { results };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var summary = EvalSuiteSummary.Load(r.GetValue(results)!);
            if (summary.Results.Count == 0) throw new InvalidDataException($"{r.GetValue(results)}: no results files (MODEL/REVISION/TASK.json).");
            Console.Write(summary.ToMarkdown());
            foreach (var path in summary.Write(r.GetValue(results)!)) Console.WriteLine($"wrote {path}");
        }));
        return cmd;
    }

    private static Option<string?> PerQueryOption() =>
        new("--per-query") { Description = "TSV file for per-query values (run, query, metric, value), as trec_eval -q; means under query 'all'." };

    private static void WritePerQuery(string path, IReadOnlyList<(string Run, RetrievalResult Result)> results)
    {
        RetrievalResult.WritePerQuery(path, results);
        Console.WriteLine($"per-query values -> {path}");
    }

    private static void Report(MetricTable table, string? outDir)
    {
        Console.Write(table.ToMarkdown());
        if (outDir is not null)
            foreach (var path in table.WriteMtebJson(outDir)) Console.WriteLine($"wrote {path}");
    }
}
