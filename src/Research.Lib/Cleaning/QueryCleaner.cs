using Research.Lib.Data;
using Research.Lib.Modeling;
using Research.Lib.Search;
using Research.Lib.Text;
using TorchSharp;

namespace Research.Lib.Cleaning;

/// <summary>
/// Removes duplicate queries before contrastive training (a duplicate in a batch is a false in-batch negative):
/// <list type="number">
/// <item>exact duplicates: queries equal after normalization (whitespace, full/half width, case), when enabled;</item>
/// <item>near duplicates: every remaining query is embedded (with the encoder's query instruction) and searched against
/// all of them with a range search in an exact inner-product index (Faiss Flat, or the kit's exact index), chunk by
/// chunk, or, for millions of queries, the kit's inverted-file self-join ("IVF", <see cref="IvfRangeJoin"/>: k-means
/// lists, <see cref="QueryCleanerOptions.Nprobe"/> of them probed per query) — never an n × n matrix; pairs with cosine
/// above the threshold are linked;</item>
/// <item>groups are the connected components of those links (single linkage: a chain a~b~c puts a, b and c in one group
/// even when a and c are below the threshold; the report shows each dropped query's own cosine to the kept one, so such
/// chains are visible);</item>
/// <item>each group keeps its first occurrence (the seed's choice), optionally with the group's positives merged in.</item>
/// </list>
/// </summary>
public static class QueryCleaner
{
    public static CleaningResult Clean(IReadOnlyList<TrainingExample> examples, IEmbeddingEncoder encoder, QueryCleanerOptions? options = null, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        return Clean(examples, encoder.Dimension, ids => encoder.EncodeQueries(ids.Select(i => examples[i].Query).ToList()), options, progress);
    }

    /// <summary>
    /// Cleans with query vectors computed elsewhere (row i for record i): the sharded workflow, where machines encode
    /// slices (<c>research model encode --shard</c>), <c>research merge</c> joins them and one machine cleans.
    /// </summary>
    public static CleaningResult Clean(IReadOnlyList<TrainingExample> examples, EmbeddingMatrix queryVectors, QueryCleanerOptions? options = null, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(queryVectors);
        if (queryVectors.Rows != examples.Count)
            throw new ArgumentException($"{queryVectors.Rows} query vectors for {examples.Count} records; give one vector per record, in order.");
        return Clean(examples, queryVectors.Dimension, ids => Rows(queryVectors, ids), options, progress);
    }

    private static EmbeddingMatrix Rows(EmbeddingMatrix m, int[] ids)
    {
        var data = new float[(long)ids.Length * m.Dimension];
        for (var r = 0; r < ids.Length; r++) m.Row(ids[r]).CopyTo(data.AsSpan(r * m.Dimension, m.Dimension));
        return new EmbeddingMatrix(data, ids.Length, m.Dimension);
    }

    private static CleaningResult Clean(IReadOnlyList<TrainingExample> examples, int dimension, Func<int[], EmbeddingMatrix> encode, QueryCleanerOptions? options, IProgress<int>? progress)
    {
        ArgumentNullException.ThrowIfNull(examples);
        options ??= new QueryCleanerOptions();
        var n = examples.Count;
        var groups = new UnionFind(n);
        var exactOf = Enumerable.Repeat(-1, n).ToArray();
        if (options.RemoveExactDuplicates)
        {
            var first = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < n; i++)
            {
                var key = TextNormalizer.ForComparison(examples[i].Query);
                if (first.TryGetValue(key, out var f))
                {
                    exactOf[i] = f;
                    groups.Union(f, i);
                }
                else
                {
                    first[key] = i;
                }
            }
        }

        // Near duplicates among the remaining queries (the representatives).
        var reps = Enumerable.Range(0, n).Where(i => exactOf[i] < 0).ToArray();
        var vectors = new Dictionary<int, float[]>(reps.Length);
        var chunks = new List<(int[] Ids, EmbeddingMatrix Vectors)>();
        for (var start = 0; start < reps.Length; start += options.ChunkSize)
        {
            var ids = reps.Skip(start).Take(options.ChunkSize).ToArray();
            var m = Normalized(encode(ids));
            chunks.Add((ids, m));
            for (var r = 0; r < ids.Length; r++) vectors[ids[r]] = m.Row(r).ToArray();
            progress?.Report(start + ids.Length);
        }
        if (chunks.Count > 0 && options.Index == "IVF")
        {
            // The kit's inverted-file self-join (BLAS list by list): row r of the joined matrix is reps[r].
            torch.Tensor all;
            using (var scope = torch.NewDisposeScope())
                all = torch.cat(chunks.Select(c => torch.tensor(c.Vectors.Data, [c.Vectors.Rows, dimension])).ToList(), 0).MoveToOuterDisposeScope();
            using var joined = all;
            IvfRangeJoin.Join(joined, (float)options.Threshold, IvfRangeJoin.Lists(reps.Length), options.Nprobe, (i, j, _) => groups.Union(reps[i], reps[j]));
        }
        else if (chunks.Count > 0)
        {
            using var index = FlatIndex.Create(dimension, options.Index);
            if (index is FaissIndex { IsTrained: false } trainable)
            {
                if (options.Index.StartsWith("IVF", StringComparison.Ordinal)) trainable.SetParameter("niter", IvfRangeJoin.Iterations);
                trainable.Train(TrainingSample(chunks, reps.Length, TrainingRows(options.Index, reps.Length)));
            }
            foreach (var (ids, m) in chunks) index.Add(m, ids.Select(i => (long)i).ToArray());
            if (index is FaissIndex faiss && options.Index.StartsWith("IVF", StringComparison.Ordinal)) faiss.SetParameter("nprobe", options.Nprobe);
            foreach (var (ids, m) in chunks)
            {
                var hits = index.RangeSearch(m, (float)options.Threshold);
                for (var r = 0; r < ids.Length; r++)
                    foreach (var hit in hits[r])
                        if (hit.Id != ids[r]) groups.Union(ids[r], (int)hit.Id);
            }
        }

        var dropped = new List<DroppedQuery>();
        var kept = new List<TrainingExample>();
        var members = new Dictionary<int, List<int>>();
        for (var i = 0; i < n; i++)
        {
            var root = groups.Find(i);
            if (!members.TryGetValue(root, out var list)) members[root] = list = [];
            list.Add(i);
        }
        for (var i = 0; i < n; i++)
        {
            var root = groups.Find(i);
            if (root == i)
            {
                kept.Add(options.MergePositives && members[i].Count > 1 ? Merge(members[i].Select(j => examples[j]).ToList()) : examples[i]);
                continue;
            }
            var rep = exactOf[i] >= 0 ? exactOf[i] : i;
            var cosine = rep == root ? 1.0 : Dot(vectors[rep], vectors[root]); // a root is never an exact duplicate: its first occurrence comes first
            dropped.Add(new DroppedQuery(i, examples[i].Query, root, examples[root].Query, cosine, members[root].Count, exactOf[i] >= 0 ? "exact" : "near"));
        }
        return new CleaningResult(kept, dropped, members.Count);
    }

    /// <summary>The first record with every positive of the group (in order, each once) and the negatives that are not among them.</summary>
    private static TrainingExample Merge(IReadOnlyList<TrainingExample> group)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pos = new List<string>();
        foreach (var p in group.SelectMany(e => e.Pos))
            if (seen.Add(TextNormalizer.ForComparison(p))) pos.Add(p);
        var neg = new List<string>();
        foreach (var x in group.SelectMany(e => e.Neg))
            if (seen.Add(TextNormalizer.ForComparison(x))) neg.Add(x);
        return group[0] with { Pos = pos, Neg = neg, PosScores = null, NegScores = null };
    }

    /// <summary>K-means training rows for a Faiss IVF factory string ("IVF4096,Flat"): 39 per list, all when fewer.</summary>
    private static int TrainingRows(string factory, int count) =>
        int.TryParse(new string(factory.Skip(3).TakeWhile(char.IsDigit).ToArray()), out var lists)
            ? (int)Math.Min(count, (long)IvfRangeJoin.TrainingRowsPerList * lists)
            : count;

    /// <summary>Every (count / rows)-th vector: a deterministic, evenly spread training sample.</summary>
    private static EmbeddingMatrix TrainingSample(List<(int[] Ids, EmbeddingMatrix Vectors)> chunks, int count, int rows)
    {
        var dimension = chunks[0].Vectors.Dimension;
        var data = new float[(long)rows * dimension];
        var stride = (double)count / rows;
        var flat = chunks.SelectMany(c => Enumerable.Range(0, c.Ids.Length).Select(r => (c.Vectors, r))).ToList();
        for (var i = 0; i < rows; i++)
        {
            var (m, r) = flat[(int)(i * stride)];
            m.Row(r).CopyTo(data.AsSpan((int)((long)i * dimension), dimension));
        }
        return new EmbeddingMatrix(data, rows, dimension);
    }

    /// <summary>Rows scaled to unit length (a copy), so inner product is cosine whatever the encoder does.</summary>
    internal static EmbeddingMatrix Normalized(EmbeddingMatrix m)
    {
        var data = (float[])m.Data.Clone();
        for (var r = 0; r < m.Rows; r++)
        {
            var row = data.AsSpan(r * m.Dimension, m.Dimension);
            double norm = 0;
            foreach (var v in row) norm += (double)v * v;
            if (norm == 0) continue;
            var scale = (float)(1 / Math.Sqrt(norm));
            for (var d = 0; d < row.Length; d++) row[d] *= scale;
        }
        return new EmbeddingMatrix(data, m.Rows, m.Dimension);
    }

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }
}
