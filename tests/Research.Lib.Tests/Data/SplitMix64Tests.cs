using Research.Lib.Data;

namespace Research.Lib.Tests.Data;

public class SplitMix64Tests
{
    [Fact]
    public void MatchesTheReferenceSequence()
    {
        // First outputs of Vigna's reference splitmix64.c for seed 1234567.
        var rng = new SplitMix64(1234567);
        Assert.Equal([6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL, 4593380528125082431UL, 16408922859458223821UL],
            Enumerable.Range(0, 5).Select(_ => rng.Next()));
    }
}
