using Research.Lib.Data;
using Research.Lib.Modeling;
using Research.Lib.Training;

namespace Research.Lib.Tests.Training;

[Collection(TorchRandomCollection.Name)]
public class MlmTrainerTests
{
    [Fact]
    public void PreTrainingLowersTheLossAndTheHeadTravelsWithTheModelFolder()
    {
        var sentences = SentenceReader.ReadEveryLine(Path.Combine(TestPaths.ToyData, "toy_unsup.txt"));
        using var work = new TempDir();
        using var encoder = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        using var head = MlmHead.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"), encoder.Model.Config);
        var options = new MlmTrainingOptions { BatchSize = 32, Epochs = 15, LearningRate = 5e-3, WarmupRatio = 0.1, LogEvery = 10, MaxLength = 32 };
        var result = MlmTrainer.Train(encoder, head, sentences, options);
        Assert.Equal(150, result.Steps);                      // 312 sentences: 10 batches × 15 epochs
        var first = result.Log[0];
        var last = result.Log[^1];
        Assert.True(last.Loss < first.Loss * 0.8, $"loss {first.Loss:0.000} -> {last.Loss:0.000}");
        Assert.True(last.PositiveScore > first.PositiveScore, $"masked accuracy {first.PositiveScore:0.000} -> {last.PositiveScore:0.000}");

        var dir = Path.Combine(work.Path, "mlm");
        encoder.Save(dir);
        head.SaveInto(dir);
        using var again = MlmHead.Load(dir, encoder.Model.Config);
        foreach (var ((name, a), (_, b)) in head.named_parameters().Zip(again.named_parameters()))
            Assert.True(a.cpu().allclose(b.cpu(), 0, 0), name);
        Assert.Contains("cls.predictions.transform.dense.weight", Safetensors.Read(Path.Combine(dir, "model.safetensors")).Keys);
        using var reloaded = SentenceEncoder.Load(dir);      // the encoder ignores the head's weights
        Assert.Equal(encoder.Encode(["甘草一次用多少克？"]).Data, reloaded.Encode(["甘草一次用多少克？"]).Data);
    }

    [Fact]
    public void EvaluatesEveryNStepsAndNamesTheBestStepAsTheOtherTrainersDo()
    {
        var sentences = SentenceReader.ReadEveryLine(Path.Combine(TestPaths.ToyData, "toy_unsup.txt"));
        using var encoder = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        using var head = MlmHead.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"), encoder.Model.Config);
        var options = new MlmTrainingOptions { BatchSize = 32, MaxSteps = 5, LogEvery = 1, EvaluateEvery = 2, MaxLength = 32 };
        var scores = new Queue<double>([0.3, 0.7, 0.5]);   // the callback's main_score at steps 2, 4 and 5 (the end)
        var result = MlmTrainer.Train(encoder, head, sentences, options, _ => new Dictionary<string, double> { ["main_score"] = scores.Dequeue() });
        Assert.Equal([1L, 2, 3, 4, 5], result.Log.Select(e => e.Step));
        Assert.Equal([false, true, false, true, true], result.Log.Select(e => e.Eval is not null));
        Assert.True(result.Log.All(e => double.IsFinite(e.Loss)), "an evaluation was filed as a step of its own");
        Assert.Equal((4L, 0.7), (result.BestStep!.Value, result.BestEval!["main_score"]));
    }

    [Fact]
    public void BadSettingsAreRefusedByName()
    {
        using var encoder = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        using var head = new MlmHead(encoder.Model.Config);
        var e = Assert.Throws<ArgumentException>(() => MlmTrainer.Train(encoder, head, [], new MlmTrainingOptions { MaskProbability = 1.5 }));
        Assert.Equal("mask_probability 1.5: expected a number in (0, 1).", e.Message);
        e = Assert.Throws<ArgumentException>(() => MlmTrainer.Train(encoder, head, [], new MlmTrainingOptions { EvaluateEvery = -1 }));
        Assert.Equal("evaluate_every -1: expected 0 (only at the end) or a number of steps.", e.Message);
        e = Assert.Throws<ArgumentException>(() => MlmTrainer.Train(encoder, head, [], new MlmTrainingOptions { LearningRate = double.NaN }));
        Assert.Equal("learning_rate NaN: expected a finite number.", e.Message);
    }
}
