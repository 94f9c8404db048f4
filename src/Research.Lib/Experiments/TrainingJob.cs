using Research.Lib.Data;
using Research.Lib.Devices;
using Research.Lib.Evaluation;
using Research.Lib.IO;
using Research.Lib.Modeling;
using Research.Lib.Training;

namespace Research.Lib.Experiments;

/// <summary>
/// A whole training run, the one code path of <c>research train</c>, experiment grids and notebooks: the configuration
/// read and checked, the data read, the evaluation callback built (retrieval for supervised runs, STS / pairs for the
/// others), the model loaded (from the checkpoint when resuming), the method trained by <see cref="TrainingLoop"/>, and
/// the run folder written (<see cref="TrainingRunFolder"/>). Started as one of several processes (torchrun-style
/// RANK / WORLD_SIZE / MASTER_ADDR / MASTER_PORT, srun, mpirun: <see cref="LaunchEnvironment"/>), supervised training
/// runs data-parallel over them through Gloo; rank 0 logs and writes the run folder and the checkpoints.
/// </summary>
public static class TrainingJob
{
    /// <param name="request">what to train</param>
    /// <param name="onLog">told every log line</param>
    /// <param name="progress">shows the progress of reading the data (default none)</param>
    /// <param name="onNotice">told a warning about the settings before training starts (e.g. bf16 on a CPU without bf16 units)</param>
    public static TrainingJobResult Run(TrainingRequest request, Action<TrainingLogEntry>? onLog = null, IReadProgress? progress = null, Action<string>? onNotice = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        progress ??= IReadProgress.None;
        if (!TrainingRequest.Methods.Contains(request.Method))
            throw new ArgumentException($"--method {request.Method}: expected {string.Join(", ", TrainingRequest.Methods.SkipLast(1))} or {TrainingRequest.Methods[^1]}.");
        if (request.Devices.Count == 0) throw new ArgumentException("No device to train on.");
        var checkpointDir = request.CheckpointDirectory;
        if (request.Resume)
        {
            AtomicDirectory.Recover(checkpointDir); // a kill between the checkpoint's two moves leaves it set aside
            if (!File.Exists(Path.Combine(checkpointDir, "trainer_state.json")))
                throw new FileNotFoundException($"--resume: no checkpoint in {checkpointDir} (trainer_state.json); start without --resume.");
        }
        var startFrom = request.Resume ? checkpointDir : request.Model;
        // Started by torchrun, research launch, srun or mpirun with more than one process: data-parallel over them.
        var launch = LaunchEnvironment.FromProcess();
        if (launch is not null && request.Method != "supervised")
            throw new ArgumentException($"{launch.Launcher} started {launch.WorldSize} processes, and multi-process training supports --method supervised; --method {request.Method} trains in one process.");
        if (launch is not null && request.Devices.Count > 1)
            throw new ArgumentException($"--devices and {launch.WorldSize} processes together are not supported: give each process one device (--device).");
        if (launch is not null) ShareCores(launch);
        using var group = launch is null ? null : ProcessGroup.Connect(launch, LaunchEnvironment.Timeout(Environment.GetEnvironmentVariable));
        if (group is { IsMain: false }) (onLog, request) = (null, request with { TensorBoard = null }); // rank 0 logs
        // The event file is opened with the first log line, so a run refused before training leaves none.
        TensorBoardWriter? board = null;
        if (request.TensorBoard is { } boardDir)
        {
            var inner = onLog;
            onLog = entry =>
            {
                board ??= new TensorBoardWriter(boardDir);
                foreach (var (tag, value) in entry.Scalars()) board.AddScalar(tag, value, entry.Step);
                inner?.Invoke(entry);
            };
        }
        try
        {
            return request.Method switch
            {
                "supervised" => Supervised(request, startFrom, checkpointDir, onLog, progress, onNotice, group),
                "mlm" => Mlm(request, startFrom, checkpointDir, onLog, progress, onNotice),
                "reranker" => Reranker(request, startFrom, checkpointDir, onLog, progress, onNotice),
                _ => Unsupervised(request, startFrom, checkpointDir, onLog, progress, onNotice),
            };
        }
        finally
        {
            board?.Dispose();
        }
    }

    /// <summary>
    /// The processes of a job on one node share its cores (<see cref="LaunchEnvironment.ThreadsPerProcess"/>), unless
    /// OMP_NUM_THREADS says how many threads each takes.
    /// </summary>
    private static void ShareCores(LaunchEnvironment launch)
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OMP_NUM_THREADS"))) return;
        var cores = TorchSharp.torch.get_num_threads();
        if (launch.ThreadsPerProcess(cores) is not { } threads || threads == cores) return;
        TorchSharp.torch.set_num_threads(threads);
    }

    private static TrainingJobResult Supervised(TrainingRequest r, string startFrom, string checkpointDir, Action<TrainingLogEntry>? onLog, IReadProgress progress, Action<string>? onNotice, ProcessGroup? group)
    {
        var options = Options<SupervisedTrainingOptions>(r, onNotice);
        options.Validate();
        var examples = progress.OverFile($"reading {Path.GetFileName(r.Data)}", r.Data, p => TrainingExampleReader.Read(r.Data, ReadOptions.Strict with { BytesRead = p }).ToList());
        SupervisedTrainer.CheckData(examples, options, $"--data {r.Data}");
        RetrievalDataset? dev = r.Eval is { } evalPath
            ? Directory.Exists(evalPath) ? BeirReader.Read(evalPath, "test") : QueryPassageEvalReader.Read(evalPath, r.EvalNeg)
            : null;
        using var encoder = SentenceEncoder.Load(startFrom, r.Devices[0]);
        var result = SupervisedTrainer.Train(encoder, examples, options, dev is null ? PairEvaluation(r) : TrainingEvaluators.Retrieval(dev), onLog,
            options.CheckpointEvery > 0 ? checkpointDir : null, r.Resume ? checkpointDir : null,
            r.Devices.Count > 1 ? (r.Devices.Skip(1).ToList(), startFrom) : null, group);
        if (group?.IsMain ?? true) TrainingRunFolder.Write(r.Out, encoder, result, TrainingConfig.ToJson(options), r.Model, r.Data);
        group?.Barrier(); // the job ends when the run folder is written
        return new TrainingJobResult(result, examples.Count, options.KeepBest && result.BestEval is not null, group?.Launch);
    }

    private static TrainingJobResult Reranker(TrainingRequest r, string startFrom, string checkpointDir, Action<TrainingLogEntry>? onLog, IReadProgress progress, Action<string>? onNotice)
    {
        var options = Options<RerankerTrainingOptions>(r, onNotice);
        options.Validate();
        if (r.RerankTop < 1) throw new ArgumentException($"--rerank-top {r.RerankTop}: expected at least 1 candidate per query.");
        var examples = progress.OverFile($"reading {Path.GetFileName(r.Data)}", r.Data, p => TrainingExampleReader.Read(r.Data, ReadOptions.Strict with { BytesRead = p }).ToList());
        RerankerObjective.CheckData(examples, options, $"--data {r.Data}");
        RetrievalDataset? dev = r.Eval is { } evalPath
            ? Directory.Exists(evalPath) ? BeirReader.Read(evalPath, "test") : QueryPassageEvalReader.Read(evalPath, r.EvalNeg)
            : null;
        // The first stage is ranked once; every evaluation re-ranks the same candidates.
        var evaluate = dev is null ? null : RerankingEvaluator.ForTraining(dev, RerankingEvaluator.Bm25FirstStage(dev, r.RerankTop), r.RerankTop);
        using var reranker = CrossEncoder.Load(startFrom, r.Devices[0], options.MaxLength, (long)options.Seed);
        var result = RerankerTrainer.Train(reranker, examples, options, evaluate, onLog,
            options.CheckpointEvery > 0 ? checkpointDir : null, r.Resume ? checkpointDir : null);
        var args = TrainingConfig.ToJson(options);
        args["method"] = r.Method;
        TrainingRunFolder.Write(r.Out, reranker, result, args, r.Model, r.Data);
        return new TrainingJobResult(result, examples.Count, options.KeepBest && result.BestEval is not null);
    }

    private static TrainingJobResult Unsupervised(TrainingRequest r, string startFrom, string checkpointDir, Action<TrainingLogEntry>? onLog, IReadProgress progress, Action<string>? onNotice)
    {
        var options = Options<UnsupervisedTrainingOptions>(r, onNotice) with
        {
            Method = r.Method switch { "esimcse" => UnsupervisedMethod.ESimCse, "diffcse" => UnsupervisedMethod.DiffCse, _ => UnsupervisedMethod.SimCse },
        };
        if (r.Generator is not null) options = options with { Generator = r.Generator };
        options.Validate();
        var sentences = Sentences(r, progress);
        using var encoder = SentenceEncoder.Load(startFrom, r.Devices[0]);
        var result = UnsupervisedTrainer.Train(encoder, sentences, options, PairEvaluation(r), onLog,
            options.CheckpointEvery > 0 ? checkpointDir : null, r.Resume ? checkpointDir : null);
        var args = TrainingConfig.ToJson(options);
        args["method"] = r.Method;
        TrainingRunFolder.Write(r.Out, encoder, result, args, r.Model, r.Data);
        return new TrainingJobResult(result, sentences.Count, options.KeepBest && result.BestEval is not null);
    }

    private static TrainingJobResult Mlm(TrainingRequest r, string startFrom, string checkpointDir, Action<TrainingLogEntry>? onLog, IReadProgress progress, Action<string>? onNotice)
    {
        var options = Options<MlmTrainingOptions>(r, onNotice);
        options.Validate();
        var sentences = Sentences(r, progress);
        using var encoder = SentenceEncoder.Load(startFrom, r.Devices[0]);
        using var head = MlmHead.Load(startFrom, encoder.Model.Config, (long)options.Seed);
        var result = MlmTrainer.Train(encoder, head, sentences, options, PairEvaluation(r), onLog,
            options.CheckpointEvery > 0 ? checkpointDir : null, r.Resume ? checkpointDir : null);
        var args = TrainingConfig.ToJson(options);
        args["method"] = r.Method;
        TrainingRunFolder.Write(r.Out, encoder, result, args, r.Model, r.Data, head.SaveInto);
        return new TrainingJobResult(result, sentences.Count, options.KeepBest && result.BestEval is not null);
    }

    private static T Options<T>(TrainingRequest r, Action<string>? onNotice) where T : OptimizationOptions, new()
    {
        var options = r.ConfigPath is not null ? TrainingConfig.Read<T>(r.ConfigPath, "--config")
            : r.Config is not null ? TrainingConfig.FromJson<T>(r.Config, "config")
            : new T();
        if (r.Checkpoint is not null && !r.Resume && options.CheckpointEvery == 0)
            throw new ArgumentException($"--checkpoint {r.Checkpoint}: checkpoint_every is 0, so no checkpoint would be written there; set checkpoint_every in the config.");
        options = r.Precision is { } p ? options with { Precision = p } : options;
        if (options.Precision == EncodePrecision.BFloat16 && r.Devices.All(d => d.Resolve().type == TorchSharp.DeviceType.CPU)
            && CpuFeatures.Bf16TrainingWarning(CpuFeatures.Flags) is { } warning)
            onNotice?.Invoke(warning);
        return options;
    }

    private static List<string> Sentences(TrainingRequest r, IReadProgress progress) =>
        progress.OverFile($"reading {Path.GetFileName(r.Data)}", r.Data, p => SentenceReader.Read(r.Data, ReadOptions.Strict with { BytesRead = p }).ToList());

    /// <summary>The --eval-sts / --eval-pairs evaluation, its files read and checked before any training step.</summary>
    private static Func<SentenceEncoder, IReadOnlyDictionary<string, double>>? PairEvaluation(TrainingRequest r)
    {
        var sts = r.EvalSts is null ? null : TextPairReader.Read(r.EvalSts).ToList();
        var labelled = r.EvalPairs is null ? null : TextPairReader.ReadBinary(r.EvalPairs).ToList();
        if (sts is { Count: < 2 })
            throw new ArgumentException($"--eval-sts {r.EvalSts}: {sts.Count} scored pair(s); a Spearman correlation needs at least 2.");
        if (labelled is { Count: 0 })
            throw new ArgumentException($"--eval-pairs {r.EvalPairs}: no labelled pairs.");
        return TrainingEvaluators.Pairs(sts, labelled);
    }
}
