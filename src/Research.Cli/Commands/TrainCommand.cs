using System.CommandLine;
using Research.Lib.Experiments;
using Research.Lib.Modeling;
using Research.Lib.Training;

namespace Research.Cli.Commands;

/// <summary><c>research train</c>: supervised contrastive fine-tuning from a JSON config mirroring the options record.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "JSON training options (snake_case names of SupervisedTrainingOptions; see configs/)." };
        var model = new Option<string>("--model") { Required = true, Description = "Model folder to start from." };
        var data = new Option<string>("--data") { Required = true, Description = "Training JSONL (query, pos, neg)." };
        var eval = new Option<string?>("--eval") { Description = "Evaluate during training: a BEIR folder or the seed's query/pos_passage JSONL (with --eval-neg); a reranker re-ranks BM25's top --rerank-top of it." };
        var evalNeg = new Option<string?>("--eval-neg") { Description = "With a seed-format --eval: its neg_passage JSONL." };
        var device = CliOptions.Device();
        var outDir = new Option<string>("--out") { Required = true, Description = "Folder for the trained model, training_log.jsonl and training_args.json (written whole)." };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint folder, written every checkpoint_every steps (default OUT.checkpoint); every method." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint folder exactly where the interrupted run was (same config and data)." };
        var devices = new Option<string?>("--devices") { Description = "Data-parallel over several devices in one process, one replica each: cuda:0,cuda:1,... (overrides --device)." };
        var tensorboard = new Option<string?>("--tensorboard") { Description = "TensorBoard log folder: loss, learning rate, gradient norm, score gap, examples/s and every evaluation metric per log line, as the run trains (tensorboard --logdir DIR)." };
        var precision = new Option<string?>("--precision") { Description = "fp32, bf16 or fp16 (fp16: CUDA only, with dynamic loss scaling): mixed precision with float32 master weights; overrides the config's precision." };
        var method = new Option<string>("--method")
        {
            Description = "supervised (query/pos/neg JSONL), simcse, esimcse or diffcse (unsupervised, plain sentences), mlm (masked-language-model pre-training, plain sentences), reranker (a cross-encoder on query/pos/neg JSONL, from a cross-encoder or any encoder folder).",
            DefaultValueFactory = _ => "supervised",
        };
        var generator = new Option<string?>("--generator") { Description = "diffcse: a model folder with a masked-language-model head (from --method mlm), used frozen as the generator." };
        var rerankTop = new Option<int?>("--rerank-top") { Description = "reranker: the BM25 candidates per --eval query re-ranked at each evaluation (default 100)." };
        var evalSts = new Option<string?>("--eval-sts") { Description = "Evaluate on scored pairs (sentence1<TAB>sentence2<TAB>score): Spearman, main score (supervised runs on STS-style data, and simcse/esimcse/diffcse/mlm)." };
        var evalPairs = new Option<string?>("--eval-pairs") { Description = "Evaluate on labelled pairs (sentence1<TAB>sentence2<TAB>0|1): AP and F1 (main score when no --eval-sts)." };
        var cmd = new Command("train", "Fine-tune an embedding model: supervised contrastive (InfoNCE or margin/scale), unsupervised (SimCSE, ESimCSE, DiffCSE), masked-language-model pre-training, or a cross-encoder reranker.")
        {
            config, model, data, eval, evalNeg, device, devices, outDir, checkpoint, resume, precision, method, evalSts, evalPairs, generator, tensorboard, rerankTop,
        };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var methodName = r.GetValue(method)!;
            if (r.GetValue(evalNeg) is not null && r.GetValue(eval) is null)
                throw new ArgumentException("--eval-neg needs --eval: it is the neg_passage file of a seed-format --eval query file.");
            if (!TrainingRequest.Methods.Contains(methodName))
                throw new ArgumentException($"--method {methodName}: expected supervised, simcse, esimcse, diffcse, mlm or reranker.");
            var retrieval = methodName is "supervised" or "reranker";
            if (!retrieval && r.GetValue(eval) is not null)
                throw new ArgumentException($"--eval is supported for supervised and reranker training; --method {methodName} evaluates with --eval-sts and/or --eval-pairs.");
            var pairFlag = r.GetValue(evalSts) is not null ? "--eval-sts" : r.GetValue(evalPairs) is not null ? "--eval-pairs" : null;
            if (methodName == "reranker" && pairFlag is not null)
                throw new ArgumentException($"{pairFlag} evaluates sentence embeddings; --method reranker evaluates re-ranking with --eval.");
            if (pairFlag is not null && r.GetValue(eval) is not null)
                throw new ArgumentException($"--eval and {pairFlag}: give one evaluation for the run's main score (retrieval with --eval, or scored / labelled pairs).");
            if (methodName != "supervised" && r.GetValue(devices) is not null)
                throw new ArgumentException($"--devices is supported for supervised training only; --method {methodName} trains on one device (--device).");
            if (methodName != "diffcse" && r.GetValue(generator) is not null)
                throw new ArgumentException($"--generator is DiffCSE's masked-language-model generator; --method {methodName} uses none.");
            if (r.GetValue(rerankTop) is not null && (methodName != "reranker" || r.GetValue(eval) is null))
                throw new ArgumentException("--rerank-top is the number of BM25 candidates a reranker's --eval re-ranks; it needs --method reranker and --eval.");
            var request = new TrainingRequest
            {
                Method = methodName,
                ConfigPath = r.GetValue(config),
                Model = r.GetValue(model)!,
                Data = r.GetValue(data)!,
                Out = r.GetValue(outDir)!,
                Eval = r.GetValue(eval),
                EvalNeg = r.GetValue(evalNeg),
                EvalSts = r.GetValue(evalSts),
                EvalPairs = r.GetValue(evalPairs),
                Generator = r.GetValue(generator),
                Precision = r.GetValue(precision) is { } p ? CliOptions.ParsePrecision(p) : null,
                Devices = r.GetValue(devices) is { Length: > 0 } list ? ReplicatedEncoder.ParseDevices(list) : [CliOptions.ParseDevice(r.GetValue(device)!)],
                Checkpoint = r.GetValue(checkpoint),
                Resume = r.GetValue(resume),
                TensorBoard = r.GetValue(tensorboard),
                RerankTop = r.GetValue(rerankTop) ?? 100,
            };
            var outcome = TrainingJob.Run(request, Print, new ConsoleReadProgress(), notice => Console.Error.WriteLine(notice));
            Console.WriteLine(outcome.Summary(methodName, request.Out));
        }));
        return cmd;
    }

    /// <summary>A log line on the console.</summary>
    internal static void Print(TrainingLogEntry entry) => Console.WriteLine(entry.ToConsoleLine());

    /// <summary>The options of a config file (unknown keys are an error naming them), or the defaults.</summary>
    internal static T Options<T>(string? path) where T : new() => TrainingConfig.Read<T>(path, "--config");

    /// <summary>The console's progress bar for reading the data.</summary>
    private sealed class ConsoleReadProgress : IReadProgress
    {
        public T OverFile<T>(string description, string path, Func<IProgress<long>, T> read) => CliProgress.OverFile(description, path, read);
    }
}
