using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Modeling.Bert;

/// <summary>
/// Dropout for training on the CPU, where libtorch draws every element's Bernoulli from one Mersenne Twister on one
/// thread (measured: 75–85 ms for a (32, 12, 128, 128) attention-probability tensor, a fifth of a MiniLM training step at
/// SciFact lengths, against 2 ms for one pass of arithmetic over it). Here the mask comes from a counter-based generator
/// (SplitMix64's output function at seed + index · the golden-ratio increment) filled in parallel: each 64-bit draw gives the keep decisions of 4
/// elements as 16-bit lanes (kept when the lane is at least round(p · 65536), so p is quantized to 1/65536), and kept
/// elements are scaled by 65536 / (65536 − that threshold), which keeps the expectation exact. The seed is drawn from
/// torch's CPU generator, so <c>manual_seed</c> fixes the masks as it fixes libtorch's (GradCache replays them), and the
/// mask does not depend on the number of threads. On other devices libtorch's own dropout (already parallel) runs, and
/// on the CPU too when <see cref="Enabled"/> is off — the default for now: with these masks, a masked-language-model
/// run on the toy data gave last-bit different losses in about one process in three (the same within a process, and
/// always the same with libtorch's dropout, 6 of 6 processes; the masks themselves are complete and identical), which
/// made notebook 04's outputs differ between runners. Until that cause is found, RESEARCH_FAST_DROPOUT=1 turns the
/// kit's masks on (train-profile measures both).
/// </summary>
public static class FastDropout
{
    /// <summary>Whether CPU dropout uses the kit's parallel masks rather than libtorch's (off unless RESEARCH_FAST_DROPOUT=1).</summary>
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("RESEARCH_FAST_DROPOUT") == "1";

    /// <summary><paramref name="x"/> with dropout <paramref name="p"/> when <paramref name="training"/>, else <paramref name="x"/> itself.</summary>
    public static Tensor Forward(Tensor x, double p, bool training)
    {
        if (!training || p <= 0) return x;
        if (p >= 1) return x.mul(Research.Lib.Tensors.Scalars.Zero);
        if (x.device_type != DeviceType.CPU || !Enabled) return nn.functional.dropout(x, p, training: true);
        using var mask = Mask(x.shape, p, x.dtype);
        return x.mul(mask);
    }

    /// <summary>A dropout mask of <paramref name="shape"/>: 0 where dropped, the keep scale elsewhere, in <paramref name="type"/>.</summary>
    public static Tensor Mask(long[] shape, double p, ScalarType type)
    {
        var threshold = (int)Math.Round(p * 65536);
        var scale = (float)(65536.0 / (65536 - threshold));
        using var draw = randint(long.MaxValue, [1], dtype: ScalarType.Int64);
        var seed = (ulong)draw.item<long>();
        var mask = empty(shape, ScalarType.Float32);
        Fill(mask, seed, threshold, scale);
        if (type == ScalarType.Float32) return mask;
        using (mask) return mask.to(type);
    }

    /// <summary>Writes the mask for <paramref name="seed"/> into <paramref name="mask"/> (float32, contiguous, on the CPU).</summary>
    public static unsafe void Fill(Tensor mask, ulong seed, int threshold, float scale)
    {
        using var flat = mask.view(-1);
        var count = flat.shape[0];
        const long part = 1L << 28; // elements a span can hold (4 bytes each), a multiple of 4
        for (var offset = 0L; offset < count; offset += part)
        {
            using var piece = flat.narrow(0, offset, Math.Min(part, count - offset));
            fixed (byte* bytes = piece.bytes)
                Fill((float*)bytes, piece.shape[0], offset / 4, seed, threshold, scale);
        }
    }

    private static unsafe void Fill(float* data, long count, long firstGroup, ulong seed, int threshold, float scale)
    {
        var groups = (count + 3) / 4;
        const long chunk = 1 << 14; // groups of 4 elements per task
        var tasks = (groups + chunk - 1) / chunk;
        void Run(long t)
        {
            var end = Math.Min(groups, (t + 1) * chunk);
            for (var g = t * chunk; g < end; g++)
            {
                var z = Mix(seed + (ulong)(firstGroup + g) * Gamma);
                var at = g * 4;
                var lanes = Math.Min(4, count - at);
                for (var l = 0; l < lanes; l++)
                    data[at + l] = (int)((z >> (16 * l)) & 0xFFFF) >= threshold ? scale : 0f;
            }
        }
        if (tasks == 1) Run(0);
        else Parallel.For(0, tasks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, torch.get_num_threads()) }, Run);
    }

    /// <summary>SplitMix64's increment (the golden ratio in 64 bits): the counter of group g is seed + g · Gamma, as SplitMix64 steps its state.</summary>
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>SplitMix64's output function (Steele, Lea and Flood 2014) of the counter <paramref name="x"/>.</summary>
    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
