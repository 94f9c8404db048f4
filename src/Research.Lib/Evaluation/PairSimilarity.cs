using Research.Lib.Data;
using Research.Lib.Modeling;

namespace Research.Lib.Evaluation;

/// <summary>The four pair scores MTEB reports: cosine and dot (similarities), euclidean and manhattan (distances).</summary>
public static class PairSimilarity
{
    public static readonly string[] Names = ["cosine", "dot", "euclidean", "manhattan"];

    /// <summary>Score of row i of <paramref name="a"/> against row i of <paramref name="b"/>, per function name.</summary>
    public static Dictionary<string, double[]> Compute(EmbeddingMatrix a, EmbeddingMatrix b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rows != b.Rows || a.Dimension != b.Dimension)
            throw new ArgumentException($"Pair embeddings differ in shape: {a.Rows}x{a.Dimension} and {b.Rows}x{b.Dimension}.");
        var result = Names.ToDictionary(n => n, _ => new double[a.Rows]);
        for (var i = 0; i < a.Rows; i++)
        {
            var x = a.Row(i);
            var y = b.Row(i);
            double dot = 0, nx = 0, ny = 0, l2 = 0, l1 = 0;
            for (var d = 0; d < x.Length; d++)
            {
                // In double: float32 products lose the last digits that separate cosines near 1 (AP moved by 0.013).
                double xd = x[d], yd = y[d];
                dot += xd * yd;
                nx += xd * xd;
                ny += yd * yd;
                var diff = xd - yd;
                l2 += diff * diff;
                l1 += Math.Abs(diff);
            }
            result["cosine"][i] = nx == 0 || ny == 0 ? 0 : dot / Math.Sqrt(nx * ny);
            result["dot"][i] = dot;
            result["euclidean"][i] = Math.Sqrt(l2);
            result["manhattan"][i] = l1;
        }
        return result;
    }

    /// <summary>Encodes both sides of every pair and scores them.</summary>
    /// <summary>Both sides encoded alike: a <see cref="SentenceEncoder"/> without instruction, any other encoder (the model-free one) as passages.</summary>
    public static Dictionary<string, double[]> Compute(IEmbeddingEncoder encoder, IReadOnlyList<TextPair> pairs, EncodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(pairs);
        EmbeddingMatrix Encode(IReadOnlyList<string> texts) => encoder is SentenceEncoder e ? e.Encode(texts, options) : encoder.EncodePassages(texts, options);
        return Compute(Encode(pairs.Select(p => p.Sentence1).ToList()), Encode(pairs.Select(p => p.Sentence2).ToList()));
    }

    public static bool IsDistance(string name) => name is "euclidean" or "manhattan";
}
