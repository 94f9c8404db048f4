using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.Data;
using Research.Lib.IO;
using Research.Lib.Modeling;

namespace Research.Lib.Mining;

/// <summary>
/// Joins the parts of a sharded run in order, so the result equals the unsharded run's: <c>research mine --shard</c>
/// folders (their <c>mined.jsonl</c>, shards 0..N−1 of N in order, checked again for a positive among the negatives)
/// into one mining folder, or <c>research model encode --shard</c> vector files (each with its <c>PATH.shard.json</c>:
/// shard, rows, input lines) into one vector file. The output is written whole and may not be one of the parts.
/// </summary>
public static class ShardMerge
{
    /// <summary>What was merged: parts, and records (mining) or rows × dimension (vectors).</summary>
    public sealed record Result(int Parts, long Rows, int? Dimension)
    {
        /// <summary>The line <c>research merge</c> prints.</summary>
        public string Describe(string output) => Dimension is { } d ? $"{Parts} parts, {Rows} x {d} -> {output}" : $"{Parts} parts, {Rows} records -> {output}/mined.jsonl";
    }

    /// <summary>Merges <paramref name="parts"/> (all mining folders, or all vector files) into <paramref name="output"/>.</summary>
    public static Result Merge(IReadOnlyList<string> parts, string output)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentException.ThrowIfNullOrEmpty(output);
        if (parts.Count == 0) throw new ArgumentException("PARTS: no parts given.");
        static string Full(string p) => Path.GetFullPath(p.TrimEnd('/'));
        if (parts.FirstOrDefault(p => Full(p) == Full(output)) is { } self)
            throw new ArgumentException($"--out {output}: is one of the parts ({self}); merging into it would replace an input. Choose another --out.");
        if (parts.Select(Full).Distinct().Count() < parts.Count)
            throw new ArgumentException($"PARTS: {parts.GroupBy(Full).First(g => g.Count() > 1).First()} is given twice; give every part once.");
        if (parts.All(Directory.Exists)) return MergeMining(parts, output);
        if (parts.Any(Directory.Exists))
            throw new ArgumentException("PARTS mixes folders and files; give either 'research mine' folders or vector files.");
        return MergeVectors(parts, output);
    }

    private static Result MergeMining(IReadOnlyList<string> parts, string output)
    {
        var records = new List<TrainingExample>();
        var shards = new List<string?>();
        foreach (var part in parts)
        {
            var mined = Path.Combine(part, "mined.jsonl");
            if (!File.Exists(mined)) throw new FileNotFoundException($"{part}: no mined.jsonl; is it a 'research mine' output?", mined);
            records.AddRange(TrainingExampleReader.Read(mined));
            shards.Add(JsonNode.Parse(File.ReadAllText(Path.Combine(part, "summary.json")))?["shard"]?.GetValue<string>());
        }
        CheckShardOrder(shards, parts);
        HardNegativeMiner.EnsureNoPositiveAmongNegatives(records);
        AtomicDirectory.Write(output, dir =>
        {
            TrainingExampleWriter.Write(Path.Combine(dir, "mined.jsonl"), records);
            var summary = new JsonObject { ["merged_from"] = new JsonArray(parts.Select(p => (JsonNode?)Path.GetFullPath(p)).ToArray()), ["records"] = records.Count };
            AtomicFile.WriteAllText(Path.Combine(dir, "summary.json"), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        });
        return new Result(parts.Count, records.Count, null);
    }

    /// <summary>
    /// Saves one part of a sharded encode (<paramref name="shard"/> of an input of <paramref name="inputLines"/> lines)
    /// with its <c>PATH.shard.json</c> (shard, rows, input lines), which <see cref="Merge"/> checks; an unsharded encode
    /// (<paramref name="shard"/> null) removes a stale one of an earlier sharded run at the same path.
    /// </summary>
    public static void SaveVectorPart(EmbeddingMatrix vectors, string path, ShardSpec? shard, int inputLines)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        vectors.Save(path);
        var shardFile = path + ".shard.json";
        if (shard is null) File.Delete(shardFile);
        else AtomicFile.WriteAllText(shardFile, new JsonObject { ["shard"] = shard.ToString(), ["rows"] = vectors.Rows, ["input_lines"] = inputLines }.ToJsonString() + "\n");
    }

    private static Result MergeVectors(IReadOnlyList<string> parts, string output)
    {
        var matrices = parts.Select(EmbeddingMatrix.Load).ToList();
        CheckVectorShards(parts, matrices);
        if (matrices.Select(m => m.Dimension).Distinct().Count() > 1)
            throw new InvalidDataException($"The parts have different dimensions ({string.Join(", ", matrices.Select(m => m.Dimension))}); are they from the same model?");
        var merged = new EmbeddingMatrix(matrices.SelectMany(m => m.Data).ToArray(), matrices.Sum(m => m.Rows), matrices[0].Dimension);
        merged.Save(output);
        return new Result(parts.Count, merged.Rows, merged.Dimension);
    }

    /// <summary>
    /// Vector parts written by <c>model encode --shard</c> carry a <c>PATH.shard.json</c> (shard, rows, input lines): they
    /// must be shards 0..N-1 of N of one input, in order, each with the rows it was written with. Files without one
    /// (unsharded encodes) are joined in the order given; a mix of both is refused.
    /// </summary>
    private static void CheckVectorShards(IReadOnlyList<string> parts, IReadOnlyList<EmbeddingMatrix> matrices)
    {
        var shardFiles = parts.Select(p => p + ".shard.json").ToList();
        var present = shardFiles.Count(File.Exists);
        if (present == 0) return;
        if (present < parts.Count)
            throw new ArgumentException($"{parts[shardFiles.FindIndex(f => !File.Exists(f))]}: has no .shard.json while other parts do; give the parts of one sharded encode (research model encode --shard I/N), all of them.");
        var shards = new List<string?>();
        long? inputLines = null;
        for (var i = 0; i < parts.Count; i++)
        {
            var node = JsonNode.Parse(File.ReadAllText(shardFiles[i]));
            shards.Add(node?["shard"]?.GetValue<string>());
            var rows = node?["rows"]?.GetValue<long>();
            if (rows != matrices[i].Rows)
                throw new InvalidDataException($"{parts[i]}: holds {matrices[i].Rows} rows but {shardFiles[i]} says {rows}; the two come from different runs. Encode that shard again.");
            var lines = node?["input_lines"]?.GetValue<long>();
            if (inputLines is not null && lines != inputLines)
                throw new ArgumentException($"{parts[i]}: is a shard of an input of {lines} lines, {parts[0]} of one of {inputLines}; the parts come from different inputs.");
            inputLines ??= lines;
        }
        CheckShardOrder(shards, parts);
    }

    /// <summary>Parts must be shards 0..N-1 of N, in order, or all unsharded outputs.</summary>
    private static void CheckShardOrder(IReadOnlyList<string?> shards, IReadOnlyList<string> parts)
    {
        if (shards.All(s => s is null)) return;
        for (var i = 0; i < shards.Count; i++)
            if (shards[i] != $"{i}/{shards.Count}")
                throw new ArgumentException($"{parts[i]}: is shard {shards[i] ?? "(none)"}, expected {i}/{shards.Count}; give every shard once, in order.");
    }
}
