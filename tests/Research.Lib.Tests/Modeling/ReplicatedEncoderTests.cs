using Research.Lib.Modeling;

namespace Research.Lib.Tests.Modeling;

public class ReplicatedEncoderTests
{
    [Fact]
    public void TwoCpuReplicasEncodeLikeOneEncoder()
    {
        var model = Path.Combine(TestPaths.ToyData, "tiny-bert");
        var texts = File.ReadLines(Path.Combine(TestPaths.ToyData, "toy_unsup.txt")).Take(101).ToList();
        using var single = SentenceEncoder.Load(model);
        using var replicated = ReplicatedEncoder.Load(model, ReplicatedEncoder.ParseDevices("cpu, cpu"));
        Assert.Equal(2, replicated.ReplicaCount);
        var expected = single.EncodePassages(texts);
        var actual = replicated.EncodePassages(texts);
        Assert.Equal((expected.Rows, expected.Dimension), (actual.Rows, actual.Dimension));
        // Each replica batches its own half, so padding lengths differ from the single run: equal to float rounding.
        var maxDiff = expected.Data.Zip(actual.Data, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff < 1e-5, $"max |single - replicated| = {maxDiff}");
    }
}
