namespace Research.Lib.Evaluation;

/// <summary>
/// One task of an evaluation suite: its MTEB-style name and type, the local data (absolute path), the split it is
/// reported under, and its languages as MTEB writes them (ISO 639-3 and script: <c>eng-Latn</c>, <c>cmn-Hans</c>).
/// </summary>
public sealed record EvalTaskSpec(string Name, EvalTaskType Type, string Data, string Split = "test", string? Neg = null, IReadOnlyList<string>? Languages = null)
{
    public IReadOnlyList<string> Languages { get; init; } = Languages ?? [];

    /// <summary>The task's headline metric, as MTEB reports it for the type.</summary>
    public string MainScore => Type switch
    {
        EvalTaskType.Retrieval => RetrievalEvaluator.MainScore,
        EvalTaskType.Reranking => "map",
        EvalTaskType.STS => StsEvaluator.MainScore,
        _ => PairClassificationEvaluator.MainScore,
    };
}
