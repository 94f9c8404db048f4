using Research.Lib.Data.Augment;
using Research.Lib.Text;

namespace Research.Lib.Tests.Data.Augment;

public class TextAugmenterTests
{
    private static bool IsSubsequence(IReadOnlyList<int> small, IReadOnlyList<int> large)
    {
        var j = 0;
        foreach (var x in large)
            if (j < small.Count && small[j] == x) j++;
        return j == small.Count;
    }

    [Fact]
    public void TokenRepetitionKeepsEveryTokenInOrderAndOnlyDuplicatesInPlace()
    {
        var text = new TokenizedText([101, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 102], new int[12]);
        var augmenter = new TextAugmenter(7);
        var lengths = new HashSet<int>();
        for (var trial = 0; trial < 50; trial++)
        {
            var repeated = augmenter.RepeatTokens(text, 0.32);
            Assert.True(IsSubsequence(text.Ids, repeated.Ids));
            Assert.Equal(101, repeated.Ids[0]);
            Assert.Equal(102, repeated.Ids[^1]);
            Assert.Equal(1, repeated.Ids.Count(i => i == 101));
            Assert.Equal(1, repeated.Ids.Count(i => i == 102));
            // 10 content tokens: dup_len in [0, max(2, int(0.32·10))] = [0, 3]; every extra token doubles its neighbour.
            var extra = repeated.Length - text.Length;
            Assert.InRange(extra, 0, 3);
            Assert.Equal(repeated.Length, repeated.TypeIds.Length);
            Assert.All(text.Ids.Skip(1).SkipLast(1), id => Assert.InRange(repeated.Ids.Count(i => i == id), 1, 2));
            lengths.Add(repeated.Length);
        }
        Assert.Equal([12, 13, 14, 15], lengths.Order());   // every dup_len of [0, 3] occurs: the length changes
    }

    [Fact]
    public void TheSameSeedGivesTheSameAugmentations()
    {
        string[] Run(ulong seed)
        {
            var a = new TextAugmenter(seed);
            return [a.RepeatUnits("花呗每天收利息吗"), a.RandomDeletion("the quick brown fox jumps over the lazy dog", 0.3), a.RandomSwap("one two three four", 2), a.RandomInsertion("one two three", 2)];
        }
        Assert.Equal(Run(3), Run(3));
        Assert.NotEqual(Run(3), Run(4));
    }

    [Fact]
    public void CharacterRepetitionDoublesCharactersInPlace()
    {
        var a = new TextAugmenter(1);
        const string original = "花呗每天收利息吗";   // no character twice in a row
        var lengths = new HashSet<int>();
        for (var trial = 0; trial < 30; trial++)
        {
            var s = a.RepeatUnits(original, 0.32, AugmentUnit.Character);
            var runs = new List<(char C, int N)>();
            foreach (var c in s)
                if (runs.Count > 0 && runs[^1].C == c) runs[^1] = (c, runs[^1].N + 1);
                else runs.Add((c, 1));
            Assert.Equal(original, new string(runs.Select(r => r.C).ToArray()));
            Assert.All(runs, r => Assert.InRange(r.N, 1, 2));
            lengths.Add(s.Length);
        }
        Assert.Equal([8, 9, 10], lengths.Order());   // 8 characters: dup_len in [0, max(2, int(2.56))] = [0, 2]
    }

    [Fact]
    public void EdaOperationsKeepOrRearrangeTheWords()
    {
        var a = new TextAugmenter(5);
        const string text = "the quick brown fox jumps over the lazy dog";
        var words = text.Split(' ');
        var swapped = a.RandomSwap(text, 3).Split(' ');
        Assert.Equal(words.Order(), swapped.Order());
        var deleted = a.RandomDeletion(text, 0.5).Split(' ');
        Assert.True(deleted.Length >= 1 && deleted.Length < words.Length);
        Assert.True(IsSubsequence(deleted.Select(w => Array.IndexOf(words, w)).ToList(), Enumerable.Range(0, words.Length).ToList())
            || deleted.All(words.Contains));
        var inserted = a.RandomInsertion(text, 2).Split(' ');
        Assert.Equal(words.Length + 2, inserted.Length);
        Assert.All(inserted, w => Assert.Contains(w, words));
        Assert.Equal("solo", a.RandomDeletion("solo", 0.99));
    }

    [Fact]
    public void RatesOutsideZeroToOneAreRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TextAugmenter(1).RepeatUnits("abc", 1.5));
        Assert.StartsWith("dupRate must be in [0, 1].", e.Message);
    }
}
