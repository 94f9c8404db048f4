using Research.Lib.Data;
using Research.Lib.Evaluation;
using Research.Lib.Modeling;
using Research.Lib.Training;

namespace Research.Lib.Tests.Training;

[Collection(TorchRandomCollection.Name)]
public class UnsupervisedTrainerTests
{
    private static readonly string Toy = TestPaths.ToyData;

    private static List<string> Sentences() => SentenceReader.ReadEveryLine(Path.Combine(Toy, "toy_unsup.txt"));

    private static List<TextPair> Sts() => TextPairReader.Read(Path.Combine(Toy, "toy_sts.tsv")).ToList();

    [Theory]
    [InlineData(UnsupervisedMethod.SimCse)]
    [InlineData(UnsupervisedMethod.ESimCse)]
    public void TrainingLowersTheLossPullsViewsTogetherAndKeepsTheBestEvaluation(UnsupervisedMethod method)
    {
        using var encoder = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert"));
        var sts = Sts();
        // The run is fixed by its seed (42; the dropout masks do not depend on the thread count). From the random tiny
        // model at this rate ESimCSE can fall into a collapse it never leaves (every embedding alike, loss ≈ ln 32):
        // measured with the kit's CPU dropout, seed 3 of seeds 1–9 and 42; warm-up, a lower rate or momentum 0.9 made it
        // more frequent, never rarer.
        var options = new UnsupervisedTrainingOptions { Method = method, BatchSize = 32, Epochs = 4, LearningRate = 5e-3, LogEvery = 5, EvaluateEvery = 10, QueueSize = 64 };
        var result = UnsupervisedTrainer.Train(encoder, Sentences(), options, e => new Dictionary<string, double> { ["main_score"] = StsEvaluator.Evaluate(e, sts)[StsEvaluator.MainScore] });
        var losses = result.Log.Where(l => !double.IsNaN(l.Loss)).ToList();
        Assert.True(losses[^1].Loss < losses[0].Loss * 0.8, $"loss {losses[0].Loss:0.000} -> {losses[^1].Loss:0.000}");
        Assert.True(losses[^1].ScoreGap > 0, $"views {losses[^1].PositiveScore:0.000} vs others {losses[^1].NegativeScore:0.000}");
        Assert.Equal(40, result.Steps);                                   // 312 lines, 310 distinct after normalization: 10 batches × 4 epochs
        Assert.Equal(4, result.Log.Count(l => l.Eval is not null));       // steps 10, 20, 30 and the end
        Assert.Equal(result.BestEval!["main_score"], StsEvaluator.Evaluate(encoder, sts)[StsEvaluator.MainScore], 6); // best weights put back
        Assert.Equal(result.Log.Where(l => l.Eval is not null).Max(l => l.Eval!["main_score"]), result.BestEval["main_score"]);
    }

    [Fact]
    public void TheSameSeedRepeatsTheRunExactly()
    {
        List<double> Run()
        {
            using var encoder = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert"));
            var options = new UnsupervisedTrainingOptions { Method = UnsupervisedMethod.ESimCse, BatchSize = 16, MaxSteps = 6, LearningRate = 1e-3, LogEvery = 1, EvaluateEvery = 0 };
            return UnsupervisedTrainer.Train(encoder, Sentences(), options).Log.Select(l => l.Loss).ToList();
        }
        var a = Run();
        Assert.Equal(6, a.Count);
        Assert.Equal(a, Run());
    }

    [Fact]
    public void DiffCseTrainsWithAnMlmGeneratorAndRefusesAFolderWithoutOne()
    {
        using var work = new TempDir();
        var generator = Path.Combine(work.Path, "generator");
        using (var g = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert")))
        using (var head = MlmHead.Load(Path.Combine(Toy, "tiny-bert"), g.Model.Config))
        {
            MlmTrainer.Train(g, head, Sentences(), new MlmTrainingOptions { BatchSize = 32, Epochs = 3, LearningRate = 5e-3, LogEvery = 10, MaxLength = 32 });
            g.Save(generator);
            head.SaveInto(generator);
        }
        using var encoder = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert"));
        var options = new UnsupervisedTrainingOptions { Method = UnsupervisedMethod.DiffCse, Generator = generator, BatchSize = 32, Epochs = 3, LearningRate = 5e-3, LambdaWeight = 0.05, LogEvery = 5, EvaluateEvery = 0 };
        var log = UnsupervisedTrainer.Train(encoder, Sentences(), options).Log.Where(l => !double.IsNaN(l.Loss)).ToList();
        Assert.True(log[^1].Loss < log[0].Loss * 0.8, $"loss {log[0].Loss:0.000} -> {log[^1].Loss:0.000}");
        Assert.True(log[^1].ScoreGap > 0);

        var e = Assert.Throws<ArgumentException>(() => UnsupervisedTrainer.Train(encoder, Sentences(), options with { Generator = Path.Combine(Toy, "tiny-bert") }));
        Assert.Equal($"generator {Path.Combine(Toy, "tiny-bert")}: its model.safetensors has no masked-language-model head (cls.predictions.*); train one with research train --method mlm.", e.Message);
        Assert.Equal("DiffCSE needs a generator: set generator to a model folder with a masked-language-model head (research train --method mlm).",
            Assert.Throws<ArgumentException>(() => UnsupervisedTrainer.Train(encoder, Sentences(), options with { Generator = null })).Message);
    }

    [Fact]
    public void DiffCsesBatchNormHeadTrainsAndIsNotSaved()
    {
        using var encoder = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert"));
        var count = encoder.Model.parameters().Sum(p => p.numel());
        var options = new UnsupervisedTrainingOptions { BatchSize = 32, Epochs = 3, LearningRate = 5e-3, LogEvery = 5, EvaluateEvery = 0, MlpBatchNorm = true };
        var log = UnsupervisedTrainer.Train(encoder, Sentences(), options).Log.Where(l => !double.IsNaN(l.Loss)).ToList();
        Assert.Equal(6, log.Count);                                              // 30 steps, a log entry every 5
        Assert.True(log[^1].Loss < log[0].Loss * 0.8, $"loss {log[0].Loss:0.000} -> {log[^1].Loss:0.000}");
        Assert.Equal(count, encoder.Model.parameters().Sum(p => p.numel()));    // the head stays behind
        Assert.Null(encoder.Projection);
    }

    [Fact]
    public void BadSettingsAreRefusedByName()
    {
        Assert.Equal("mlp_batch_norm: the BatchNorm projection is a kind of training-only head; set training_mlp to true as well.",
            Assert.Throws<ArgumentException>(() => new UnsupervisedTrainingOptions { MlpBatchNorm = true, TrainingMlp = false }.Validate()).Message);
        using var encoder = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert"));
        Assert.Equal("batch_size 1: in-batch negatives need at least 2 sentences per batch.",
            Assert.Throws<ArgumentException>(() => UnsupervisedTrainer.Train(encoder, Sentences(), new UnsupervisedTrainingOptions { BatchSize = 1 })).Message);
        Assert.Equal("Unsupervised training needs at least 2 distinct sentences; got 1.",
            Assert.Throws<ArgumentException>(() => UnsupervisedTrainer.Train(encoder, ["same", "same", " "], new UnsupervisedTrainingOptions())).Message);
    }
}
