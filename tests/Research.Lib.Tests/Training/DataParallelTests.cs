using Research.Lib.Devices;
using Research.Lib.Modeling;
using Research.Lib.Training;
using TorchSharp;

namespace Research.Lib.Tests.Training;

[Collection(TorchRandomCollection.Name)]
public class DataParallelTests
{
    [Fact]
    public void TwoDevicesTrainLikeOneWithTheSameGlobalBatch()
    {
        // Without dropout, so both runs compute the same function (two CPU "devices" share one random generator).
        using var dir = new TempDir();
        var model = TinyModels.WithoutDropout(dir.Path);

        var examples = Research.Lib.Data.TrainingExampleReader.Read(Path.Combine(TestPaths.ToyData, "toy_source.json")).ToList();
        var options = new SupervisedTrainingOptions { BatchSize = 16, GroupSize = 2, MaxSteps = 10, LearningRate = 1e-4, LogEvery = 1, QueryMaxLength = 24, PassageMaxLength = 32 };
        // In float64: the tiny random model's embeddings are nearly parallel, and AdamW turns float32 rounding noise in the
        // gradients into parameter differences of 1e-5 after 10 steps whichever way the batch is split.
        using var single = SentenceEncoder.Load(model);
        single.Model.to(TorchSharp.torch.ScalarType.Float64);
        var one = SupervisedTrainer.Train(single, examples, options);
        using var primary = SentenceEncoder.Load(model);
        primary.Model.to(TorchSharp.torch.ScalarType.Float64);
        var two = SupervisedTrainer.Train(primary, examples, options, null, null, null, null, ([DeviceSpec.Cpu], model));
        // The gathered loss and the summed gradient (its norm, taken after the replicas' gradients are added) match at every step:
        // a replica's share left out would halve the norm.
        for (var i = 0; i < one.Log.Count; i++)
        {
            Assert.Equal(one.Log[i].Loss, two.Log[i].Loss, 4);
            Assert.Equal(1.0, two.Log[i].GradNorm / one.Log[i].GradNorm, 3);
        }
        // Attention key biases have an exactly zero gradient (softmax ignores a shift shared by every score); in float32 it is
        // rounding noise, which AdamW turns into steps of about the learning rate in either run: they are left out.
        var a = single.Model.named_parameters().Where(p => !p.name.EndsWith("key.bias", StringComparison.Ordinal)).ToList();
        var b = primary.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var maxDiff = a.Max(p => (p.parameter - b[p.name]).abs().max().item<double>());
        Assert.True(maxDiff <= 1e-5, $"max |one device - two devices| = {maxDiff}");
    }
}
