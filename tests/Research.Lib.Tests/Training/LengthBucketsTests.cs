using Research.Lib.Data;
using Research.Lib.Losses;
using Research.Lib.Modeling;
using Research.Lib.Text;
using Research.Lib.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Tests.Training;

[Collection(TorchRandomCollection.Name)]
public class LengthBucketsTests
{
    private static List<string> UnevenTexts() =>
        File.ReadLines(Path.Combine(TestPaths.ToyData, "toy_unsup.txt")).Where(l => l.Length > 0).Take(23)
            .Select((l, i) => i % 4 == 0 ? string.Join(' ', Enumerable.Repeat(l, 3)) : l).ToList(); // every fourth text three times as long

    [Fact]
    public void RowsAreOrderedByTokenLengthWithTiesInBatchOrder()
    {
        TokenizedText[] items = [new([1, 2, 3], [0, 0, 0]), new([1, 2], [0, 0]), new([1, 2, 3, 4], [0, 0, 0, 0]), new([5, 6], [0, 0])];
        Assert.Equal([1, 3, 0, 2], LengthBuckets.Order(items));
    }

    [Fact]
    public void BucketedVectorsAndGradientsEqualOneForwardPassInBatchOrder()
    {
        var texts = UnevenTexts();
        // Without dropout both are the same function of the parameters; float64 so that only the arithmetic order differs.
        SentenceEncoder Load()
        {
            var e = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
            e.Model.to(ScalarType.Float64);
            e.Model.eval();
            return e;
        }
        using var whole = Load();
        using var bucketed = Load();
        var a = LengthBuckets.Forward(whole, texts, 48, 0);
        var b = LengthBuckets.Forward(bucketed, texts, 48, 5);
        Assert.Equal(new long[] { 23, whole.Dimension }, b.shape);
        Assert.True((a - b).abs().max().item<double>() < 1e-12, "vectors differ");
        var tokens = texts.Select(t => whole.Tokenizer.Encode(t, 48)).ToList();
        Assert.True(tokens.Max(t => t.Ids.Length) == 48 && LengthBuckets.Order(tokens)[0] != 0, "the test needs uneven lengths");

        Tensor Loss(Tensor v) => InfoNceLoss.Compute(v.narrow(0, 0, 11), v.narrow(0, 11, 11), 1, new InfoNceOptions { Temperature = 0.05 });
        Loss(a).backward();
        Loss(b).backward();
        var expected = whole.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        var compared = 0;
        foreach (var (name, p) in bucketed.Model.named_parameters())
        {
            var e = expected[name];
            Assert.Equal(e is null, p.grad is null);
            if (e is null) continue;
            Assert.True((p.grad! - e).abs().max().item<double>() <= 1e-9 * Math.Max(1, e.abs().max().item<double>()), name);
            compared++;
        }
        Assert.True(compared > 10);
    }

    [Fact]
    public void TrainerWithLengthBucketsTrainsLikeWithout()
    {
        using var dir = new TempDir();
        var model = TinyModels.WithoutDropout(dir.Path);
        var examples = TrainingExampleReader.Read(Path.Combine(TestPaths.ToyData, "toy_source.json")).ToList();
        var options = new SupervisedTrainingOptions { BatchSize = 16, GroupSize = 2, MaxSteps = 4, LearningRate = 1e-3, LogEvery = 1, QueryMaxLength = 24, PassageMaxLength = 32 };
        using var plain = SentenceEncoder.Load(model);
        using var bucketed = SentenceEncoder.Load(model);
        var a = SupervisedTrainer.Train(plain, examples, options);
        var b = SupervisedTrainer.Train(bucketed, examples, options with { LengthBucket = 8 });
        Assert.Equal(4, b.Log.Count);
        for (var i = 0; i < a.Log.Count; i++)
            Assert.Equal(a.Log[i].Loss, b.Log[i].Loss, 4);
    }

    [Fact]
    public void AutoBucketsOnlyWhenPaddingWouldBeAFifthOrMore()
    {
        static TokenizedText Of(int length) => new(new int[length], new int[length]);
        // 4 texts, longest 10: padded 40 tokens. Real 32 = 0.8 of it: not uneven; 31: uneven.
        Assert.False(LengthBuckets.Uneven([Of(10), Of(8), Of(7), Of(7)]));
        Assert.True(LengthBuckets.Uneven([Of(10), Of(8), Of(7), Of(6)]));
        Assert.False(LengthBuckets.Uneven([Of(5), Of(5)]));
        Assert.Equal(SupervisedTrainingOptions.AutoLengthBucket, new SupervisedTrainingOptions().LengthBucket);
    }

    [Fact]
    public void AutoIsBucketsOf16OnUnevenTextsAndOnePassOnEvenOnes()
    {
        using var encoder = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        encoder.Model.to(ScalarType.Float64);
        encoder.Model.eval();
        var uneven = UnevenTexts();
        Assert.True(LengthBuckets.Uneven(uneven.Select(t => encoder.Tokenizer.Encode(t, 48)).ToList()));
        var auto = LengthBuckets.Forward(encoder, uneven, 48, SupervisedTrainingOptions.AutoLengthBucket);
        Assert.Equal(0, (auto - LengthBuckets.Forward(encoder, uneven, 48, 16)).abs().max().item<double>());
        Assert.NotEqual(0, (auto - LengthBuckets.Forward(encoder, uneven, 48, 0)).abs().max().item<double>()); // another arithmetic order
        // The same text 20 times: no padding at all, so "auto" is one pass, bit for bit.
        var even = Enumerable.Repeat(uneven[1], 20).ToList();
        Assert.Equal(0, (LengthBuckets.Forward(encoder, even, 48, SupervisedTrainingOptions.AutoLengthBucket) - LengthBuckets.Forward(encoder, even, 48, 0)).abs().max().item<double>());
    }

    [Fact]
    public void ConfigsSpellAutoAndNumbers()
    {
        static SupervisedTrainingOptions Read(string json) => TrainingConfig.FromJson<SupervisedTrainingOptions>(System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject(), "t.json");
        Assert.Equal(SupervisedTrainingOptions.AutoLengthBucket, Read("""{"length_bucket": "auto"}""").LengthBucket);
        Assert.Equal(16, Read("""{"length_bucket": 16}""").LengthBucket);
        Assert.Equal(0, Read("""{"length_bucket": 0}""").LengthBucket);
        Assert.Equal("auto", TrainingConfig.ToJson(new SupervisedTrainingOptions())["length_bucket"]!.GetValue<string>());
        Assert.Equal(16, TrainingConfig.ToJson(new SupervisedTrainingOptions { LengthBucket = 16 })["length_bucket"]!.GetValue<int>());
        var bad = Assert.Throws<InvalidDataException>(() => Read("""{"length_bucket": "some"}"""));
        Assert.Contains("t.json:1: length_bucket: expected \"auto\", 0 (off) or a number of texts per bucket.", bad.Message);
        Assert.Throws<InvalidDataException>(() => Read("""{"length_bucket": -1}"""));
    }

    [Fact]
    public void BadSettingsAreRefusedByName()
    {
        Assert.Contains("length_bucket -2", Assert.Throws<ArgumentException>(() => new SupervisedTrainingOptions { LengthBucket = -2 }.Validate()).Message);
        Assert.Contains("length_bucket and grad_cache_chunk", Assert.Throws<ArgumentException>(() => new SupervisedTrainingOptions { LengthBucket = 8, GradCacheChunk = 8 }.Validate()).Message);
    }
}
