using Lucene.Net.Analysis.Cn.Smart;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;

namespace Research.Lib.Text;

/// <summary>
/// Chinese words of a text, for whole-word masking: Lucene.Net's SmartCn segmenter (a hidden-Markov-model segmenter with
/// its built-in dictionaries, derived from ICTCLAS; no stop words removed), keeping the words of two or more CJK
/// ideographs — a single character needs no grouping and Latin or digit runs are grouped by WordPiece's own "##" pieces.
/// Thread-safe (Lucene analyzers keep their state per thread).
/// </summary>
public static class ChineseWordSegmenter
{
    private static readonly SmartChineseAnalyzer Analyzer = new(LuceneVersion.LUCENE_48, useDefaultStopWords: false);

    /// <summary>The multi-character Chinese words of <paramref name="text"/>, in order (repeats kept).</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        if (!text.Any(IsCjk)) return words;
        using var stream = Analyzer.GetTokenStream("text", new StringReader(text));
        var offsets = stream.AddAttribute<IOffsetAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            var word = text[offsets.StartOffset..offsets.EndOffset];
            if (word.Length >= 2 && word.All(IsCjk)) words.Add(word);
        }
        stream.End();
        return words;
    }

    /// <summary>A CJK ideograph of the basic block or extension A / compatibility block (the ranges BERT isolates, BMP part).</summary>
    public static bool IsCjk(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF';
}
