using System.Globalization;
using Research.Lib.Cleaning;
using Research.Lib.Data;
using Research.Lib.Modeling;
using Research.Lib.Search;
using Research.Lib.Text;

namespace Research.Lib.Mining;

/// <summary>
/// Mines hard negatives for query / positive records, as FlagEmbedding's hn_mine.py and sentence-transformers'
/// mine_hard_negatives do: retrieve candidates for each query (dense, BM25, or both fused), drop the query's positives
/// and the query itself (compared as normalized text), keep the ranks in [RangeStart, RangeEnd) of what remains, drop
/// likely false negatives (absolute maximum, margin below the positive, ratio of the positive's score), then sample
/// <see cref="MiningOptions.Count"/> of them (random or top); pad with random passages when too few survive. The
/// scores of the miner's scorer (cosine for dense and hybrid, BM25 for BM25) go to neg_scores, with the first positive's
/// score in pos_scores, when a record's negatives are all mined (scores of different scorers are never mixed). Every
/// output record is checked: no negative equals one of its positives.
/// </summary>
public static class HardNegativeMiner
{
    /// <param name="examples">records with at least one positive</param>
    /// <param name="corpus">the candidate pool; null: every positive and negative of the records (each text once)</param>
    /// <param name="encoder">for dense and hybrid mining, and the scores the filters compare</param>
    /// <param name="options">method, rank range, count, sampling, false-negative filters</param>
    /// <param name="progress">told the number of records done</param>
    public static MiningResult Mine(IReadOnlyList<TrainingExample> examples, IReadOnlyList<string>? corpus, IEmbeddingEncoder? encoder,
        MiningOptions options, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        var passages = corpus ?? Pool(examples); // the whole data's pool, also for a shard
        var (offset, end) = options.Shard?.Range(examples.Count) ?? (0, examples.Count);
        // Depth from the whole data, so a shard ranks exactly as deep as the unsharded run.
        var depth = Math.Min(passages.Count, options.RangeEnd + (examples.Count == 0 ? 0 : examples.Max(e => e.Pos.Count + e.Neg.Count)) + 1);
        examples = examples.Skip(offset).Take(end - offset).ToList();
        options.Validate(passages.Count);
        if (options.Method != MiningMethod.Bm25 && encoder is null)
            throw new ArgumentException($"{options.Method} mining needs an encoder (a model folder, or the model-free hashed encoder).");
        if (examples.Count == 0)
            return new MiningResult([], new MiningReport { Method = options.Method.ToString().ToLowerInvariant(), Passages = passages.Count });
        var queries = examples.Select(e => e.Query).ToList();

        // Candidate rankings (passage index, score) per query, and each record's positive score from the same scorer.
        List<(int Doc, double Score)>[] ranked;
        double[] positiveScores;
        EmbeddingMatrix? queryVectors = null;
        EmbeddingMatrix? passageVectors = null;
        Bm25Index? bm25 = null;
        Bm25Analyzer? analyzer = null;
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < passages.Count; i++) positions.TryAdd(TextNormalizer.ForComparison(passages[i]), i);
        try
        {
            if (options.Method != MiningMethod.Bm25)
            {
                passageVectors = QueryCleaner.Normalized(encoder!.EncodePassages(passages));
                queryVectors = QueryCleaner.Normalized(EncodeQueries(encoder, examples));
            }
            if (options.Method != MiningMethod.Dense)
            {
                analyzer = options.Analyzer ?? Bm25Index.AnalyzerFor(passages);
                bm25 = Bm25Index.Build(passages.Select((p, i) => (i.ToString(CultureInfo.InvariantCulture), p)), new Bm25Options { Analyzer = analyzer.Value });
            }
            var dense = passageVectors is null ? null : DenseRankings(queryVectors!, passageVectors, depth);
            var lexical = bm25 is null ? null : bm25.SearchBatch(queries, depth)
                .Select(hits => hits.Select(h => (int.Parse(h.DocId, CultureInfo.InvariantCulture), h.Score)).ToList()).ToArray();
            ranked = options.Method switch
            {
                MiningMethod.Dense => dense!,
                MiningMethod.Bm25 => lexical!,
                _ => Fuse(dense!, lexical!, options.Fusion, passageVectors!, queryVectors!),
            };
            // BM25 can score a positive only when it is in the corpus; elsewhere NaN turns the score filters off for that record.
            positiveScores = options.Method == MiningMethod.Bm25
                ? examples.Select(e => positions.TryGetValue(TextNormalizer.ForComparison(e.Pos[0]), out var at) ? bm25!.Score(e.Query, Id(at)) : double.NaN).ToArray()
                : Cosines(queryVectors!, QueryCleaner.Normalized(encoder!.EncodePassages(examples.Select(e => e.Pos[0]).ToList())));
        }
        catch
        {
            bm25?.Dispose();
            throw;
        }
        using var lexicalIndex = bm25;
        double ScoreOf(int q, int doc) => options.Method == MiningMethod.Bm25 ? bm25!.Score(queries[q], Id(doc)) : Cosine(queryVectors!, q, passageVectors!, doc);

        var output = new TrainingExample[examples.Count];
        long excluded = 0, filteredMax = 0, filteredMargin = 0, filteredRatio = 0, padded = 0, mined = 0, examined = 0, droppedExisting = 0;
        var queriesPadded = 0;
        var scoresDropped = 0;
        for (var q = 0; q < examples.Count; q++)
        {
            var e = examples[q];
            var random = new SplitMix64(options.Seed ^ (0x9E3779B97F4A7C15UL * (ulong)(offset + q + 1)));
            var forbidden = e.Pos.Append(e.Query).Select(TextNormalizer.ForComparison).ToHashSet(StringComparer.Ordinal);
            var existing = new List<(string Text, double? Score)>();
            if (options.KeepExisting)
                for (var j = 0; j < e.Neg.Count; j++)
                {
                    if (forbidden.Contains(TextNormalizer.ForComparison(e.Neg[j]))) { droppedExisting++; continue; }
                    existing.Add((e.Neg[j], e.NegScores?[j]));
                }
            var taken = existing.Select(x => TextNormalizer.ForComparison(x.Text)).ToHashSet(StringComparer.Ordinal);
            var survivors = new List<(int Doc, double Score)>();
            var rank = 0;
            foreach (var (doc, score) in ranked[q])
            {
                var key = TextNormalizer.ForComparison(passages[doc]);
                if (forbidden.Contains(key)) { excluded++; continue; }
                if (taken.Contains(key)) continue;
                if (rank++ < options.RangeStart) continue;
                if (rank > options.RangeEnd) break;
                examined++;
                if (options.MaxScore is { } max && score >= max) { filteredMax++; continue; }
                if (options.Margin is { } margin && score > positiveScores[q] - margin) { filteredMargin++; continue; }
                if (options.MaxScoreRatio is { } ratio && score > RatioThreshold(positiveScores[q], ratio)) { filteredRatio++; continue; }
                // (with a NaN positive score both comparisons are false: the record keeps its candidates)
                survivors.Add((doc, score));
            }
            var chosen = options.Sampling == NegativeSampling.Top
                ? survivors.Take(options.Count).ToList()
                : Sample(survivors, options.Count, random).OrderByDescending(x => x.Score).ToList();
            var negatives = existing.ToList();
            foreach (var (doc, score) in chosen)
            {
                negatives.Add((passages[doc], score));
                taken.Add(TextNormalizer.ForComparison(passages[doc]));
            }
            var need = options.PadWithRandom ? options.Count - chosen.Count : 0;
            if (need > 0)
            {
                var before = negatives.Count;
                for (var attempt = 0; attempt < 20 * need + 100 && negatives.Count - before < need; attempt++)
                {
                    var doc = random.NextInt(passages.Count);
                    var key = TextNormalizer.ForComparison(passages[doc]);
                    if (forbidden.Contains(key) || !taken.Add(key)) continue;
                    negatives.Add((passages[doc], ScoreOf(q, doc)));
                }
                padded += negatives.Count - before;
                if (negatives.Count > before) queriesPadded++;
            }
            mined += negatives.Count - existing.Count;
            var scored = existing.Count == 0 && double.IsFinite(positiveScores[q]);
            if (!scored && e.NegScores is not null) scoresDropped++; // the kept negatives' scores come from another scorer: not mixed, reported
            output[q] = e with
            {
                Neg = negatives.Select(n => n.Text).ToList(),
                NegScores = scored ? negatives.Select(n => n.Score!.Value).ToList() : null,
                PosScores = scored ? Enumerable.Repeat(positiveScores[q], e.Pos.Count).ToList() : null,
            };
            progress?.Report(q + 1);
        }
        EnsureNoPositiveAmongNegatives(output);
        return new MiningResult(output, new MiningReport
        {
            Method = options.Method.ToString().ToLowerInvariant(),
            Bm25Analyzer = analyzer?.ToString().ToLowerInvariant(),
            Queries = examples.Count,
            Passages = passages.Count,
            Mined = mined,
            ExcludedPositives = excluded,
            FilteredMaxScore = filteredMax,
            FilteredMargin = filteredMargin,
            FilteredRatio = filteredRatio,
            FilteredFraction = examined == 0 ? 0 : (double)(filteredMax + filteredMargin + filteredRatio) / examined,
            Padded = padded,
            QueriesPadded = queriesPadded,
            ExistingDroppedAsPositive = droppedExisting,
            ScoresDropped = scoresDropped,
        });
    }

    /// <summary>
    /// The score above which a candidate is dropped for <see cref="MiningOptions.MaxScoreRatio"/>: the positive's score
    /// less (1 − ratio) of its size. For a positive score that is ratio × score; for a negative one (a cosine below 0,
    /// a weak positive) ratio × score would lie above the positive and let through candidates that outscore it.
    /// </summary>
    internal static double RatioThreshold(double positive, double ratio) => positive - (1 - ratio) * Math.Abs(positive);

    private static List<(int Doc, double Score)> Sample(List<(int Doc, double Score)> items, int count, SplitMix64 random)
    {
        var copy = items.ToList();
        random.Shuffle(copy);
        return copy.Take(count).ToList();
    }

    /// <summary>Every positive and negative of the records, each text once (first spelling kept), in order of appearance.</summary>
    public static List<string> Pool(IReadOnlyList<TrainingExample> examples)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pool = new List<string>();
        foreach (var e in examples)
            foreach (var p in e.Pos.Concat(e.Neg))
                if (seen.Add(TextNormalizer.ForComparison(p))) pool.Add(p);
        return pool;
    }

    /// <summary>Throws when a record has a negative equal (normalized) to one of its positives: the invariant every output is checked for.</summary>
    public static void EnsureNoPositiveAmongNegatives(IReadOnlyList<TrainingExample> examples)
    {
        for (var i = 0; i < examples.Count; i++)
        {
            var positives = examples[i].Pos.Select(TextNormalizer.ForComparison).ToHashSet(StringComparer.Ordinal);
            foreach (var n in examples[i].Neg)
                if (positives.Contains(TextNormalizer.ForComparison(n)))
                    throw new InvalidOperationException($"Record {i} ('{examples[i].Query}'): negative '{n}' equals one of its positives.");
        }
    }

    private static string Id(int passage) => passage.ToString(CultureInfo.InvariantCulture);

    private static List<(int Doc, double Score)>[] DenseRankings(EmbeddingMatrix queries, EmbeddingMatrix passages, int depth)
    {
        using var index = FlatIndex.Create(passages.Dimension);
        index.Add(passages, Enumerable.Range(0, passages.Rows).Select(i => (long)i).ToArray());
        return index.Search(queries, depth).Select(hits => hits.Select(h => ((int)h.Id, (double)h.Score)).ToList()).ToArray();
    }

    /// <summary>
    /// Each record's query as training sees it: a record's <see cref="TrainingExample.Prompt"/> in front of its query in
    /// place of the model's query instruction (FlagEmbedding's per-record prompt), the others with the model's instruction.
    /// </summary>
    private static EmbeddingMatrix EncodeQueries(IEmbeddingEncoder encoder, IReadOnlyList<TrainingExample> examples)
    {
        var prompted = Enumerable.Range(0, examples.Count).Where(i => examples[i].Prompt is not null).ToList();
        if (prompted.Count == 0) return encoder.EncodeQueries(examples.Select(e => e.Query).ToList());
        var plain = Enumerable.Range(0, examples.Count).Where(i => examples[i].Prompt is null).ToList();
        var withPrompt = encoder.EncodeQueries(prompted.Select(i => examples[i].QueryText("")).ToList(), new EncodeOptions { Instruction = "" });
        var without = plain.Count == 0 ? null : encoder.EncodeQueries(plain.Select(i => examples[i].Query).ToList());
        var data = new float[examples.Count * withPrompt.Dimension];
        for (var k = 0; k < prompted.Count; k++) withPrompt.Row(k).CopyTo(data.AsSpan(prompted[k] * withPrompt.Dimension));
        for (var k = 0; k < plain.Count; k++) without!.Row(k).CopyTo(data.AsSpan(plain[k] * withPrompt.Dimension));
        return new EmbeddingMatrix(data, examples.Count, withPrompt.Dimension);
    }

    /// <summary>Fused order; each candidate keeps its dense cosine as score, so the filters and neg_scores compare like with like.</summary>
    private static List<(int Doc, double Score)>[] Fuse(List<(int Doc, double Score)>[] dense, List<(int Doc, double Score)>[] lexical,
        FusionMethod method, EmbeddingMatrix passages, EmbeddingMatrix queries)
    {
        var result = new List<(int, double)>[dense.Length];
        for (var q = 0; q < dense.Length; q++)
        {
            IReadOnlyList<ScoredDocument> Docs(List<(int Doc, double Score)> list) => list.Select(x => new ScoredDocument(x.Doc.ToString(CultureInfo.InvariantCulture), x.Score)).ToList();
            var fused = method == FusionMethod.ReciprocalRank
                ? RankFusion.ReciprocalRank([Docs(dense[q]), Docs(lexical[q])])
                : RankFusion.WeightedScores([Docs(dense[q]), Docs(lexical[q])], [0.5, 0.5]);
            result[q] = fused.Select(d => int.Parse(d.DocId, CultureInfo.InvariantCulture)).Select(doc => (doc, Cosine(queries, q, passages, doc))).ToList();
        }
        return result;
    }

    private static double Cosine(EmbeddingMatrix a, int i, EmbeddingMatrix b, int j)
    {
        var x = a.Row(i);
        var y = b.Row(j);
        double sum = 0;
        for (var d = 0; d < x.Length; d++) sum += (double)x[d] * y[d];
        return sum;
    }

    private static double[] Cosines(EmbeddingMatrix a, EmbeddingMatrix b) => Enumerable.Range(0, a.Rows).Select(i => Cosine(a, i, b, i)).ToArray();
}
