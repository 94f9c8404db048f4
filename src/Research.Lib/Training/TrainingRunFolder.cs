using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.IO;
using Research.Lib.Modeling;

namespace Research.Lib.Training;

/// <summary>
/// A finished run's folder, written whole (<see cref="AtomicDirectory"/>): the trained model (a Hugging Face +
/// sentence-transformers folder), <c>training_log.jsonl</c> (one <see cref="TrainingLogEntry"/> per line, what notebooks
/// plot), <c>training_args.json</c> (the options in the configuration's spelling, with the model, data and steps) and
/// <c>README.md</c>, the model card (base model, data and its hash, loss, steps, the kept step's evaluation, the configuration).
/// </summary>
public static class TrainingRunFolder
{
    public const string LogFile = "training_log.jsonl";
    public const string ArgsFile = "training_args.json";

    /// <param name="outDir">the folder (replaced whole)</param>
    /// <param name="encoder">the trained model</param>
    /// <param name="result">the run's log and steps</param>
    /// <param name="args">the options as JSON (<see cref="TrainingConfig.ToJson"/>) plus anything to record (e.g. method)</param>
    /// <param name="model">the model the run started from</param>
    /// <param name="data">the training data file</param>
    /// <param name="alsoSave">writes more files of the model into the folder being built (e.g. a masked-language-model head)</param>
    public static void Write(string outDir, SentenceEncoder encoder, TrainingResult result, JsonObject args, string model, string data, Action<string>? alsoSave = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        WriteRun(outDir, result, args, model, data,
            dir =>
            {
                encoder.Save(dir);
                alsoSave?.Invoke(dir);
            },
            (dir, name, description, rows, details) => ModelCard.Write(dir, encoder, name, description, rows, details));
    }

    /// <summary>The folder of a trained cross-encoder (reranker): the model as a Hugging Face sequence-classifier folder, log, arguments and card.</summary>
    public static void Write(string outDir, CrossEncoder reranker, TrainingResult result, JsonObject args, string model, string data)
    {
        ArgumentNullException.ThrowIfNull(reranker);
        WriteRun(outDir, result, args, model, data, reranker.Save,
            (dir, name, description, rows, details) => ModelCard.WriteCrossEncoder(dir, reranker, name, description, rows, details));
    }

    private static void WriteRun(string outDir, TrainingResult result, JsonObject args, string model, string data, Action<string> save,
        Action<string, string, string, List<(string, string)>, string> card)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(args);
        AtomicDirectory.Write(outDir, dir =>
        {
            save(dir);
            AtomicFile.WriteText(Path.Combine(dir, LogFile), w =>
            {
                foreach (var e in result.Log)
                {
                    w.Write(JsonSerializer.Serialize(e, TrainingConfig.JsonLine));
                    w.Write('\n');
                }
            });
            args["model"] = Path.GetFullPath(model);
            args["data"] = Path.GetFullPath(data);
            args["steps"] = result.Steps;
            AtomicFile.WriteAllText(Path.Combine(dir, ArgsFile), args.ToJsonString(TrainingConfig.Json) + "\n");
            var (rows, details) = Card(result, args, model, data);
            card(dir, Path.GetFileName(Path.GetFullPath(outDir)), $"Fine-tuned from {Path.GetFileName(Path.GetFullPath(model))} with {args["method"]?.GetValue<string>() ?? "supervised"}.", rows, details);
        });
    }

    /// <summary>
    /// The model card's rows and text, as sentence-transformers writes a card for a model it trains: the base model, the
    /// data and its SHA-256, the method and loss, the steps, the evaluation at the kept step, and the whole configuration.
    /// Nothing in it depends on the clock, so a run repeated (or resumed) writes the same card.
    /// </summary>
    private static (List<(string, string)> Rows, string Details) Card(TrainingResult result, JsonObject args, string model, string data)
    {
        var method = args["method"]?.GetValue<string>() ?? "supervised";
        var rows = new List<(string, string)>
        {
            ("base model", Path.GetFullPath(model)),
            ("training data", File.Exists(data) ? $"{Path.GetFullPath(data)} (SHA-256 {Sha256(data)})" : Path.GetFullPath(data)),
            ("method", method),
        };
        if (args["loss"] is { } loss) rows.Add(("loss", loss.ToJsonString()));
        rows.Add(("steps", string.Create(CultureInfo.InvariantCulture, $"{result.Steps}{(result.StoppedEarly ? " (stopped early: patience)" : "")}")));
        var kept = args["keep_best"]?.GetValue<bool>() != false && result.BestStep is not null;
        if (result.BestEval is { } best)
            rows.Add(("evaluation", string.Create(CultureInfo.InvariantCulture,
                $"best main_score {TrainingLoop.MainScore(best):0.0000} at step {result.BestStep}; the saved weights are {(kept ? "that step's" : "the last step's")}")));
        var details = new StringBuilder("## Training\n\nTrained by the research kit (`research train`, one `TrainingLoop`).");
        var shown = kept ? result.BestEval : result.Log.LastOrDefault(e => e.Eval is not null)?.Eval;
        if (shown is not null)
        {
            details.Append(string.Create(CultureInfo.InvariantCulture, $"\n\nEvaluation of the saved weights during training:\n\n| metric | value |\n|---|---|\n"));
            foreach (var (metric, value) in shown) details.Append(string.Create(CultureInfo.InvariantCulture, $"| {metric} | {value:0.0000} |\n"));
        }
        details.Append("\n### Configuration (training_args.json)\n\n```json\n").Append(args.ToJsonString(TrainingConfig.Json)).Append("\n```\n");
        return (rows, details.ToString());
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }
}
