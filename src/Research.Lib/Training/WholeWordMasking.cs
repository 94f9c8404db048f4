using Research.Lib.Data;
using Research.Lib.Text;

namespace Research.Lib.Training;

/// <summary>
/// Whole-word masking for masked-language-model training (BERT's whole-word-masking release, Devlin et al. 2019; Cui
/// et al. 2021 for Chinese; Hugging Face's DataCollatorForWholeWordMask and its run_chinese_ref.py): the tokens of a word
/// are masked together or not at all. Words are WordPiece words (a token and the "##" pieces after it) and, for Chinese,
/// whose BERT vocabulary has one token per character, the words of a segmenter (<see cref="ChineseWordSegmenter"/>):
/// the characters after the first of a segmented word count as its continuation pieces, as run_chinese_ref.py marks them.
/// Each word is chosen with probability p (so a fraction p of the tokens is chosen on average); each chosen token then
/// becomes the mask token (80%), a random id (10%) or stays (10%), as in token-level masking.
/// </summary>
public static class WholeWordMasking
{
    /// <summary>
    /// The word of each token: −1 for special tokens, else a word number that is the same for a word's tokens
    /// (numbers increase along the row).
    /// </summary>
    /// <param name="tokens">the token strings of one row, specials included (<see cref="WordPieceTextTokenizer.Tokens"/>)</param>
    /// <param name="specials">which of the row's tokens are special</param>
    /// <param name="chineseWords">multi-character Chinese words of the row's text (may be empty)</param>
    public static int[] Groups(IReadOnlyList<string> tokens, IReadOnlyList<bool> specials, IReadOnlyCollection<string> chineseWords)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(specials);
        ArgumentNullException.ThrowIfNull(chineseWords);
        if (specials.Count != tokens.Count) throw new ArgumentException($"{specials.Count} special flags for {tokens.Count} tokens.", nameof(specials));
        var words = new HashSet<string>(chineseWords, StringComparer.Ordinal);
        var longest = words.Count == 0 ? 0 : words.Max(w => w.Length);
        var continuation = new bool[tokens.Count];
        for (var i = 0; i < tokens.Count; i++)
        {
            if (specials[i] || !IsCjkToken(tokens[i])) continue;
            // the longest segmented word that starts here and spells out the next single-character tokens (run_chinese_ref.py)
            for (var length = Math.Min(longest, tokens.Count - i); length >= 2; length--)
            {
                var span = Enumerable.Range(i, length).ToList();
                if (span.Any(j => specials[j] || !IsCjkToken(tokens[j]))) continue;
                if (!words.Contains(string.Concat(span.Select(j => tokens[j])))) continue;
                for (var j = i + 1; j < i + length; j++) continuation[j] = true;
                i += length - 1;
                break;
            }
        }
        var groups = new int[tokens.Count];
        var word = -1;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (specials[i]) { groups[i] = -1; continue; }
            var continues = word >= 0 && i > 0 && !specials[i - 1] && (continuation[i] || tokens[i].StartsWith("##", StringComparison.Ordinal));
            groups[i] = continues ? word : ++word;
        }
        return groups;
    }

    /// <summary>
    /// (corrupted ids, labels) like <see cref="MlmMasking.Mask"/>, choosing whole words: <paramref name="groups"/> holds one
    /// row's <see cref="Groups"/> per batch row (its length the row's unpadded length).
    /// </summary>
    public static (long[] Inputs, long[] Labels) Mask(TokenBatch batch, IReadOnlyList<int[]> groups, ITextTokenizer tokenizer, double probability, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(groups);
        var mask = MlmMasking.MaskId(tokenizer, probability);
        if (groups.Count != batch.Count) throw new ArgumentException($"{groups.Count} group rows for a batch of {batch.Count}.", nameof(groups));
        var random = new SplitMix64(seed);
        var (inputs, labels) = MlmMasking.Start(batch);
        for (var row = 0; row < batch.Count; row++)
        {
            var g = groups[row];
            if (g.Length > batch.Length) throw new ArgumentException($"row {row}: {g.Length} groups for {batch.Length} positions.", nameof(groups));
            var chosen = -2;
            var word = -1;
            for (var t = 0; t < g.Length; t++)
            {
                var i = row * batch.Length + t;
                if (g[t] < 0 || batch.Mask[i] == 0) continue;
                if (g[t] != word)
                {
                    word = g[t];
                    chosen = random.NextDouble() < probability ? word : -2;
                }
                if (chosen != word) continue;
                MlmMasking.Corrupt(inputs, labels, i, mask, tokenizer.VocabSize, random);
            }
        }
        return (inputs, labels);
    }

    private static bool IsCjkToken(string token) => token.Length == 1 && ChineseWordSegmenter.IsCjk(token[0]);
}
