using System.Text.Json;
using Research.Lib.Data;
using Research.Lib.Devices;
using Research.Lib.Evaluation;
using Research.Lib.Modeling;
using Research.Lib.Training;

namespace Research.Cli.Commands;

/// <summary><c>research train --method simcse|esimcse|mlm</c>: training on plain sentences, evaluated on STS and/or labelled pairs.</summary>
internal static class UnsupervisedTraining
{
    public static void Run(string method, string? config, string model, string data, string? sts, string? pairs, DeviceSpec device, string? precision, string? generator, string outDir)
    {
        if (method is not ("simcse" or "esimcse" or "diffcse" or "mlm"))
            throw new ArgumentException($"--method {method}: expected supervised, simcse, esimcse, diffcse or mlm.");
        var sentences = CliProgress.OverFile($"reading {Path.GetFileName(data)}", data, p => SentenceReader.Read(data, ReadOptions.Strict with { BytesRead = p }).ToList());
        var stsPairs = sts is null ? null : TextPairReader.Read(sts).ToList();
        var labelled = pairs is null ? null : TextPairReader.ReadBinary(pairs).ToList();
        Func<SentenceEncoder, IReadOnlyDictionary<string, double>>? evaluate = stsPairs is null && labelled is null ? null : e =>
        {
            var metrics = new Dictionary<string, double>();
            if (stsPairs is not null)
                metrics["sts_spearman"] = StsEvaluator.Evaluate(e, stsPairs)[StsEvaluator.MainScore];
            if (labelled is not null)
            {
                var scores = PairClassificationEvaluator.Evaluate(e, labelled);
                metrics["pairs_ap"] = scores[PairClassificationEvaluator.MainScore];
                metrics["pairs_f1"] = scores["max_f1"];
            }
            metrics["main_score"] = metrics.TryGetValue("sts_spearman", out var s) ? s : metrics["pairs_ap"];
            return metrics;
        };
        using var encoder = SentenceEncoder.Load(model, device);
        TrainingResult result;
        System.Text.Json.Nodes.JsonObject args;
        Action<string>? alsoSave = null;
        var keptBest = false;
        if (method == "mlm")
        {
            var options = TrainCommand.Options<MlmTrainingOptions>(config);
            if (precision is not null) options = options with { Precision = CliOptions.ParsePrecision(precision) };
            options.Validate();
            var head = MlmHead.Load(model, encoder.Model.Config, (long)options.Seed);
            result = MlmTrainer.Train(encoder, head, sentences, options, evaluate, TrainCommand.Print);
            args = JsonSerializer.SerializeToNode(options, TrainCommand.Json)!.AsObject();
            alsoSave = head.SaveInto;
        }
        else
        {
            var options = TrainCommand.Options<UnsupervisedTrainingOptions>(config) with
            {
                Method = method switch { "esimcse" => UnsupervisedMethod.ESimCse, "diffcse" => UnsupervisedMethod.DiffCse, _ => UnsupervisedMethod.SimCse },
            };
            if (generator is not null) options = options with { Generator = generator };
            if (precision is not null) options = options with { Precision = CliOptions.ParsePrecision(precision) };
            options.Validate();
            result = UnsupervisedTrainer.Train(encoder, sentences, options, evaluate, TrainCommand.Print);
            keptBest = options.KeepBest;
            args = JsonSerializer.SerializeToNode(options, TrainCommand.Json)!.AsObject();
        }
        args["method"] = method;
        TrainCommand.WriteRun(outDir, encoder, result, args, model, data, alsoSave);
        Console.WriteLine($"{method}: {result.Steps} steps on {sentences.Count} sentences -> {outDir}"
            + (result.BestEval is { } best ? $"; best main_score {best["main_score"]:0.0000} at step {result.BestStep}{(keptBest ? " (kept)" : " (the model is the last step's)")}" : ""));
    }
}
