using System.CommandLine;
using System.Globalization;
using Research.Lib.Cleaning;
using Research.Lib.Data;
using Research.Lib.Mining;
using Research.Lib.Modeling;

namespace Research.Cli.Commands;

/// <summary><c>research clean</c> (near-duplicate queries, leakage) and <c>research mine</c> (hard negatives).</summary>
internal static class CleanMineCommands
{
    private static Option<string> ModelOption() => new("--model")
    {
        Required = true,
        Description = "Model folder, or 'hashed' for the model-free hashed n-gram TF-IDF encoder (fitted on the input).",
    };

    private static Option<string?> DevicesOption() => new("--devices")
    {
        Description = "Encode on several devices at once, one model replica each: cuda:0,cuda:1,... (overrides --device).",
    };

    /// <summary>A model folder's encoder (replicated over --devices when given), or the hashed encoder fitted on <paramref name="fitTexts"/>.</summary>
    /// <paramref name="precision"/> (--precision) bf16 / fp16 loads the folder's weights in that type, so every vector is computed in it.
    private static (IEmbeddingEncoder Encoder, IDisposable? Owner) LoadEncoder(string model, string device, string? devices, string precision, Func<IEnumerable<string>> fitTexts)
    {
        var weights = CliOptions.ParsePrecision(precision);
        if (model == EncoderLoader.Hashed && weights != EncodePrecision.Float32)
            throw new ArgumentException($"--precision {precision}: the hashed encoder has no weights to hold in half precision; it takes only fp32.");
        var encoder = EncoderLoader.Load(model, CliOptions.ParseDevice(device), devices is { Length: > 0 } ? ReplicatedEncoder.ParseDevices(devices) : null, weights, fitTexts);
        return (encoder, encoder as IDisposable);
    }

    public static Command Clean()
    {
        var input = new Option<string>("--input") { Required = true, Description = "Training JSONL (query, pos, neg)." };
        var model = ModelOption();
        var threshold = new Option<double>("--threshold") { Description = "Cosine above which two queries are near duplicates (the seed's example: 0.70).", DefaultValueFactory = _ => 0.70 };
        var noExact = new Option<bool>("--keep-exact") { Description = "Do not remove exact duplicates (after normalization) before embedding." };
        var merge = new Option<bool>("--merge-positives") { Description = "Give the kept query of a group the union of the group's positives." };
        var evalQueries = new Option<string?>("--eval-queries") { Description = "Leakage check: evaluation queries (BEIR queries.jsonl or one per line)." };
        var evalPassages = new Option<string?>("--eval-passages") { Description = "Leakage check: evaluation passages (BEIR corpus.jsonl or one per line); training queries equal to one leak." };
        var removeLeaks = new Option<bool>("--remove-leaks") { Description = "Drop the leaking training records (default: report them only)." };
        var device = CliOptions.Device();
        var devices = DevicesOption();
        var precision = CliOptions.Precision();
        var embeddings = new Option<string?>("--embeddings") { Description = "Precomputed query vectors, one row per record (from 'research model encode --as query', possibly sharded and merged); --model then only serves the leakage check." };
        var index = new Option<string>("--index") { Description = "Flat (exact); IVF for millions of queries (4·sqrt(n) k-means lists); or a Faiss factory string such as IVF4096,Flat.", DefaultValueFactory = _ => "Flat" };
        var nprobe = new Option<int>("--nprobe") { Description = "Inverted lists an IVF index searches per query (more finds more near duplicates, slower).", DefaultValueFactory = _ => 16 };
        var outDir = new Option<string>("--out") { Required = true, Description = "Folder for cleaned.jsonl, dropped.tsv, leakage.tsv and summary.json (written whole)." };
        var cmd = new Command("clean", "Remove exact and near-duplicate queries (embedding + Faiss range search, connected components); report every dropped query and any leak into the evaluation set.")
        {
            input, model, threshold, noExact, merge, evalQueries, evalPassages, removeLeaks, device, devices, precision, embeddings, index, nprobe, outDir,
        };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var options = new QueryCleanerOptions { Threshold = CheckThreshold(r.GetValue(threshold)), RemoveExactDuplicates = !r.GetValue(noExact), MergePositives = r.GetValue(merge), Index = r.GetValue(index)!, Nprobe = CheckNprobe(r.GetValue(nprobe)) };
            var path = r.GetValue(input)!;
            var examples = CliProgress.OverFile($"reading {Path.GetFileName(path)}", path, p => TrainingExampleReader.Read(path, ReadOptions.Strict with { BytesRead = p }).ToList());
            var queries = r.GetValue(evalQueries) is { } qp ? CorpusReader.ReadQueries(qp).Select(q => q.Text).ToList() : [];
            var passages = r.GetValue(evalPassages) is { } pp ? CorpusReader.ReadDocuments(pp).Select(d => d.FullText).ToList() : [];
            var vectors = r.GetValue(embeddings) is { } ep ? EmbeddingMatrix.Load(ep) : null;
            CleaningRun.CheckInputs(examples.Count, path, queries.Count + passages.Count > 0, r.GetValue(removeLeaks));
            var (encoder, owner) = LoadEncoder(r.GetValue(model)!, r.GetValue(device)!, r.GetValue(devices), r.GetValue(precision)!, () => examples.Select(e => e.Query).Concat(queries));
            using (owner)
            {
                var run = CliProgress.OverCount("cleaning", examples.Count, p => CleaningRun.Run(examples, path, encoder, r.GetValue(model)!, options, vectors, r.GetValue(embeddings), queries, passages, r.GetValue(removeLeaks), p));
                run.Write(r.GetValue(outDir)!);
                Console.WriteLine(run.Describe(r.GetValue(outDir)!));
            }
        }));
        return cmd;
    }

    public static Command Mine()
    {
        var input = new Option<string>("--input") { Required = true, Description = "Training JSONL (query, pos, neg)." };
        var model = ModelOption();
        model.Required = false; // --method Bm25 needs none
        model.Description += " Required for Dense and Hybrid; Bm25 uses none.";
        var method = new Option<MiningMethod>("--method") { Description = "Dense, Bm25 or Hybrid.", DefaultValueFactory = _ => MiningMethod.Dense };
        var corpus = new Option<string?>("--corpus") { Description = "Candidate passages (BEIR corpus.jsonl or one per line); default: every passage of the input." };
        var range = new Option<string>("--range") { Description = "Ranks START-END (0-based, END excluded) to sample from, FlagEmbedding's range_for_sampling.", DefaultValueFactory = _ => "10-210" };
        var count = new Option<int>("--negatives") { Description = "Negatives per query (FlagEmbedding's negative_number).", DefaultValueFactory = _ => 15 };
        var sampling = new Option<NegativeSampling>("--sampling") { Description = "Random (FlagEmbedding) or Top (the hardest).", DefaultValueFactory = _ => NegativeSampling.Random };
        var maxScore = new Option<double?>("--max-score") { Description = "Drop candidates scoring at or above this." };
        var margin = new Option<double?>("--margin") { Description = "Drop candidates scoring above the positive's score minus this margin." };
        var ratio = new Option<double?>("--max-score-ratio") { Description = "Drop candidates scoring above this fraction of the positive's score (e.g. 0.95)." };
        var replace = new Option<bool>("--replace") { Description = "Replace the records' existing negatives (default: keep them, add the mined ones)." };
        var noPad = new Option<bool>("--no-pad") { Description = "Do not pad with random passages when too few candidates survive." };
        var fusion = new Option<Research.Lib.Search.FusionMethod>("--fusion") { Description = "Hybrid: ReciprocalRank or WeightedScores.", DefaultValueFactory = _ => Research.Lib.Search.FusionMethod.ReciprocalRank };
        var analyzer = new Option<Research.Lib.Search.Bm25Analyzer?>("--analyzer") { Description = "Bm25 / Hybrid: Standard, English (stemming) or Cjk (Chinese bigrams); default: Cjk when Chinese, Japanese or Korean characters are at least half of the candidates' letters, else Standard." };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 42UL };
        var device = CliOptions.Device();
        var devices = DevicesOption();
        var precision = CliOptions.Precision();
        var shard = new Option<string?>("--shard") { Description = "INDEX/COUNT: mine only this contiguous part of the queries (e.g. a Slurm array task); 'research merge' joins the parts." };
        var outDir = new Option<string>("--out") { Required = true, Description = "Folder for mined.jsonl and summary.json (written whole)." };
        var rescore = new Option<string?>("--rescore") { Description = "A cross-encoder (reranker) folder: every mined pair re-scored by it, its logits written as pos_scores / neg_scores (teacher scores for distillation), negatives it scores above a positive dropped." };
        var rescoreMargin = new Option<double?>("--rescore-margin") { Description = "With --rescore: drop a negative scoring above the lowest positive's logit minus this (default 0).", };
        var keepAbove = new Option<bool>("--rescore-keep-all") { Description = "With --rescore: write the scores only, drop nothing." };
        var cmd = new Command("mine", "Mine hard negatives (dense, BM25 or fused) from a rank range, with false-negative filters; every positive and the query itself are excluded.")
        {
            input, model, method, corpus, range, count, sampling, maxScore, margin, ratio, replace, noPad, fusion, analyzer, seed, device, devices, precision, shard, outDir, rescore, rescoreMargin, keepAbove,
        };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            if (r.GetValue(method) != MiningMethod.Bm25 && r.GetValue(model) is null)
                throw new ArgumentException($"--model is required for --method {r.GetValue(method)} (only Bm25 ranks without a model).");
            if (r.GetValue(method) == MiningMethod.Bm25 && r.GetValue(model) is not null)
                throw new ArgumentException("--model: --method Bm25 ranks with BM25 alone and would ignore it; leave --model out, or fuse both with --method Hybrid.");
            if (r.GetValue(method) == MiningMethod.Dense && r.GetValue(analyzer) is { } unused)
                throw new ArgumentException($"--analyzer {unused}: --method Dense ranks by the model alone; the analyzer is BM25's (--method Bm25 or Hybrid).");
            if (r.GetValue(rescore) is null && (r.GetValue(rescoreMargin) is not null || r.GetValue(keepAbove)))
                throw new ArgumentException($"{(r.GetValue(keepAbove) ? "--rescore-keep-all" : "--rescore-margin")} needs --rescore RERANKER.");
            if (r.GetValue(keepAbove) && r.GetValue(rescoreMargin) is not null)
                throw new ArgumentException("--rescore-margin and --rescore-keep-all: the margin drops negatives, keep-all drops none; give one.");
            if (r.GetValue(rescore) is { } missing && !Directory.Exists(missing))
                throw new ArgumentException($"--rescore {missing}: no such folder; expected a cross-encoder folder ('research train --method reranker' writes one).");
            if (r.GetValue(rescore) is { } noConfig && !File.Exists(Path.Combine(noConfig, "config.json")))
                throw new ArgumentException($"--rescore {noConfig}: no config.json; expected a cross-encoder folder ('research train --method reranker' writes one).");
            if (r.GetValue(rescore) is { } rerankerPath && !CrossEncoder.IsCrossEncoderFolder(rerankerPath))
                throw new ArgumentException($"--rescore {rerankerPath}: not a cross-encoder folder (config.json's architectures name no ...ForSequenceClassification); train one with 'research train --method reranker'.");
            var (start, end) = MiningOptions.ParseRange(r.GetValue(range)!);
            var options = new MiningOptions
            {
                Method = r.GetValue(method),
                RangeStart = start,
                RangeEnd = end,
                Count = r.GetValue(count),
                Sampling = r.GetValue(sampling),
                MaxScore = r.GetValue(maxScore),
                Margin = r.GetValue(margin),
                MaxScoreRatio = r.GetValue(ratio),
                KeepExisting = !r.GetValue(replace),
                PadWithRandom = !r.GetValue(noPad),
                Fusion = r.GetValue(fusion),
                Analyzer = r.GetValue(analyzer),
                Seed = r.GetValue(seed),
                Shard = r.GetValue(shard) is { } sh ? ShardSpec.Parse(sh) : null,
            };
            var path = r.GetValue(input)!;
            var examples = CliProgress.OverFile($"reading {Path.GetFileName(path)}", path, p => TrainingExampleReader.Read(path, ReadOptions.Strict with { BytesRead = p }).ToList());
            var passages = r.GetValue(corpus) is { } cp ? CorpusReader.ReadDocuments(cp).Select(d => d.FullText).ToList() : null;
            var pool = MiningRun.CandidatePool(examples, path, passages, options);
            var (encoder, owner) = options.Method == MiningMethod.Bm25 ? (null, null)
                : LoadEncoder(r.GetValue(model)!, r.GetValue(device)!, r.GetValue(devices), r.GetValue(precision)!, () => pool.Concat(examples.Select(e => e.Query)));
            using (owner)
            {
                var run = CliProgress.OverCount("mining", examples.Count, p => MiningRun.Run(examples, path, passages, encoder, options, p));
                if (r.GetValue(rescore) is { } rerankerFolder)
                {
                    using var reranker = CrossEncoder.Load(rerankerFolder, CliOptions.ParseDevice(r.GetValue(device)!));
                    var mined = run;
                    var pairs = mined.Result.Examples.Sum(e => e.Pos.Count + e.Neg.Count);
                    run = CliProgress.OverCount("re-scoring pairs", pairs, p => mined.Rescore(reranker, r.GetValue(keepAbove) ? null : r.GetValue(rescoreMargin) ?? 0, 32, p));
                }
                run.Write(r.GetValue(outDir)!);
                Console.WriteLine(run.Describe(r.GetValue(outDir)!));
            }
        }));
        return cmd;
    }

    public static Command Merge()
    {
        var inputs = new Argument<string[]>("PARTS") { Description = "Shard outputs in shard order: 'research mine --shard' folders, or vector files from 'research model encode --shard'.", Arity = ArgumentArity.OneOrMore };
        var outPath = new Option<string>("--out") { Required = true, Description = "The merged output: a folder (mining) or a vector file (.npy / .f32)." };
        var cmd = new Command("merge", "Join the parts of a sharded run, in order: the result equals the unsharded run's.") { inputs, outPath };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var output = r.GetValue(outPath)!;
            Console.WriteLine(ShardMerge.Merge(r.GetValue(inputs)!, output).Describe(output));
        }));
        return cmd;
    }

    private static int CheckNprobe(int n) => n >= 1 ? n : throw new ArgumentException($"--nprobe {n}: expected at least 1 list.");

    private static double CheckThreshold(double t) => t is > -1 and <= 1 ? t : throw new ArgumentException($"--threshold {t.ToString(CultureInfo.InvariantCulture)}: expected a cosine in (-1, 1].");

}
