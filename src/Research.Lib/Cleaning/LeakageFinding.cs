namespace Research.Lib.Cleaning;

/// <summary>
/// A training record that leaks evaluation data: its query is a near duplicate of an evaluation query (kind
/// "query", with their cosine) or an exact copy, after normalization, of an evaluation passage (kind "passage", cosine 1).
/// </summary>
public sealed record LeakageFinding(int Index, string TrainQuery, string Kind, string EvalText, double Cosine);
