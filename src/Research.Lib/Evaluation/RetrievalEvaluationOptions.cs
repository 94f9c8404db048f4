namespace Research.Lib.Evaluation;

/// <summary>
/// Which cut-offs to report and which queries to average over. The defaults are trec_eval's without <c>-c</c>:
/// a query counts when it is both in the run and in the judgments (a judged query with no relevant document
/// counts with zeros); a query of the run without judgments is skipped.
/// </summary>
public sealed record RetrievalEvaluationOptions
{
    /// <summary>Cut-offs (default 1, 3, 5, 10, 20, 50, 100, 1000 — MTEB's list plus 20 and 50).</summary>
    public IReadOnlyList<int> Ks { get; init; } = [1, 3, 5, 10, 20, 50, 100, 1000];

    /// <summary>trec_eval -c: judged queries missing from the run count with zeros.</summary>
    public bool CountUnretrievedJudgedQueries { get; init; }

    /// <summary>Skip judged queries that have no relevant document (instead of counting them with zeros).</summary>
    public bool SkipQueriesWithoutRelevant { get; init; }

    /// <summary>Run queries without any judgment count with zeros (instead of being skipped).</summary>
    public bool CountUnjudgedQueriesAsZero { get; init; }
}
