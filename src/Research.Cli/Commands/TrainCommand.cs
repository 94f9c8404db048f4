using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Research.Lib.Data;
using Research.Lib.Evaluation;
using Research.Lib.IO;
using Research.Lib.Modeling;
using Research.Lib.Training;

namespace Research.Cli.Commands;

/// <summary><c>research train</c>: supervised contrastive fine-tuning from a JSON config mirroring the options record.</summary>
internal static class TrainCommand
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static readonly JsonSerializerOptions JsonLine = new(Json) { WriteIndented = false, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "JSON training options (snake_case names of SupervisedTrainingOptions; see configs/)." };
        var model = new Option<string>("--model") { Required = true, Description = "Model folder to start from." };
        var data = new Option<string>("--data") { Required = true, Description = "Training JSONL (query, pos, neg)." };
        var eval = new Option<string?>("--eval") { Description = "Evaluate during training: a BEIR folder or the seed's query/pos_passage JSONL (with --eval-neg)." };
        var evalNeg = new Option<string?>("--eval-neg") { Description = "With a seed-format --eval: its neg_passage JSONL." };
        var device = CliOptions.Device();
        var outDir = new Option<string>("--out") { Required = true, Description = "Folder for the trained model, training_log.jsonl and training_args.json (written whole)." };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint folder, written every checkpoint_every steps (default OUT.checkpoint)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint folder exactly where the interrupted run was (same config and data)." };
        var devices = new Option<string?>("--devices") { Description = "Data-parallel over several devices in one process, one replica each: cuda:0,cuda:1,... (overrides --device)." };
        var precision = new Option<string?>("--precision") { Description = "fp32, bf16 or fp16 (fp16: CUDA only, with dynamic loss scaling): mixed precision with float32 master weights; overrides the config's precision." };
        var method = new Option<string>("--method")
        {
            Description = "supervised (query/pos/neg JSONL), simcse, esimcse or diffcse (unsupervised, plain sentences), mlm (masked-language-model pre-training, plain sentences).",
            DefaultValueFactory = _ => "supervised",
        };
        var generator = new Option<string?>("--generator") { Description = "diffcse: a model folder with a masked-language-model head (from --method mlm), used frozen as the generator." };
        var evalSts = new Option<string?>("--eval-sts") { Description = "simcse/esimcse/mlm: evaluate on scored pairs (sentence1<TAB>sentence2<TAB>score): Spearman, main score." };
        var evalPairs = new Option<string?>("--eval-pairs") { Description = "simcse/esimcse/mlm: evaluate on labelled pairs (sentence1<TAB>sentence2<TAB>0|1): AP and F1 (main score when no --eval-sts)." };
        var cmd = new Command("train", "Fine-tune an embedding model: supervised contrastive (InfoNCE or margin/scale), unsupervised (SimCSE, ESimCSE, DiffCSE), or masked-language-model pre-training.")
        {
            config, model, data, eval, evalNeg, device, devices, outDir, checkpoint, resume, precision, method, evalSts, evalPairs, generator,
        };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var methodName = r.GetValue(method)!;
            if (r.GetValue(evalNeg) is not null && r.GetValue(eval) is null)
                throw new ArgumentException("--eval-neg needs --eval: it is the neg_passage file of a seed-format --eval query file.");
            if (methodName != "supervised")
            {
                foreach (var (given, name) in new[] { (r.GetValue(eval) is not null, "--eval"), (r.GetValue(devices) is not null, "--devices"), (r.GetValue(resume), "--resume"), (r.GetValue(checkpoint) is not null, "--checkpoint") })
                    if (given)
                        throw new ArgumentException($"{name} is supported for supervised training only; --method {methodName} "
                            + (name == "--eval" ? "evaluates with --eval-sts and/or --eval-pairs." : name == "--devices" ? "trains on one device (--device)." : "has no checkpoints to resume from."));
                if (r.GetValue(generator) is not null && methodName != "diffcse")
                    throw new ArgumentException($"--generator is DiffCSE's masked-language-model generator; --method {methodName} uses none.");
                UnsupervisedTraining.Run(methodName, r.GetValue(config), r.GetValue(model)!, r.GetValue(data)!, r.GetValue(evalSts), r.GetValue(evalPairs),
                    CliOptions.ParseDevice(r.GetValue(device)!), r.GetValue(precision), r.GetValue(generator), r.GetValue(outDir)!);
                return;
            }
            if (r.GetValue(evalSts) is not null || r.GetValue(evalPairs) is not null)
                throw new ArgumentException($"{(r.GetValue(evalSts) is not null ? "--eval-sts" : "--eval-pairs")} evaluates --method simcse, esimcse, diffcse or mlm; supervised training evaluates retrieval with --eval.");
            if (r.GetValue(generator) is not null)
                throw new ArgumentException("--generator is DiffCSE's masked-language-model generator; supervised training uses none.");
            var options = Options<SupervisedTrainingOptions>(r.GetValue(config));
            if (r.GetValue(precision) is { } p)
                options = options with { Precision = CliOptions.ParsePrecision(p) };
            options.Validate();
            var dataPath = r.GetValue(data)!;
            var examples = CliProgress.OverFile($"reading {Path.GetFileName(dataPath)}", dataPath, p => TrainingExampleReader.Read(dataPath, ReadOptions.Strict with { BytesRead = p }).ToList());
            SupervisedTrainer.CheckData(examples, options, $"--data {dataPath}");
            RetrievalDataset? dev = r.GetValue(eval) is { } evalPath
                ? Directory.Exists(evalPath) ? BeirReader.Read(evalPath, "test") : QueryPassageEvalReader.Read(evalPath, r.GetValue(evalNeg))
                : null;
            var checkpointDir = r.GetValue(checkpoint) ?? r.GetValue(outDir)!.TrimEnd('/') + ".checkpoint";
            var resuming = r.GetValue(resume);
            if (resuming) AtomicDirectory.Recover(checkpointDir); // a kill between the checkpoint's two moves leaves it set aside
            if (resuming && !File.Exists(Path.Combine(checkpointDir, "trainer_state.json")))
                throw new FileNotFoundException($"--resume: no checkpoint in {checkpointDir} (trainer_state.json); start without --resume.");
            var deviceList = r.GetValue(devices) is { Length: > 0 } list ? ReplicatedEncoder.ParseDevices(list) : [CliOptions.ParseDevice(r.GetValue(device)!)];
            var startFrom = resuming ? checkpointDir : r.GetValue(model)!;
            using var encoder = SentenceEncoder.Load(startFrom, deviceList[0]);
            var result = SupervisedTrainer.Train(encoder, examples, options,
                dev is null ? null : e => RetrievalEvaluator.Evaluate(e, dev, 100).Result.Means.Where(kv => kv.Key is "ndcg_at_10" or "mrr_at_10" or "recall_at_100")
                    .Append(new KeyValuePair<string, double>("main_score", RetrievalEvaluator.Evaluate(e, dev, 100).Result["ndcg_at_10"])).ToDictionary(),
                Print,
                options.CheckpointEvery > 0 ? checkpointDir : null, resuming ? checkpointDir : null,
                deviceList.Count > 1 ? (deviceList.Skip(1).ToList(), startFrom) : null);
            WriteRun(r.GetValue(outDir)!, encoder, result, JsonSerializer.SerializeToNode(options, Json)!.AsObject(), r.GetValue(model)!, dataPath);
            Console.WriteLine($"{result.Steps} steps on {examples.Count} records -> {r.GetValue(outDir)}"
                + (result.BestEval is { } best ? $"; best main_score {best["main_score"].ToString("0.0000", CultureInfo.InvariantCulture)} at step {result.BestStep}" : ""));
        }));
        return cmd;
    }

    /// <summary>The trained model folder with training_log.jsonl and training_args.json (the options, model, data, steps), written whole.</summary>
    internal static void WriteRun(string outDir, SentenceEncoder encoder, TrainingResult result, JsonObject args, string model, string data, Action<string>? alsoSave = null)
    {
        AtomicDirectory.Write(outDir, dir =>
        {
            encoder.Save(dir);
            alsoSave?.Invoke(dir);
            AtomicFile.WriteText(Path.Combine(dir, "training_log.jsonl"), w => { foreach (var e in result.Log) { w.Write(JsonSerializer.Serialize(e, JsonLine)); w.Write('\n'); } });
            args["model"] = Path.GetFullPath(model);
            args["data"] = Path.GetFullPath(data);
            args["steps"] = result.Steps;
            AtomicFile.WriteAllText(Path.Combine(dir, "training_args.json"), args.ToJsonString(Json) + "\n");
        });
    }

    /// <summary>A log line on the console: step, epoch, loss, lr, grad norm, score gap, rate, evaluation.</summary>
    internal static void Print(TrainingLogEntry entry)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"step {entry.Step,6}  epoch {entry.Epoch,5:0.00}  loss {entry.Loss,8:0.0000}  lr {entry.LearningRate:0.00e+0}  grad {entry.GradNorm,7:0.000}  gap {entry.ScoreGap,6:0.000}  {entry.ExamplesPerSecond,6:0.0} ex/s");
        if (entry.Eval is { } ev)
            line += "  " + string.Join("  ", ev.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:0.0000}")));
        Console.WriteLine(line);
    }

    /// <summary>The options of a config file (unknown keys are an error naming them), or the defaults.</summary>
    internal static T Options<T>(string? path) where T : new()
    {
        if (path is null) return new T();
        if (!File.Exists(path)) throw new FileNotFoundException($"--config {path}: file not found.", path);
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..]; // a UTF-8 byte-order mark
            DuplicateJsonKeys.Check(path, bytes);
            return JsonSerializer.Deserialize<T>(bytes, Json)
                ?? throw new InvalidDataException($"{path}: empty configuration.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{(e.LineNumber ?? 0) + 1}: {e.Message.Split(" Path:", 2)[0]} (at {e.Path ?? "$"})", e);
        }
    }
}
