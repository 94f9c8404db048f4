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
    public void BadSettingsAreRefusedByName()
    {
        Assert.Contains("length_bucket -1", Assert.Throws<ArgumentException>(() => new SupervisedTrainingOptions { LengthBucket = -1 }.Validate()).Message);
        Assert.Contains("length_bucket and grad_cache_chunk", Assert.Throws<ArgumentException>(() => new SupervisedTrainingOptions { LengthBucket = 8, GradCacheChunk = 8 }.Validate()).Message);
    }
}
