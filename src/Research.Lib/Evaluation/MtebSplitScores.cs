namespace Research.Lib.Evaluation;

/// <summary>
/// One entry of an MTEB results file's <c>scores.&lt;split&gt;</c> list: every metric, the task's main score, the
/// Hugging Face subset (<c>default</c> for single-subset tasks) and the subset's languages.
/// </summary>
public sealed record MtebSplitScores(string HfSubset, IReadOnlyList<string> Languages, double MainScore, IReadOnlyDictionary<string, double> Metrics);
