using Research.Lib.Data;
using Research.Lib.Modeling;
using Research.Lib.Training;

namespace Research.Lib.Tests.Training;

/// <summary>
/// What the one loop gives every method: a run interrupted after a checkpoint and resumed from it ends where the straight
/// run ends (SimCSE, ESimCSE with its momentum encoder and queue, masked-language-model with its head; the supervised
/// case is in <see cref="SupervisedTrainerTests"/>), gradient accumulation for every method, and a refused resume of
/// another method's checkpoint.
/// </summary>
[Collection(TorchRandomCollection.Name)]
public class TrainingLoopTests
{
    private static readonly string Toy = TestPaths.ToyData;

    private static List<string> Sentences() => SentenceReader.ReadEveryLine(Path.Combine(Toy, "toy_unsup.txt"));

    /// <summary>Straight, then interrupted at step 5 (after a checkpoint) and resumed from it: the losses are the same and the weights (and head) agree to 1e-6.</summary>
    private static void ResumeEqualsStraight(Func<SentenceEncoder, MlmHead?, Action<TrainingLogEntry>?, string?, string?, TrainingResult> train, bool withHead)
    {
        using var straight = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert"));
        using var straightHead = withHead ? MlmHead.Load(Path.Combine(Toy, "tiny-bert"), straight.Model.Config) : null;
        var full = train(straight, straightHead, null, null, null);
        Assert.Equal(10, full.Steps);

        using var dir = new TempDir();
        var checkpoint = Path.Combine(dir.Path, "checkpoint");
        using (var first = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert")))
        using (var firstHead = withHead ? MlmHead.Load(Path.Combine(Toy, "tiny-bert"), first.Model.Config) : null)
            Assert.Throws<OperationCanceledException>(() => train(first, firstHead,
                e => { if (e.Step == 5) throw new OperationCanceledException("interrupted after a checkpoint"); }, checkpoint, null));
        using var resumed = SentenceEncoder.Load(checkpoint);
        using var resumedHead = withHead ? MlmHead.Load(checkpoint, resumed.Model.Config) : null;
        var result = train(resumed, resumedHead, null, checkpoint, checkpoint);
        Assert.Equal(10, result.Steps);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), result.Log.Select(l => l.Step));
        Assert.Equal(full.Log.Select(l => l.Loss), result.Log.Select(l => l.Loss));
        var b = resumed.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var maxDiff = straight.Model.named_parameters().Max(p => (p.parameter - b[p.name]).abs().max().item<float>());
        Assert.True(maxDiff <= 1e-6, $"max |straight - resumed| = {maxDiff}");
        if (withHead)
        {
            var h = resumedHead!.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            Assert.True(straightHead!.named_parameters().Max(p => (p.parameter - h[p.name]).abs().max().item<float>()) <= 1e-6);
        }
    }

    [Theory]
    [InlineData(UnsupervisedMethod.SimCse)]
    [InlineData(UnsupervisedMethod.ESimCse)]
    public void AnUnsupervisedRunResumedFromItsCheckpointEndsAsTheStraightRun(UnsupervisedMethod method)
    {
        var sentences = Sentences();
        // 3 epochs of 4 batches; the run is stopped at step 5 and resumes from the step-3 checkpoint, within an epoch (ESimCSE's
        // queue then holds three steps of keys).
        var options = new UnsupervisedTrainingOptions { Method = method, BatchSize = 24, Epochs = 3, MaxSteps = 10, LearningRate = 1e-3, LogEvery = 1, EvaluateEvery = 0, CheckpointEvery = 3, QueueSize = 48, MlpBatchNorm = method == UnsupervisedMethod.SimCse };
        ResumeEqualsStraight((encoder, _, onLog, checkpoint, resume) => UnsupervisedTrainer.Train(encoder, sentences.Take(96).ToList(), options, null, onLog, checkpoint, resume), withHead: false);
    }

    /// <summary>
    /// max_steps overrides epochs (transformers' Trainer): 3 batches an epoch, epochs 1, max_steps 7 → 7 steps over 3
    /// epochs, the linear decay planned over those 7 steps (the last at 1/7 of the peak); without max_steps, epochs decide.
    /// </summary>
    [Fact]
    public void MaxStepsOverridesEpochsAndTheScheduleEndsWithIt()
    {
        var sentences = Sentences().Take(96).ToList();
        using var encoder = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert"));
        using var head = MlmHead.Load(Path.Combine(Toy, "tiny-bert"), encoder.Model.Config);
        var options = new MlmTrainingOptions { BatchSize = 32, Epochs = 1, MaxSteps = 7, LearningRate = 1e-3, WarmupRatio = 0, LogEvery = 1, MaxLength = 32 };
        var result = MlmTrainer.Train(encoder, head, sentences, options);
        Assert.Equal(7, result.Steps);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), result.Log.Select(l => l.Step));
        Assert.Equal(1e-3 / 7, result.Log[^1].LearningRate, 12); // the last step's rate: the linear decay's last 1/7, as planned for 7 steps
        Assert.Equal(6, MlmTrainer.Train(encoder, head, sentences, options with { MaxSteps = null, Epochs = 2 }).Steps);
    }

    [Fact]
    public void AMaskedLanguageModelRunResumedFromItsCheckpointEndsAsTheStraightRunHeadIncluded()
    {
        var sentences = Sentences();
        var options = new MlmTrainingOptions { BatchSize = 32, MaxSteps = 10, Epochs = 2, LearningRate = 1e-3, LogEvery = 1, CheckpointEvery = 4, MaxLength = 32 };
        ResumeEqualsStraight((encoder, head, onLog, checkpoint, resume) => MlmTrainer.Train(encoder, head!, sentences, options, null, onLog, checkpoint, resume), withHead: true);
    }

    [Fact]
    public void ALoraRunTrainsOnlyItsAdapterSavesItAndResumesAsTheStraightRun()
    {
        var examples = TrainingExampleReader.Read(Path.Combine(Toy, "toy_source.json")).ToList();
        var options = new SupervisedTrainingOptions
        {
            BatchSize = 8,
            GroupSize = 2,
            Epochs = 3,
            MaxSteps = 10,
            LogEvery = 1,
            CheckpointEvery = 3,
            LearningRate = 1e-2,
            QueryMaxLength = 32,
            PassageMaxLength = 32,
            Lora = new LoraOptions { R = 4, LoraAlpha = 8, LoraDropout = 0.1, TargetModules = ["query", "value", "dense"] },
        };
        ResumeEqualsStraight((encoder, _, onLog, checkpoint, resume) => SupervisedTrainer.Train(encoder, examples, options, null, onLog, checkpoint, resume), withHead: false);

        // What the run changed: the adapter only (the transformer's weights are the base model's, bit for bit).
        using var trained = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert"));
        var result = SupervisedTrainer.Train(trained, examples, options);
        using var original = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert"));
        var before = original.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.All(trained.Model.BaseParameters(), p => Assert.Equal(0f, (p.parameter - before[p.name]).abs().max().item<float>()));
        Assert.Equal(10, trained.Model.Lora!.Paths.Count); // per layer: query, value and the three dense projections
        Assert.All(trained.Model.Lora.named_parameters().Where(p => p.name.EndsWith("lora_B.weight", StringComparison.Ordinal)),
            p => Assert.True(p.parameter.abs().max().item<float>() > 0, p.name));
        Assert.True(result.Log[^1].Loss < result.Log[0].Loss, $"loss {result.Log[0].Loss} -> {result.Log[^1].Loss}");
    }

    [Fact]
    public void MethodsThatCannotTrainAnAdapterRefuseLoraByName()
    {
        var lora = new LoraOptions();
        using var encoder = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert"));
        using var head = MlmHead.Load(Path.Combine(Toy, "tiny-bert"), encoder.Model.Config);
        Assert.Equal("lora with masked-language-model training is not supported: the head is saved beside full weights; pre-train the whole model (leave lora out).",
            Assert.Throws<ArgumentException>(() => MlmTrainer.Train(encoder, head, Sentences(), new MlmTrainingOptions { Lora = lora, MaxSteps = 1 })).Message);
        Assert.Equal("lora with esimcse is not supported yet: its momentum encoder follows the model weight by weight; train ESimCSE without an adapter.",
            Assert.Throws<ArgumentException>(() => UnsupervisedTrainer.Train(encoder, Sentences(), new UnsupervisedTrainingOptions { Method = UnsupervisedMethod.ESimCse, Lora = lora, MaxSteps = 1 })).Message);
        Assert.Null(encoder.Model.Lora); // refused before anything was attached
    }

    [Fact]
    public void EveryMethodAccumulatesGradients()
    {
        var sentences = Sentences().Take(96).ToList();
        using var a = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert"));
        var simcse = UnsupervisedTrainer.Train(a, sentences, new UnsupervisedTrainingOptions { BatchSize = 16, GradientAccumulation = 2, Epochs = 1, LogEvery = 1, EvaluateEvery = 0 });
        Assert.Equal([1L, 2, 3], simcse.Log.Select(l => l.Step));      // 6 batches of 16, 2 per step
        using var b = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert"));
        using var head = MlmHead.Load(Path.Combine(Toy, "tiny-bert"), b.Model.Config);
        var mlm = MlmTrainer.Train(b, head, sentences, new MlmTrainingOptions { BatchSize = 16, GradientAccumulation = 3, Epochs = 1, LogEvery = 1, MaxLength = 32 });
        Assert.Equal([1L, 2], mlm.Log.Select(l => l.Step));             // 6 batches, 3 per step
    }

    [Fact]
    public void ACheckpointOfAnotherRunIsRefused()
    {
        var sentences = Sentences();
        using var dir = new TempDir();
        var checkpoint = Path.Combine(dir.Path, "checkpoint");
        var options = new UnsupervisedTrainingOptions { BatchSize = 16, MaxSteps = 2, LogEvery = 1, EvaluateEvery = 0, CheckpointEvery = 2 };
        using (var encoder = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert")))
            UnsupervisedTrainer.Train(encoder, sentences, options, checkpointDirectory: checkpoint);
        using var again = SentenceEncoder.Load(checkpoint);
        var e = Assert.Throws<InvalidDataException>(() => UnsupervisedTrainer.Train(again, sentences, options with { Method = UnsupervisedMethod.ESimCse, MaxSteps = 4 }, resumeFrom: checkpoint));
        Assert.Equal($"checkpoint {checkpoint} was made by another run: max_steps 2 in the checkpoint, 4 now; method SimCse in the checkpoint, ESimCse now. Resume with the data and settings it was made with, or start without resuming.", e.Message);
    }

    /// <summary>
    /// dropout is the transformer's training dropout for every method, set before the objective sees the model: dropout 0
    /// on the tiny model (0.1 in its config.json) trains exactly as a copy whose config.json says 0, SimCSE and supervised
    /// alike; the saved config.json records the value; a checkpoint made with another dropout is refused; a value outside
    /// [0, 1) is refused by name.
    /// </summary>
    [Fact]
    public void DropoutIsTheTrainingDropoutOfEveryMethod()
    {
        var sentences = Sentences();
        var examples = TrainingExampleReader.Read(Path.Combine(Toy, "toy_source.json")).ToList();
        using var dir = new TempDir();
        var withoutDropout = TinyModels.WithoutDropout(dir.Path);
        var unsup = new UnsupervisedTrainingOptions { BatchSize = 16, MaxSteps = 3, LogEvery = 1, EvaluateEvery = 0 };
        var sup = new SupervisedTrainingOptions { BatchSize = 8, GroupSize = 2, MaxSteps = 3, LogEvery = 1, LearningRate = 1e-3, QueryMaxLength = 32, PassageMaxLength = 32 };
        List<double> Losses(TrainingResult r) => r.Log.Select(l => l.Loss).ToList();

        using (var byOption = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert")))
        using (var byConfig = SentenceEncoder.Load(withoutDropout))
        using (var asLoaded = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert")))
        {
            var zero = Losses(UnsupervisedTrainer.Train(byOption, sentences, unsup with { Dropout = 0 }));
            Assert.Equal(Losses(UnsupervisedTrainer.Train(byConfig, sentences, unsup)), zero);
            Assert.NotEqual(Losses(UnsupervisedTrainer.Train(asLoaded, sentences, unsup)), zero);
            Assert.Equal((0.0, 0.0), (byOption.Model.Config.HiddenDropoutProb, byOption.Model.Config.AttentionProbsDropoutProb));
            var saved = Path.Combine(dir.Path, "saved");
            byOption.Save(saved);
            var config = TransformerConfig.Load(Path.Combine(saved, "config.json"));
            Assert.Equal((0.0, 0.0), (config.HiddenDropoutProb, config.AttentionProbsDropoutProb));
        }
        using (var byOption = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert")))
        using (var byConfig = SentenceEncoder.Load(withoutDropout))
            Assert.Equal(Losses(SupervisedTrainer.Train(byConfig, examples, sup)), Losses(SupervisedTrainer.Train(byOption, examples, sup with { Dropout = 0 })));

        var checkpoint = Path.Combine(dir.Path, "checkpoint");
        using (var encoder = SentenceEncoder.Load(Path.Combine(Toy, "tiny-bert")))
            UnsupervisedTrainer.Train(encoder, sentences, unsup with { Dropout = 0.3, MaxSteps = 2, CheckpointEvery = 2 }, checkpointDirectory: checkpoint);
        using var again = SentenceEncoder.Load(checkpoint);
        Assert.Equal(0.3, again.Model.Config.HiddenDropoutProb);
        var refused = Assert.Throws<InvalidDataException>(() => UnsupervisedTrainer.Train(again, sentences, unsup with { MaxSteps = 2 }, resumeFrom: checkpoint));
        Assert.Equal($"checkpoint {checkpoint} was made by another run: dropout 0.3 in the checkpoint, (unset) now. Resume with the data and settings it was made with, or start without resuming.", refused.Message);
        var bad = Assert.Throws<ArgumentException>(() => UnsupervisedTrainer.Train(again, sentences, unsup with { Dropout = 1 }));
        Assert.Equal("dropout 1: expected a probability in [0, 1) (leave it out to keep the model's own).", bad.Message);
    }
}
