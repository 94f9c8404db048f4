using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.Data;
using Research.Lib.IO;
using Research.Lib.Modeling;
using Research.Lib.Search;

namespace Research.Lib.Evaluation;

/// <summary>
/// MTEB-style evaluation over local data: reads a task list (<see cref="ReadTasks"/>), runs each task for a model
/// (<see cref="Evaluate"/>) and files the results as the mteb package does, one <c>{task}.json</c> per task under
/// <c>{results}/{model}/{revision}/</c> with a <c>model_meta.json</c> beside them (<see cref="Run"/>).
/// <see cref="EvalSuiteSummary"/> tabulates a results folder across models.
/// </summary>
public static class EvalSuite
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// Reads a task list: <c>{"tasks": [{"name", "type", "data", "neg"?, "split"?, "languages"?}, ...]}</c> (or the
    /// bare list), with data paths relative to the file. Errors name the file, the task and the field.
    /// </summary>
    public static IReadOnlyList<EvalTaskSpec> ReadTasks(string path)
    {
        if (Directory.Exists(path)) throw new InvalidDataException($"--tasks {path}: is a folder; expected a task list JSON file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"--tasks {path}: file not found.", path);
        var root = JsonFile.Parse(path);
        var list = root switch
        {
            JsonArray a => a,
            JsonObject o when o["tasks"] is JsonArray a => a,
            _ => throw new InvalidDataException($"{path}: expected {{\"tasks\": [...]}} or a list of tasks."),
        };
        if (list.Count == 0) throw new InvalidDataException($"{path}: the task list is empty.");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var tasks = new List<EvalTaskSpec>();
        foreach (var node in list)
        {
            var where = $"{path}: tasks[{tasks.Count}]";
            if (node is not JsonObject t) throw new InvalidDataException($"{where}: expected an object.");
            string? Str(string key, bool required)
            {
                if (t[key] is null) return required ? throw new InvalidDataException($"{where}: field '{key}' is missing.") : null;
                return t[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Trim().Length > 0 ? s : throw new InvalidDataException($"{where}: field '{key}': expected a non-empty string.");
            }
            foreach (var (key, _) in t)
                if (key is not ("name" or "type" or "data" or "neg" or "split" or "languages"))
                    throw new InvalidDataException($"{where}: unknown field '{key}' (fields: name, type, data, neg, split, languages).");
            var name = Str("name", true)!;
            if (tasks.Any(x => x.Name == name)) throw new InvalidDataException($"{where}: field 'name': '{name}' is used by an earlier task.");
            var typeText = Str("type", true)!;
            if (!Enum.TryParse<EvalTaskType>(typeText, ignoreCase: true, out var type) || int.TryParse(typeText, out _))
                throw new InvalidDataException($"{where} ({name}): field 'type': '{typeText}' is not one of {string.Join(", ", Enum.GetNames<EvalTaskType>())}.");
            string Resolve(string p) => Path.GetFullPath(Path.Combine(folder, p));
            var data = Resolve(Str("data", true)!);
            if (!File.Exists(data) && !(type == EvalTaskType.Retrieval && Directory.Exists(data)))
                throw new InvalidDataException($"{where} ({name}): field 'data': {data} does not exist.");
            var neg = Str("neg", false) is { } n ? Resolve(n) : null;
            if (neg is not null && (type != EvalTaskType.Retrieval || Directory.Exists(data)))
                throw new InvalidDataException($"{where} ({name}): field 'neg' is for a Retrieval task over the seed's query/pos_passage JSONL.");
            if (neg is not null && !File.Exists(neg)) throw new InvalidDataException($"{where} ({name}): field 'neg': {neg} does not exist.");
            var languages = new List<string>();
            if (t["languages"] is { } langs)
            {
                if (langs is not JsonArray la || la.Any(l => l is not JsonValue lv || !lv.TryGetValue<string>(out _)))
                    throw new InvalidDataException($"{where} ({name}): field 'languages': expected a list of strings such as [\"eng-Latn\"].");
                languages.AddRange(la.Select(l => l!.GetValue<string>()));
            }
            tasks.Add(new EvalTaskSpec(name, type, data, Str("split", false) ?? "test", neg, languages));
        }
        return tasks;
    }

    /// <summary>
    /// Evaluates every task the model supports and writes <c>{results}/{model}/{revision}/{task}.json</c> and
    /// <c>model_meta.json</c>; per-query values of ranking tasks go to <c>{results}/{model}/{revision}/per_query/{task}.tsv</c>
    /// (run, query, metric, value). Returns the results in task order; <paramref name="log"/> hears one line per task.
    /// </summary>
    public static IReadOnlyList<MtebTaskResult> Run(EvalSuiteModel model, IReadOnlyList<EvalTaskSpec> tasks, string resultsDirectory,
        EncodeOptions? options = null, Action<string>? log = null, string revision = MtebTaskResult.NoRevision)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tasks);
        var modelDir = Path.Combine(resultsDirectory, MtebTaskResult.SafeName(model.Name));
        var createdFolders = new[] { resultsDirectory, modelDir }.Where(d => !Directory.Exists(d)).ToList();
        var results = new List<MtebTaskResult>();
        try
        {
            // The model's folder (every task's JSON, per_query/, model_meta.json) appears whole, replacing an earlier run's, or not at all.
            AtomicDirectory.Write(Path.Combine(modelDir, MtebTaskResult.SafeName(revision)), dir =>
            {
                WriteModelMeta(model, tasks, dir, revision);
                foreach (var task in tasks)
                {
                    if (!model.Supports(task.Type))
                    {
                        log?.Invoke($"{model.Name} / {task.Name}: skipped ({model.Spec} has no embeddings for {task.Type} tasks)");
                        continue;
                    }
                    var result = Evaluate(model, task, options, Path.Combine(dir, "per_query", MtebTaskResult.SafeName(task.Name) + ".tsv"));
                    result.Write(dir);
                    log?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"{model.Name} / {task.Name} ({task.Type}, {task.Split}): {task.MainScore} {result.MainScore(task.Split):0.0000} in {result.EvaluationTime:0.0} s"));
                    results.Add(result);
                }
            });
        }
        catch
        {
            // Folders this call made and left empty go too: a failed run leaves the results folder as it found it.
            foreach (var folder in Enumerable.Reverse(createdFolders))
                if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
            throw;
        }
        return results;
    }

    /// <summary>Runs one task; <paramref name="perQueryPath"/> (ranking tasks) receives the per-query values.</summary>
    public static MtebTaskResult Evaluate(EvalSuiteModel model, EvalTaskSpec task, EncodeOptions? options = null, string? perQueryPath = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        if (!model.Supports(task.Type)) throw new ArgumentException($"{model.Spec} cannot be evaluated on {task.Type} task {task.Name}.");
        var clock = Stopwatch.StartNew();
        IReadOnlyDictionary<string, double> metrics;
        switch (task.Type)
        {
            case EvalTaskType.Retrieval:
                {
                    var data = Directory.Exists(task.Data) ? BeirReader.Read(task.Data, task.Split) : QueryPassageEvalReader.Read(task.Data, task.Neg);
                    if (data.Queries.Count == 0) throw new InvalidDataException($"{task.Name}: {task.Data} has no judged queries for split '{task.Split}'.");
                    var run = model.Reranker is { } reranker
                        ? RerankingEvaluator.Rerank(reranker, data, FirstStageRun(model.FirstStage!, data, task, model.RerankTop, options), model.RerankTop, options?.BatchSize ?? 32)
                        : FirstStageRun(model, data, task, 1000, options);
                    metrics = Score(run, data.Qrels, model.Name, perQueryPath);
                    break;
                }
            case EvalTaskType.Reranking:
                metrics = Rerank(model, task, options, perQueryPath);
                break;
            case EvalTaskType.STS:
                {
                    var pairs = TextPairReader.Read(task.Data).ToList();
                    var sts = StsEvaluator.Evaluate(model.EncoderFor(pairs.SelectMany(p => new[] { p.Sentence1, p.Sentence2 })), pairs, options);
                    // The kit reports correlations ×100 (as papers and the MTEB leaderboard show them); mteb's files hold fractions.
                    metrics = sts.ToDictionary(kv => kv.Key, kv => kv.Value / 100);
                    break;
                }
            default:
                {
                    var pairs = TextPairReader.ReadBinary(task.Data).ToList();
                    metrics = PairClassificationEvaluator.Evaluate(model.EncoderFor(pairs.SelectMany(p => new[] { p.Sentence1, p.Sentence2 })), pairs, options);
                    break;
                }
        }
        var entry = new MtebSplitScores("default", task.Languages, metrics[task.MainScore],
            metrics.Where(kv => kv.Key != "main_score").ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));
        return new MtebTaskResult(task.Name, DataRevision(task),
            new Dictionary<string, IReadOnlyList<MtebSplitScores>> { [task.Split] = [entry] }, Math.Round(clock.Elapsed.TotalSeconds, 3));
    }

    /// <summary>A local data set's revision: the first 12 hex digits of the SHA-256 of its files (name and bytes, in order).</summary>
    public static string DataRevision(EvalTaskSpec task)
    {
        var files = Directory.Exists(task.Data)
            ? Directory.EnumerateFiles(task.Data, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : new List<string> { task.Data };
        if (task.Neg is not null) files.Add(task.Neg);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var root = Directory.Exists(task.Data) ? task.Data : Path.GetDirectoryName(task.Data)!;
        foreach (var file in files)
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(root, file) + "\n"));
            using var stream = File.OpenRead(file);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = stream.Read(buffer)) > 0) sha.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..12];
    }

    private static Dictionary<string, double> Score(IReadOnlyDictionary<string, IReadOnlyList<ScoredDocument>> run,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> qrels, string runName, string? perQueryPath)
    {
        var result = RetrievalEvaluation.Evaluate(run, qrels);
        if (perQueryPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(perQueryPath))!);
            result.WritePerQuery(perQueryPath, runName);
        }
        return result.Means.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }

    /// <summary>A bi-encoder's or BM25's ranking of a retrieval task's corpus, top <paramref name="k"/> per query.</summary>
    private static Dictionary<string, IReadOnlyList<ScoredDocument>> FirstStageRun(EvalSuiteModel model, RetrievalDataset data, EvalTaskSpec task, int k, EncodeOptions? options) =>
        model.IsBm25
            ? RerankingEvaluator.Bm25FirstStage(data, k, Bm25AnalyzerFor(task.Languages))
            : RetrievalEvaluator.Evaluate(model.EncoderFor(data.Corpus.Select(d => d.FullText).Concat(data.Queries.Select(q => q.Text))), data, k, options).Run;

    private static Dictionary<string, IReadOnlyList<ScoredDocument>> Bm25Run(IEnumerable<(string Id, string Text)> queries,
        IEnumerable<(string Id, string Text)> documents, IReadOnlyList<string> languages, int k)
    {
        using var index = Bm25Index.Build(documents, new Bm25Options { Analyzer = Bm25AnalyzerFor(languages) });
        return queries.ToDictionary(q => q.Id, q => index.Search(q.Text, k), StringComparer.Ordinal);
    }

    /// <summary>BM25's analyzer for a task's languages: CJK for Chinese, Japanese, Korean; English stemming when every language is English; otherwise the standard one.</summary>
    private static Bm25Analyzer Bm25AnalyzerFor(IReadOnlyList<string> languages) =>
        languages.Any(l => l.Split('-')[0] is "cmn" or "zho" or "yue" or "jpn" or "kor") ? Bm25Analyzer.Cjk
            : languages.Count > 0 && languages.All(l => l.StartsWith("eng", StringComparison.Ordinal)) ? Bm25Analyzer.English
            : Bm25Analyzer.Standard;

    /// <summary>Reranking: each query's own positives and negatives, ranked by the model; MAP (main), MRR@10, nDCG@10.</summary>
    private static Dictionary<string, double> Rerank(EvalSuiteModel model, EvalTaskSpec task, EncodeOptions? options, string? perQueryPath)
    {
        var examples = TrainingExampleReader.Read(task.Data).ToList();
        var withNegatives = examples.Where(e => e.Neg.Count > 0).ToList();
        if (withNegatives.Count == 0) throw new InvalidDataException($"{task.Name}: {task.Data} has no query with negatives to rerank.");
        var qrels = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        var candidates = new Dictionary<string, List<(string Id, string Text)>>(StringComparer.Ordinal);
        for (var i = 0; i < withNegatives.Count; i++)
        {
            var qid = $"q{i + 1}";
            var texts = withNegatives[i].Pos.Concat(withNegatives[i].Neg).Distinct(StringComparer.Ordinal).ToList();
            candidates[qid] = texts.Select((t, j) => ($"{qid}-c{j + 1}", t)).ToList();
            var positives = withNegatives[i].Pos.ToHashSet(StringComparer.Ordinal);
            qrels[qid] = candidates[qid].ToDictionary(c => c.Id, c => positives.Contains(c.Text) ? 1 : 0, StringComparer.Ordinal);
        }
        var run = new Dictionary<string, IReadOnlyList<ScoredDocument>>(StringComparer.Ordinal);
        if (model.IsBm25)
        {
            foreach (var (qid, cands) in candidates)
            {
                var hits = Bm25Run([(qid, withNegatives[int.Parse(qid[1..]) - 1].Query)], cands, task.Languages, cands.Count)[qid];
                var found = hits.Select(h => h.DocId).ToHashSet(StringComparer.Ordinal);
                // Candidates sharing no term with the query score 0 and rank last.
                run[qid] = hits.Concat(cands.Where(c => !found.Contains(c.Id)).Select(c => new ScoredDocument(c.Id, 0))).ToList();
            }
        }
        else if (model.Reranker is { } reranker)
        {
            var pairs = candidates.Values.SelectMany((cands, i) => cands.Select(c => (withNegatives[i].Query, c.Text))).ToList();
            var scores = reranker.Predict(pairs, options?.BatchSize ?? 32);
            var at = 0;
            foreach (var (qid, cands) in candidates)
            {
                run[qid] = cands.Select((c, j) => new ScoredDocument(c.Id, scores[at + j])).ToList();
                at += cands.Count;
            }
        }
        else
        {
            var passages = candidates.Values.SelectMany(c => c.Select(x => x.Text)).Distinct(StringComparer.Ordinal).ToList();
            var row = passages.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i, StringComparer.Ordinal);
            var encoder = model.EncoderFor(passages.Concat(withNegatives.Select(e => e.Query)));
            var q = encoder.EncodeQueries(withNegatives.Select(e => e.Query).ToList(), options);
            var p = encoder.EncodePassages(passages, options);
            var i = 0;
            foreach (var (qid, cands) in candidates)
            {
                var qi = i++;
                run[qid] = cands.Select(c => new ScoredDocument(c.Id, Dot(q.Row(qi), p.Row(row[c.Text])))).ToList();
            }
        }
        var all = Score(run, qrels, model.Name, perQueryPath);
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["map"] = all["map"],
            ["mrr"] = all["mrr"],
            ["mrr_at_10"] = all["mrr_at_10"],
            ["ndcg_at_10"] = all["ndcg_at_10"],
            ["hit_rate_at_1"] = all["hit_rate_at_1"],
            ["precision_at_1"] = all["precision_at_1"],
        };
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }

    private static void WriteModelMeta(EvalSuiteModel model, IReadOnlyList<EvalTaskSpec> tasks, string dir, string revision)
    {
        var encoder = model.Encoder ?? model.Reranker?.Encoder;
        var meta = new JsonObject
        {
            ["name"] = model.Name,
            ["revision"] = revision,
            ["release_date"] = null,
            ["languages"] = new JsonArray(tasks.SelectMany(t => t.Languages).Distinct().Select(l => (JsonNode)JsonValue.Create(l)!).ToArray()),
            ["n_parameters"] = encoder is null ? null : encoder.Model.parameters().Sum(p => p.numel()) + (model.Reranker?.Head.parameters().Sum(p => p.numel()) ?? 0),
            ["embed_dim"] = model.Reranker is null ? encoder?.Dimension : null,
            ["max_tokens"] = encoder?.Settings.MaxSeqLength,
            ["similarity_fn_name"] = model.IsBm25 || model.Reranker is not null ? null : "cosine",
            ["framework"] = new JsonArray("research-kit"),
            ["source"] = Directory.Exists(model.Spec) ? Path.GetFullPath(model.Spec) : model.Spec,
            ["evaluated_with"] = "research-kit " + (typeof(EvalSuite).Assembly.GetName().Version?.ToString() ?? "unknown"),
        };
        if (model.Reranker is not null)
        {
            // A cross-encoder's retrieval figures depend on the candidates it was given.
            meta["model_type"] = new JsonArray("cross-encoder");
            meta["first_stage"] = model.FirstStage!.Spec is var s && Directory.Exists(s) ? Path.GetFullPath(s) : model.FirstStage!.Spec;
            meta["rerank_top"] = model.RerankTop;
        }
        AtomicFile.WriteAllText(Path.Combine(dir, "model_meta.json"), meta.ToJsonString(Indented) + "\n");
    }
}
