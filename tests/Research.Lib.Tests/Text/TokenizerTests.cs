using Research.Lib.Text;

namespace Research.Lib.Tests.Text;

public class TokenizerTests
{
    private static readonly string[] Vocab =
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "复", "利", "是", "什", "么", "？", "un", "##aff", "##able", "hello", ",", "!", "cafe", "_", "$", "100"];

    private static WordPieceTextTokenizer Bert() => WordPieceTextTokenizer.Create(Vocab);

    [Theory]
    [InlineData("复利是什么？", "[CLS] 复 利 是 什 么 ？ [SEP]")]
    [InlineData("Unaffable, HELLO!", "[CLS] un ##aff ##able , hello ! [SEP]")]
    [InlineData("Café\thello", "[CLS] cafe hello [SEP]")]
    [InlineData("unaffablex hello_$100 😀", "[CLS] [UNK] hello _ $ 100 [UNK] [SEP]")]
    public void WordPieceFollowsBertRules(string text, string tokens)
    {
        var t = Bert();
        Assert.Equal(tokens, string.Join(' ', t.Tokens(t.Encode(text, 64).Ids)));
    }

    [Fact]
    public void WordPieceTruncatesAndPairs()
    {
        var t = Bert();
        Assert.Equal("[CLS] 复 利 [SEP]", string.Join(' ', t.Tokens(t.Encode("复利是什么", 4).Ids)));
        var pair = t.EncodePair("复利是什么", "hello", 7);
        Assert.Equal("[CLS] 复 利 是 [SEP] hello [SEP]", string.Join(' ', t.Tokens(pair.Ids)));
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 1, 1 }, pair.TypeIds);
    }

    [Fact]
    public void TokenizerJsonAndVocabTxtGiveTheSameIds()
    {
        using var dir = new TempDir();
        var source = WordPieceTextTokenizer.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        File.Copy(Path.Combine(TestPaths.ToyData, "tiny-bert", "tokenizer.json"), Path.Combine(dir.Path, "tokenizer.json"));
        var fromJson = WordPieceTextTokenizer.Load(dir.Path);
        foreach (var s in TokenizerParityStrings.All())
            Assert.Equal(source.Encode(s, 512).Ids, fromJson.Encode(s, 512).Ids);
    }

    [Fact]
    public void CasedCheckpointsKeepCaseAndAccents()
    {
        var t = WordPieceTextTokenizer.Create(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "Café", "café"], new WordPieceSettings { LowerCase = false, StripAccents = false });
        Assert.Equal("[CLS] Café café [UNK] [SEP]", string.Join(' ', t.Tokens(t.Encode("Café café cafe", 16).Ids)));
    }

    [Fact]
    public void XlmRobertaUsesTheFairseqLayout()
    {
        var t = XlmRobertaTokenizer.Load(Path.Combine(TestPaths.ToyData, "tiny-xlmr", "sentencepiece.bpe.model"));
        Assert.Equal(1500, t.SentencePieceSize);
        Assert.Equal(1502, t.VocabSize);
        Assert.Equal(1501, t.MaskId);
        var single = t.Encode("复利是什么", 512).Ids;
        Assert.Equal((0, 2), (single[0], single[^1]));
        var pair = t.EncodePair("复利", "hello", 512).Ids;
        var firstEos = Array.IndexOf(pair, 2);
        Assert.Equal(2, pair[firstEos + 1]);
        Assert.Equal(2, pair[^1]);
        Assert.All(t.EncodePair("复利", "hello", 512).TypeIds, id => Assert.Equal(0, id));
        Assert.Equal(new[] { 0, 5, 3, 2 }, t.Encode("한국어", 512).Ids); // an unknown run is one <unk> (3)
        Assert.Equal(4, t.Encode(string.Concat(Enumerable.Repeat("复利 ", 50)), 4).Length);
    }
}
