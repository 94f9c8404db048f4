using Research.Lib.Data;
using Research.Lib.Modeling;
using Research.Lib.Text;
using Research.Lib.Training;

namespace Research.Lib.Tests.Training;

[Collection(TorchRandomCollection.Name)]
public class WholeWordMaskingTests
{
    private static int[] Groups(string[] tokens, params string[] words) =>
        WholeWordMasking.Groups(tokens, tokens.Select(t => t is "[CLS]" or "[SEP]").ToList(), words);

    [Fact]
    public void WordPiecesOfAWordShareTheirGroup()
    {
        Assert.Equal([-1, 0, 0, 0, 1, -1], Groups(["[CLS]", "un", "##believ", "##able", "story", "[SEP]"]));
    }

    [Fact]
    public void ChineseCharactersOfASegmentedWordShareTheirGroup()
    {
        string[] tokens = ["[CLS]", "我", "爱", "北", "京", "天", "安", "门", "[SEP]"];
        Assert.Equal([-1, 0, 1, 2, 2, 3, 3, 3, -1], Groups(tokens, "北京", "天安门"));
        Assert.Equal([-1, 0, 1, 2, 2, 3, 3, 3, -1], Groups(tokens, "北京", "天安", "天安门")); // the longest word wins
        Assert.Equal([-1, 0, 1, 2, 3, 4, 5, 6, -1], Groups(tokens));                           // no words: every character alone
    }

    [Fact]
    public void AWordIsMaskedWholeOrNotAtAllAndSpecialsNever()
    {
        var tokenizer = WordPieceTextTokenizer.Create(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##believ", "##able", "story", "a", "我", "爱", "北", "京"]);
        var texts = Enumerable.Range(0, 400).Select(i => i % 2 == 0 ? "a unbelievable story unbelievable" : "我爱北京 unbelievable").ToList();
        var rows = texts.Select(t => tokenizer.Encode(t, 32)).ToList();
        var batch = TokenBatch.Pad(rows, tokenizer.PadId);
        var groups = rows.Select((row, r) => WholeWordMasking.Groups(tokenizer.Tokens(row.Ids), row.Ids.Select(id => tokenizer.SpecialIds.Contains(id)).ToList(), ChineseWordSegmenter.Words(texts[r]))).ToList();
        Assert.Equal([-1, 0, 1, 2, 2, 3, 3, 3, -1], groups[1]); // 我 爱 北京 un##believ##able
        var (inputs, labels) = WholeWordMasking.Mask(batch, groups, tokenizer, 0.15, seed: 5);
        int words = 0, chosenWords = 0, chosenTokens = 0, maskTokens = 0;
        for (var r = 0; r < batch.Count; r++)
        {
            foreach (var word in groups[r].Select((g, t) => (g, t)).Where(x => x.g >= 0).GroupBy(x => x.g, x => r * batch.Length + x.t))
            {
                var chosen = word.Select(i => labels[i] != MlmMasking.Ignore).Distinct().ToList();
                Assert.Single(chosen);                                            // all of the word's tokens, or none
                words++;
                if (!chosen[0]) continue;
                chosenWords++;
                foreach (var i in word)
                {
                    Assert.Equal(batch.Ids[i], labels[i]);
                    chosenTokens++;
                    if (inputs[i] == tokenizer.MaskId) maskTokens++;
                }
            }
            for (var t = 0; t < batch.Length; t++)
            {
                var i = r * batch.Length + t;
                if (batch.Mask[i] == 0 || tokenizer.SpecialIds.Contains((int)batch.Ids[i])) Assert.Equal(MlmMasking.Ignore, labels[i]);
            }
        }
        Assert.Equal(1600, words);
        Assert.InRange(chosenWords / (double)words, 0.12, 0.18);
        Assert.InRange(maskTokens / (double)chosenTokens, 0.74, 0.86);
    }

    [Fact]
    public void MlmTrainingWithWholeWordsRunsAndASentencePieceModelIsRefused()
    {
        var sentences = SentenceReader.ReadEveryLine(Path.Combine(TestPaths.ToyData, "toy_unsup.txt"));
        var options = new MlmTrainingOptions { BatchSize = 16, MaxSteps = 4, LearningRate = 1e-3, LogEvery = 2, MaxLength = 32, WholeWordMasking = true };
        using (var encoder = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert")))
        using (var head = MlmHead.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"), encoder.Model.Config))
        {
            var log = MlmTrainer.Train(encoder, head, sentences, options).Log;
            Assert.Equal(2, log.Count);
            Assert.All(log, l => Assert.True(double.IsFinite(l.Loss) && l.Loss > 0));
        }
        using (var encoder = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-xlmr")))
        using (var head = MlmHead.Load(Path.Combine(TestPaths.ToyData, "tiny-xlmr"), encoder.Model.Config))
        {
            Assert.Equal("whole_word_masking needs a WordPiece (BERT-family) tokenizer, whose \"##\" pieces mark words; this model's tokenizer is sentencepiece.",
                Assert.Throws<ArgumentException>(() => MlmTrainer.Train(encoder, head, sentences, options)).Message);
        }
    }
}
