using Research.Lib.Modeling;

namespace Research.Lib.Tests.Modeling;

public class HashedNgramEncoderTests
{
    [Fact]
    public void FeaturesAreWordsCharacterTrigramsAndCjkNgrams()
    {
        Assert.Equal(["w:hi", "c:<hi", "c:hi>", "z:世", "z:界", "z:世界", "w:ok1", "c:<ok", "c:ok1", "c:k1>"],
            HashedNgramEncoder.Features("Hi 世界, OK1", new HashedNgramOptions()));
        Assert.Equal(["w:a"], HashedNgramEncoder.Features("Ａ", new HashedNgramOptions { WordCharN = 0 })); // NFKC: full-width Ａ is a
    }

    [Fact]
    public void VectorsAreUnitLengthDeterministicAndLexical()
    {
        var encoder = HashedNgramEncoder.Fit(["how to rebase in git", "what is compound interest", "黄芪的功效是什么"]);
        var m = encoder.Encode(["how to rebase in git", "How to REBASE in git?", "what is compound interest", ""]);
        Assert.Equal(1.0, m.Dot(0, 0), 5);
        Assert.Equal(1.0, m.Dot(0, 1), 5); // same words after lower-casing; punctuation is no feature
        Assert.True(m.Dot(0, 2) < 0.2, $"unrelated texts: {m.Dot(0, 2)}");
        Assert.Equal(0.0, m.Dot(3, 3)); // an empty text is the zero vector
        Assert.Equal(m.Data, encoder.Encode(["how to rebase in git", "How to REBASE in git?", "what is compound interest", ""]).Data);
    }
}
