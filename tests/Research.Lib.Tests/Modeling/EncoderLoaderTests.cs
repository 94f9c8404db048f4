using Research.Lib.Devices;
using Research.Lib.Modeling;

namespace Research.Lib.Tests.Modeling;

public sealed class EncoderLoaderTests
{
    private static readonly string TinyBert = Path.Combine(TestPaths.ToyData, "tiny-bert");

    [Fact]
    public void AFolderOnOneDeviceIsASentenceEncoderAndOnSeveralAReplicatedOne()
    {
        var single = EncoderLoader.Load(TinyBert, DeviceSpec.Cpu);
        using (single as IDisposable)
            Assert.IsType<SentenceEncoder>(single);
        var replicated = EncoderLoader.Load(TinyBert, DeviceSpec.Cpu, [DeviceSpec.Cpu, DeviceSpec.Cpu]);
        using (replicated as IDisposable)
        {
            Assert.Equal(2, Assert.IsType<ReplicatedEncoder>(replicated).ReplicaCount);
            // The replicas split the batch (ReplicatedEncoderTests holds them to the single encoder); here: both rows, two replicas.
            Assert.Equal((2, 64), (replicated.EncodePassages(["a sentence", "another one"]).Rows, replicated.Dimension));
        }
    }

    [Fact]
    public void TheHashedEncoderIsFittedOnTheGivenTextsAndHasNoHalfPrecision()
    {
        var hashed = EncoderLoader.Load(EncoderLoader.Hashed, DeviceSpec.Cpu, fitTexts: () => ["cats purr", "dogs bark"]);
        Assert.IsType<HashedNgramEncoder>(hashed);
        Assert.Equal("precision BFloat16: the hashed encoder has no weights to hold in half precision; it takes only fp32.",
            Assert.Throws<ArgumentException>(() => EncoderLoader.Load(EncoderLoader.Hashed, DeviceSpec.Cpu, weights: EncodePrecision.BFloat16, fitTexts: () => ["x"])).Message);
        Assert.Equal("The hashed encoder is fitted on the texts it encodes; none were given.",
            Assert.Throws<ArgumentException>(() => EncoderLoader.Load(EncoderLoader.Hashed, DeviceSpec.Cpu)).Message);
    }
}
