using System.Text.Json.Nodes;

namespace Research.Lib.Experiments;

/// <summary>
/// One training recipe of an experiment grid: a name, a method (<c>supervised</c>, <c>simcse</c>, <c>esimcse</c>,
/// <c>diffcse</c>, <c>reranker</c>: a cross-encoder, evaluated as the second stage over BM25's top 100), a training config (absolute path, or null for the defaults), top-level config overrides merged
/// over it, the training data (absolute path), for DiffCSE the generator folder, and the dev files the run evaluates on
/// to keep its best step (<c>research train --eval-sts / --eval-pairs</c>: scored or labelled pairs, absolute paths).
/// </summary>
public sealed record ExperimentVariant(string Name, string Method, string? Config, JsonObject Overrides, string Data, string? Generator = null,
    string? EvalSts = null, string? EvalPairs = null);
