using System.Globalization;
using System.Text;
using Research.Lib.Text;

namespace Research.Lib.Modeling;

/// <summary>
/// A model-free encoder: hashed n-gram TF-IDF vectors, L2-normalized, of a fixed dimension (the "hashing trick":
/// each feature's FNV-1a hash picks a column and a sign, so no vocabulary is stored). Chinese text gives character
/// 1- to 3-grams, other text gives lower-cased words and character 3-grams of each word. Fitting on a corpus sets the
/// idf weights; unfitted, every feature weighs 1. Deterministic. It makes cleaning and dense mining meaningful without
/// a checkpoint, and it is the lexical baseline next to trained models.
/// </summary>
public sealed class HashedNgramEncoder : IEmbeddingEncoder
{
    private readonly float[] _idf;

    private HashedNgramEncoder(HashedNgramOptions options, float[] idf)
    {
        Options = options;
        _idf = idf;
    }

    public HashedNgramOptions Options { get; }

    public int Dimension => Options.Dimension;

    public bool Normalizes => true;

    /// <summary>An encoder whose idf weights come from <paramref name="corpus"/> (document frequency per hashed column).</summary>
    public static HashedNgramEncoder Fit(IEnumerable<string> corpus, HashedNgramOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        options ??= new HashedNgramOptions();
        var df = new int[options.Dimension];
        var n = 0;
        var seen = new HashSet<int>();
        foreach (var text in corpus)
        {
            n++;
            seen.Clear();
            foreach (var feature in Features(text, options)) seen.Add(Column(feature, options.Dimension).Column);
            foreach (var c in seen) df[c]++;
        }
        var idf = new float[options.Dimension];
        for (var c = 0; c < idf.Length; c++) idf[c] = (float)(Math.Log((1.0 + n) / (1.0 + df[c])) + 1.0);
        return new HashedNgramEncoder(options, idf);
    }

    /// <summary>An encoder with every idf weight 1 (term frequencies only).</summary>
    public static HashedNgramEncoder Unfitted(HashedNgramOptions? options = null)
    {
        options ??= new HashedNgramOptions();
        return new HashedNgramEncoder(options, Enumerable.Repeat(1f, options.Dimension).ToArray());
    }

    public EmbeddingMatrix EncodeQueries(IReadOnlyList<string> texts, EncodeOptions? options = null) => Encode(texts, options);

    public EmbeddingMatrix EncodePassages(IReadOnlyList<string> texts, EncodeOptions? options = null) => Encode(texts, options);

    public EmbeddingMatrix Encode(IReadOnlyList<string> texts, EncodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var dim = Options.Dimension;
        var data = new float[(long)texts.Count * dim];
        Parallel.For(0, texts.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var f in Features(texts[i], Options)) counts[f] = counts.GetValueOrDefault(f) + 1;
            var row = data.AsSpan().Slice((int)((long)i * dim), dim);
            foreach (var (feature, count) in counts)
            {
                var (column, sign) = Column(feature, dim);
                var tf = Options.SublinearTf ? 1 + Math.Log(count) : count;
                row[column] += (float)(sign * tf * _idf[column]);
            }
            double norm = 0;
            foreach (var v in row) norm += (double)v * v;
            if (norm > 0)
            {
                var scale = (float)(1 / Math.Sqrt(norm));
                for (var d = 0; d < dim; d++) row[d] *= scale;
            }
        });
        options?.Progress?.Report(texts.Count);
        return new EmbeddingMatrix(data, texts.Count, dim);
    }

    /// <summary>The features of a text: CJK character n-grams, words and in-word character n-grams ("w:", "c:", "z:" prefixes keep them apart).</summary>
    public static IEnumerable<string> Features(string text, HashedNgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = text.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var cjk = new StringBuilder();
        var word = new StringBuilder();
        var features = new List<string>();
        foreach (var rune in normalized.EnumerateRunes())
        {
            if (WordPieceVocabBuilder.IsCjk(rune.Value))
            {
                FlushWord();
                cjk.Append(rune.ToString());
            }
            else if (Rune.IsLetterOrDigit(rune))
            {
                FlushCjk();
                word.Append(rune.ToString());
            }
            else
            {
                FlushWord();
                FlushCjk();
            }
        }
        FlushWord();
        FlushCjk();
        return features;

        void FlushWord()
        {
            if (word.Length == 0) return;
            var w = word.ToString();
            features.Add("w:" + w);
            var n = options.WordCharN;
            if (n > 0)
            {
                var padded = "<" + w + ">";
                for (var i = 0; i + n <= padded.Length; i++) features.Add("c:" + padded.Substring(i, n));
            }
            word.Clear();
        }

        void FlushCjk()
        {
            if (cjk.Length == 0) return;
            var runes = cjk.ToString().EnumerateRunes().Select(r => r.ToString()).ToArray();
            for (var n = 1; n <= options.CjkMaxN; n++)
                for (var i = 0; i + n <= runes.Length; i++) features.Add("z:" + string.Concat(runes.AsSpan(i, n).ToArray()));
            cjk.Clear();
        }
    }

    /// <summary>FNV-1a (64-bit) of the feature's UTF-8: column = hash mod dimension, sign from the top bit.</summary>
    private static (int Column, int Sign) Column(string feature, int dimension)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(feature))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return ((int)(hash % (ulong)dimension), (hash >> 63) == 0 ? 1 : -1);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"hashed n-gram TF-IDF ({Dimension} dimensions)");
}
