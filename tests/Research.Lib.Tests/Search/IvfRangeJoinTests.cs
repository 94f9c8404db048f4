using Research.Lib.Search;
using Research.Lib.Tensors;
using static TorchSharp.torch;

namespace Research.Lib.Tests.Search;

/// <summary>The inverted-file self-join against the brute-force pair list on planted near duplicates.</summary>
public class IvfRangeJoinTests
{
    /// <summary>400 random unit vectors of 16 dimensions, then 100 near copies (noise 0.05) of the first 100.</summary>
    private static Tensor Vectors()
    {
        var g = new Generator(11);
        var basis = randn([400, 16], generator: g);
        var copies = basis.narrow(0, 0, 100).Plus(randn([100, 16], generator: g).Times(0.05));
        return nn.functional.normalize(cat([basis, copies], 0), 2.0, 1);
    }

    private static SortedSet<(int, int)> BruteForce(Tensor x, float threshold)
    {
        var s = x.mm(x.t()).data<float>().ToArray();
        var n = (int)x.shape[0];
        var pairs = new SortedSet<(int, int)>();
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
                if (s[i * n + j] >= threshold) pairs.Add((i, j));
        return pairs;
    }

    private static SortedSet<(int, int)> Join(Tensor x, float threshold, int lists, int probes)
    {
        var pairs = new SortedSet<(int, int)>();
        IvfRangeJoin.Join(x, threshold, lists, probes, (i, j, score) =>
        {
            Assert.True(score >= threshold, $"pair ({i}, {j}) reported at {score} < {threshold}");
            Assert.NotEqual(i, j);
            pairs.Add((Math.Min(i, j), Math.Max(i, j)));
        });
        return pairs;
    }

    [Fact]
    public void ProbingEveryListFindsExactlyTheBruteForcePairs()
    {
        using var x = Vectors();
        var expected = BruteForce(x, 0.9f);
        Assert.Equal(100, expected.Count(p => p.Item2 == p.Item1 + 400)); // every planted copy is above 0.9
        Assert.Equal(expected, Join(x, 0.9f, lists: 12, probes: 12));
    }

    [Fact]
    public void FewerProbesFindADeterministicSubset()
    {
        using var x = Vectors();
        var expected = BruteForce(x, 0.9f);
        var one = Join(x, 0.9f, lists: 12, probes: 1);
        Assert.True(one.IsSubsetOf(expected));
        Assert.InRange(one.Count, expected.Count / 2, expected.Count);
        Assert.Equal(one, Join(x, 0.9f, lists: 12, probes: 1));
        Assert.True(one.IsSubsetOf(Join(x, 0.9f, lists: 12, probes: 3)));
    }

    [Fact]
    public void EmptyInputAndOneListAreFine()
    {
        using var none = zeros(0, 4);
        Assert.Empty(Join(none, 0.5f, lists: 4, probes: 2));
        using var x = Vectors();
        Assert.Equal(BruteForce(x, 0.9f), Join(x, 0.9f, lists: 1, probes: 5));
    }
}
