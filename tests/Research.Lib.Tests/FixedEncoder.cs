using Research.Lib.Modeling;

namespace Research.Lib.Tests;

/// <summary>An encoder with hand-set vectors per text, so cleaning and mining can be checked against hand-computed cosines.</summary>
internal sealed class FixedEncoder(Dictionary<string, float[]> vectors) : IEmbeddingEncoder
{
    public int Dimension => vectors.Values.First().Length;

    public bool Normalizes => false;

    /// <summary>Every query text asked for, with the instruction the call gave (null: the model's own).</summary>
    public List<(string Text, string? Instruction)> Queries { get; } = [];

    public EmbeddingMatrix EncodeQueries(IReadOnlyList<string> texts, EncodeOptions? options = null)
    {
        lock (Queries) Queries.AddRange(texts.Select(t => (t, options?.Instruction)));
        return Encode(texts);
    }

    public EmbeddingMatrix EncodePassages(IReadOnlyList<string> texts, EncodeOptions? options = null) => Encode(texts);

    private EmbeddingMatrix Encode(IReadOnlyList<string> texts) =>
        new(texts.SelectMany(t => vectors.TryGetValue(t, out var v) ? v : throw new KeyNotFoundException($"no vector for '{t}'")).ToArray(), texts.Count, Dimension);
}
