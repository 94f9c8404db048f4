using Research.Lib.Devices;
using Research.Lib.Modeling;

namespace Research.Lib.Experiments;

/// <summary>
/// One training run as <c>research train</c>, an experiment cell or a notebook asks for it: the method, its configuration
/// (a file, or a JSON object such as an experiment's config with overrides merged in), the starting model, the data,
/// what to evaluate on, where the run and its checkpoints go. <see cref="TrainingJob.Run"/> carries it out.
/// </summary>
public sealed record TrainingRequest
{
    /// <summary>The names <see cref="Method"/> takes.</summary>
    public static IReadOnlyList<string> Methods { get; } = ["supervised", "simcse", "esimcse", "diffcse", "mlm", "reranker"];

    /// <summary>supervised (query/pos/neg JSONL), simcse, esimcse, diffcse (plain sentences), mlm (plain sentences) or reranker (a cross-encoder on query/pos/neg JSONL).</summary>
    public string Method { get; init; } = "supervised";

    /// <summary>A JSON configuration file (snake_case names of the method's options); null: the defaults or <see cref="Config"/>.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>A configuration as JSON (used when <see cref="ConfigPath"/> is null).</summary>
    public System.Text.Json.Nodes.JsonObject? Config { get; init; }

    /// <summary>The model folder to start from.</summary>
    public required string Model { get; init; }

    /// <summary>The training data file.</summary>
    public required string Data { get; init; }

    /// <summary>The run's folder: the trained model, training_log.jsonl, training_args.json (written whole).</summary>
    public required string Out { get; init; }

    /// <summary>
    /// supervised: evaluate retrieval on a BEIR folder or a query/pos_passage JSONL (with <see cref="EvalNeg"/>); reranker:
    /// re-rank BM25's top <see cref="RerankTop"/> of that data set.
    /// </summary>
    public string? Eval { get; init; }

    public string? EvalNeg { get; init; }

    /// <summary>Every method but reranker: scored pairs (sentence1 TAB sentence2 TAB score) for STS Spearman, the best step kept.</summary>
    public string? EvalSts { get; init; }

    /// <summary>Every method but reranker: labelled pairs (sentence1 TAB sentence2 TAB 0|1) for AP and F1.</summary>
    public string? EvalPairs { get; init; }

    /// <summary>diffcse: the generator's model folder (overrides the configuration's).</summary>
    public string? Generator { get; init; }

    /// <summary>reranker with <see cref="Eval"/>: candidates per dev query from BM25, re-ranked at every evaluation.</summary>
    public int RerankTop { get; init; } = 100;

    /// <summary>Overrides the configuration's precision.</summary>
    public EncodePrecision? Precision { get; init; }

    /// <summary>The devices: the first trains; more make a supervised run data-parallel.</summary>
    public IReadOnlyList<DeviceSpec> Devices { get; init; } = [DeviceSpec.Cpu];

    /// <summary>The checkpoint folder (default <see cref="Out"/> + ".checkpoint"), written every checkpoint_every steps.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>Continue from the checkpoint folder exactly where an interrupted run stopped.</summary>
    public bool Resume { get; init; }

    /// <summary>A TensorBoard log folder: every log line's scalars also go to an event file there as the run trains (null: none).</summary>
    public string? TensorBoard { get; init; }

    /// <summary>The checkpoint folder this request uses.</summary>
    public string CheckpointDirectory => Checkpoint ?? Out.TrimEnd('/', Path.DirectorySeparatorChar) + ".checkpoint";
}
