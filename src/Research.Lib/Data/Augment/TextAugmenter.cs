using Research.Lib.Text;

namespace Research.Lib.Data.Augment;

/// <summary>
/// Seeded text augmentations for unsupervised contrastive learning: word repetition (ESimCSE, Wu et al. 2022) on
/// tokens or on characters/words, and EDA's random deletion, swap and insertion (Wei and Zou 2019). The same seed gives
/// the same outputs on every platform (SplitMix64). Not thread-safe: one augmenter per thread.
/// </summary>
public sealed class TextAugmenter(ulong seed)
{
    private readonly SplitMix64 _random = new(seed);

    /// <summary>
    /// ESimCSE word repetition on a tokenized text, as the paper states it: with N content tokens (special tokens at both
    /// ends excluded), dup_len is drawn uniformly from [0, max(2, int(dupRate·N))] (capped at N), dup_len distinct
    /// positions are drawn, and each chosen token is repeated in place. Every original token stays, in order; the length
    /// grows by dup_len. The paper's default dupRate is 0.32 (BERT-base; 0.30 RoBERTa-base). The official code draws
    /// from [0, min(10, int(dupRate·N)) − 1] instead; the paper's rule is used here, as PaddleNLP does.
    /// </summary>
    public TokenizedText RepeatTokens(TokenizedText text, double dupRate = 0.32)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckRate(dupRate, nameof(dupRate));
        var content = text.Length - 2;
        if (content <= 0) return text;
        var chosen = Positions(content, DupLength(content, dupRate));
        var ids = new List<int>(text.Length + chosen.Count);
        var types = new List<int>(text.Length + chosen.Count);
        for (var i = 0; i < text.Length; i++)
        {
            ids.Add(text.Ids[i]);
            types.Add(text.TypeIds[i]);
            if (i >= 1 && i <= content && chosen.Contains(i - 1))
            {
                ids.Add(text.Ids[i]);
                types.Add(text.TypeIds[i]);
            }
        }
        return new TokenizedText([.. ids], [.. types]);
    }

    /// <summary>
    /// Word repetition on raw text: each chosen character (<see cref="AugmentUnit.Character"/>, as every Chinese
    /// ESimCSE reimplementation does: a Chinese BERT vocabulary has one token per character) or word is doubled in place,
    /// e.g. 花呗每天收利息吗 → 花呗每天天收利息吗吗. Same draw as <see cref="RepeatTokens"/>.
    /// </summary>
    public string RepeatUnits(string text, double dupRate = 0.32, AugmentUnit unit = AugmentUnit.Character)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckRate(dupRate, nameof(dupRate));
        var units = Split(text, unit);
        if (units.Count == 0) return text;
        var chosen = Positions(units.Count, DupLength(units.Count, dupRate));
        var result = new List<string>(units.Count + chosen.Count);
        for (var i = 0; i < units.Count; i++)
        {
            result.Add(units[i]);
            if (chosen.Contains(i)) result.Add(units[i]);
        }
        return Join(result, unit);
    }

    /// <summary>EDA random deletion: each unit is dropped with probability p; at least one unit always stays.</summary>
    public string RandomDeletion(string text, double p = 0.1, AugmentUnit unit = AugmentUnit.Word)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckRate(p, nameof(p));
        var units = Split(text, unit);
        if (units.Count <= 1) return text;
        var kept = units.Where(_ => _random.NextDouble() >= p).ToList();
        return Join(kept.Count > 0 ? kept : [units[_random.NextInt(units.Count)]], unit);
    }

    /// <summary>EDA random swap: <paramref name="swaps"/> times, two random positions exchange their units.</summary>
    public string RandomSwap(string text, int swaps = 1, AugmentUnit unit = AugmentUnit.Word)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(swaps);
        var units = Split(text, unit);
        if (units.Count < 2) return text;
        for (var s = 0; s < swaps; s++)
        {
            var a = _random.NextInt(units.Count);
            var b = _random.NextInt(units.Count);
            (units[a], units[b]) = (units[b], units[a]);
        }
        return Join(units, unit);
    }

    /// <summary>
    /// EDA random insertion: <paramref name="insertions"/> times, a unit of the text is inserted at a random position.
    /// EDA inserts a WordNet synonym of a random word; no thesaurus ships with the kit (and none covers Chinese), so a
    /// copy of one of the text's own units is inserted, which keeps the vocabulary in domain.
    /// </summary>
    public string RandomInsertion(string text, int insertions = 1, AugmentUnit unit = AugmentUnit.Word)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(insertions);
        var units = Split(text, unit);
        if (units.Count == 0) return text;
        for (var s = 0; s < insertions; s++)
            units.Insert(_random.NextInt(units.Count + 1), units[_random.NextInt(units.Count)]);
        return Join(units, unit);
    }

    private int DupLength(int n, double dupRate) => Math.Min(n, _random.NextInt(Math.Max(2, (int)(dupRate * n)) + 1));

    /// <summary>count distinct positions in [0, n), uniformly (a partial Fisher–Yates shuffle).</summary>
    private HashSet<int> Positions(int n, int count)
    {
        var all = Enumerable.Range(0, n).ToArray();
        for (var i = 0; i < count; i++)
        {
            var j = i + _random.NextInt(n - i);
            (all[i], all[j]) = (all[j], all[i]);
        }
        return [.. all.Take(count)];
    }

    private static List<string> Split(string text, AugmentUnit unit) => unit == AugmentUnit.Word
        ? [.. text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)]
        : [.. Elements(System.Globalization.StringInfo.GetTextElementEnumerator(text))]; // whitespace stays a unit: nothing is lost

    private static IEnumerable<string> Elements(System.Globalization.TextElementEnumerator e)
    {
        while (e.MoveNext()) yield return e.GetTextElement();
    }

    private static string Join(IEnumerable<string> units, AugmentUnit unit) => string.Join(unit == AugmentUnit.Word ? " " : "", units);

    private static void CheckRate(double value, string name)
    {
        if (value is < 0 or > 1 || double.IsNaN(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1].");
    }
}
