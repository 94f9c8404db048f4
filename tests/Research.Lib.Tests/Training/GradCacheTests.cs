using Research.Lib.Losses;
using Research.Lib.Modeling;
using Research.Lib.Text;
using Research.Lib.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Tests.Training;

[Collection(TorchRandomCollection.Name)]
public class GradCacheTests
{
    [Fact]
    public void GradientsEqualThePlainLossOnTheWholeBatch()
    {
        var lines = File.ReadLines(Path.Combine(TestPaths.ToyData, "toy_unsup.txt")).Where(l => l.Length > 0).ToList();
        var queries = lines.Take(12).ToList();
        var passages = lines.Skip(12).Take(24).ToList();
        Tensor Loss(Tensor q, Tensor p) => InfoNceLoss.Compute(q, p, 2, new InfoNceOptions { Temperature = 0.05 });

        // Without dropout (eval mode) the two computations are the same function of the parameters. In float64: the tiny
        // random model's embeddings are nearly parallel, and float32 cancellation alone would differ by 1e-3.
        using var plain = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        plain.Model.to(ScalarType.Float64);
        plain.Model.eval();
        TokenBatch Batch(IReadOnlyList<string> texts) => TokenBatch.Pad(texts.Select(t => plain.Tokenizer.Encode(t, 48)).ToList(), plain.Tokenizer.PadId);
        var plainLoss = Loss(plain.Forward(Batch(queries)), plain.Forward(Batch(passages)));
        plainLoss.backward();

        using var cached = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        cached.Model.to(ScalarType.Float64);
        cached.Model.eval();
        var (loss, _, _) = GradCache.Backward(cached, queries, passages, Loss, chunkSize: 5, queryMaxLength: 48, passageMaxLength: 48, seed: 3);

        Assert.Equal(plainLoss.item<double>(), loss, 5);
        var expected = plain.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        double worst = 0;
        var compared = 0;
        foreach (var (name, p) in cached.Model.named_parameters())
        {
            var e = expected[name];
            Assert.Equal(e is null, p.grad is null); // parameters the loss does not reach (the pooler) have no gradient in either
            // The key biases' gradient is zero in exact arithmetic (softmax ignores a shift shared by every score): skip it.
            if (e is null || name.EndsWith("key.bias", StringComparison.Ordinal)) continue;
            var relative = (p.grad! - e).norm().item<double>() / Math.Max(1e-30, e.norm().item<double>());
            worst = Math.Max(worst, relative);
            compared++;
        }
        Assert.True(compared > 10);
        Assert.True(worst <= 1e-5, $"largest relative gradient difference {worst}");
    }

    [Fact]
    public void TrainerWithGradCacheTrainsLikeWithout()
    {
        // The tiny model without dropout, so both runs compute the same function.
        using var dir = new TempDir();
        var model = TinyModels.WithoutDropout(dir.Path);

        var examples = Research.Lib.Data.TrainingExampleReader.Read(Path.Combine(TestPaths.ToyData, "toy_source.json")).ToList();
        var options = new SupervisedTrainingOptions { BatchSize = 16, GroupSize = 2, MaxSteps = 4, LearningRate = 1e-3, LogEvery = 1, QueryMaxLength = 24, PassageMaxLength = 32 };
        using var plain = SentenceEncoder.Load(model);
        using var cached = SentenceEncoder.Load(model);
        var a = SupervisedTrainer.Train(plain, examples, options);
        var b = SupervisedTrainer.Train(cached, examples, options with { GradCacheChunk = 8 });
        Assert.Equal(a.Log.Select(l => l.Step), b.Log.Select(l => l.Step));
        for (var i = 0; i < a.Log.Count; i++)
            Assert.Equal(a.Log[i].Loss, b.Log[i].Loss, 3);
    }
}
