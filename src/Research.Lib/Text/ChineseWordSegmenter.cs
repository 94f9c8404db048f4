using Lucene.Net.Analysis.Cn.Smart;
using Lucene.Net.Analysis.Cn.Smart.Hhmm;

namespace Research.Lib.Text;

/// <summary>
/// Chinese words of a text, for whole-word masking: Lucene.Net's SmartCn segmenter (a hidden-Markov-model segmenter with
/// its built-in dictionaries, derived from ICTCLAS), run on each stretch of CJK ideographs, keeping the words of two or
/// more characters — a single character needs no grouping and Latin or digit runs are grouped by WordPiece's own "##"
/// pieces. The segmenter is called directly rather than through SmartChineseAnalyzer, whose sentence splitting loads
/// ICU4N, which fails inside the Polyglot kernel (its Microsoft.Extensions.Caching.Memory is another version). Thread-safe.
/// </summary>
public static class ChineseWordSegmenter
{
    /// <summary>The multi-character Chinese words of <paramref name="text"/>, in order (repeats kept).</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        HHMMSegmenter? segmenter = null;
        for (var start = 0; start < text.Length;)
        {
            if (!IsCjk(text[start])) { start++; continue; }
            var end = start;
            while (end < text.Length && IsCjk(text[end])) end++;
            if (end - start >= 2)
            {
                segmenter ??= new HHMMSegmenter();
                // offsets are relative to the run; the sentence begin / end markers are not words
                foreach (var token in segmenter.Process(text[start..end]))
                    if (token.WordType is not (WordType.SENTENCE_BEGIN or WordType.SENTENCE_END) && token.EndOffset - token.StartOffset >= 2
                        && token.StartOffset >= 0 && token.EndOffset <= end - start)
                        words.Add(text[(start + token.StartOffset)..(start + token.EndOffset)]);
            }
            start = end;
        }
        return words;
    }

    /// <summary>A CJK ideograph of the basic block or extension A / compatibility block (the ranges BERT isolates, BMP part).</summary>
    public static bool IsCjk(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF';
}
