using System.Text;

namespace Research.Lib.Text;

/// <summary>
/// Builds a WordPiece vocabulary in bert-base-chinese's layout from a corpus: [PAD], [unused1..N], [UNK], [CLS],
/// [SEP], [MASK], then every printable ASCII character and its <c>##</c> form, every CJK character seen (and its
/// <c>##</c> form, as bert-base-chinese has), then the most frequent lower-cased words. Deterministic: ties are
/// broken by ordinal order. For tiny test models; real checkpoints bring their own vocab.txt.
/// </summary>
public static class WordPieceVocabBuilder
{
    public static IReadOnlyList<string> Build(IEnumerable<string> texts, int maxWords, int unusedTokens = 99)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var vocab = new List<string> { "[PAD]" };
        for (var i = 1; i <= unusedTokens; i++) vocab.Add($"[unused{i}]");
        vocab.AddRange(["[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
        var seen = new HashSet<string>(vocab, StringComparer.Ordinal);
        void Add(string token)
        {
            if (seen.Add(token)) vocab.Add(token);
        }
        for (var c = '!'; c <= '~'; c++)
            if (!char.IsUpper(c)) Add(c.ToString());
        for (var c = '!'; c <= '~'; c++)
            if (!char.IsUpper(c)) Add("##" + c);

        var cjk = new SortedSet<string>(StringComparer.Ordinal);
        var otherChars = new SortedSet<string>(StringComparer.Ordinal);
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            var word = new StringBuilder();
            void Flush()
            {
                if (word.Length > 1) words[word.ToString()] = words.GetValueOrDefault(word.ToString()) + 1;
                word.Clear();
            }
            foreach (var rune in text.ToLowerInvariant().EnumerateRunes())
            {
                var s = rune.ToString();
                if (IsCjk(rune.Value)) { Flush(); cjk.Add(s); }
                else if (Rune.IsLetterOrDigit(rune)) { word.Append(s); if (rune.Value > 127) otherChars.Add(s); }
                else { Flush(); if (!Rune.IsWhiteSpace(rune) && !Rune.IsControl(rune) && rune.Value > 127) otherChars.Add(s); }
            }
            Flush();
        }
        foreach (var c in cjk) Add(c);
        foreach (var c in otherChars) Add(c);
        foreach (var c in cjk) Add("##" + c);
        foreach (var (w, _) in words.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(maxWords))
            Add(w);
        return vocab;
    }

    /// <summary>The CJK ranges BERT's basic tokenizer splits into single characters (tokenization.py _is_chinese_char).</summary>
    public static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
