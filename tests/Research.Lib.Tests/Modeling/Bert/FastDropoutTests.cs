using Research.Lib.Modeling.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Tests.Modeling.Bert;

/// <summary>The kit's CPU dropout: seeded by torch's generator (so these run alone: a parallel draw would move the seed), thread-count independent, unbiased.</summary>
[Collection(Research.Lib.Tests.Training.TorchRandomCollection.Name)]
public sealed class FastDropoutTests
{
    private static float[] Mask(long seed, long count, double p, int threads)
    {
        var before = get_num_threads();
        set_num_threads(threads);
        try
        {
            manual_seed(seed);
            using var mask = FastDropout.Mask([count], p, ScalarType.Float32);
            return mask.data<float>().ToArray();
        }
        finally
        {
            set_num_threads(before);
        }
    }

    [Fact]
    public void TheSeedFixesTheMaskWhateverTheThreads()
    {
        const long count = 1_000_003; // not a multiple of 4, more than one task
        var one = Mask(11, count, 0.1, 1);
        Assert.Equal(one, Mask(11, count, 0.1, 2));
        Assert.NotEqual(one, Mask(12, count, 0.1, 2));
    }

    [Fact]
    public void KeepsOneMinusPOfTheElementsIndependentlyAndKeepsTheExpectation()
    {
        const long count = 4_000_000;
        var mask = Mask(3, count, 0.1, 2);
        // p = 0.1 is 6554/65536 after quantization: kept elements are scaled by 65536 / 58982.
        var scale = (float)(65536.0 / (65536 - 6554));
        Assert.All(mask.Distinct(), v => Assert.True(v == 0f || v == scale, $"mask value {v}"));
        var kept = mask.Count(v => v != 0);
        var expected = count * (1 - 6554 / 65536.0);
        var sd = Math.Sqrt(count * 0.1 * 0.9);
        Assert.InRange(kept, expected - 5 * sd, expected + 5 * sd);
        // Neighbours (the 4 lanes of one 64-bit draw, and across draws) are independent: both kept 0.81 of the time.
        foreach (var gap in new[] { 1, 2, 3, 4, 5 })
        {
            var pairs = count - gap;
            var both = 0L;
            for (var i = 0; i < pairs; i++) if (mask[i] != 0 && mask[i + gap] != 0) both++;
            var q = 0.9 * 0.9;
            Assert.InRange(both, pairs * q - 5 * Math.Sqrt(pairs * q * (1 - q)), pairs * q + 5 * Math.Sqrt(pairs * q * (1 - q)));
        }
    }

    [Fact]
    public void DropsWhatItSaysAndLetsGradientsThroughTheKeptElements()
    {
        var was = FastDropout.Enabled;
        FastDropout.Enabled = true; // the kit's masks (off by default, see FastDropout)
        try { DropsAndPassesGradients(); }
        finally { FastDropout.Enabled = was; }
    }

    private static void DropsAndPassesGradients()
    {
        manual_seed(5);
        using var x = ones(64, 33).requires_grad_(true);
        using var y = FastDropout.Forward(x, 0.25, training: true);
        y.sum().backward();
        // 0.25 is exactly 16384/65536: kept elements are scaled by 4/3, and their gradient is the same scale.
        using var zero = 0.ToScalar();
        using var scale = (4f / 3).ToScalar();
        using var kept = y.ne(zero);
        using var keptValues = y.masked_select(kept);
        using var scaled = keptValues.eq(scale);
        Assert.True(scaled.all().item<bool>());
        Assert.True(x.grad!.eq(y).all().item<bool>());
        Assert.Same(x, FastDropout.Forward(x, 0.25, training: false));
        Assert.Same(x, FastDropout.Forward(x, 0, training: true));
        using var bf16 = FastDropout.Forward(ones(8, 8, dtype: ScalarType.BFloat16), 0.5, training: true);
        Assert.Equal(ScalarType.BFloat16, bf16.dtype);
    }
}
