using Research.Lib.Modeling;
using Research.Lib.Text;

namespace Research.Lib.Tests.Modeling;

public class ModelInitializerTests
{
    [Fact]
    public void ANewBertsTokenizerComesFromAVocabFileOrIsBuiltFromTexts()
    {
        var dir = Directory.CreateTempSubdirectory("model-init-").FullName;
        try
        {
            var vocab = Path.Combine(dir, "vocab.txt");
            File.WriteAllText(vocab, "\uFEFF[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n[MASK]\r\nhello\r\nworld\r\n"); // BOM and CRLF as Windows writes it
            var fromFile = ModelInitializer.CreateTokenizer("bert", null, vocab, null, 0);
            Assert.Equal(7, fromFile.VocabSize);
            Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world"], WordPieceTextTokenizer.VocabLines(File.ReadAllBytes(vocab)));
            var texts = Path.Combine(dir, "texts.txt");
            File.WriteAllText(texts, "hello world\nhello there\n");
            var built = Assert.IsType<WordPieceTextTokenizer>(ModelInitializer.CreateTokenizer("bert", null, null, [texts], 100));
            Assert.Equal(243, built.VocabSize); // built from the two lines, with BERT's special and [unused] tokens
            var none = Assert.Throws<ArgumentException>(() => ModelInitializer.CreateTokenizer("bert", null, null, [], 100));
            Assert.Equal("bert needs a vocabulary: --vocab (a vocab.txt) or --vocab-from (texts to build one from).", none.Message);
            var gpt = Assert.Throws<ArgumentException>(() => ModelInitializer.CreateTokenizer("gpt2", null, vocab, null, 0));
            Assert.Equal("Architecture 'gpt2': expected bert or xlm-roberta.", gpt.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
