using Research.Lib.Data;

namespace Research.Lib.Mining;

/// <summary>The records with their mined negatives (input order) and the counts of what happened.</summary>
public sealed record MiningResult(IReadOnlyList<TrainingExample> Examples, MiningReport Report);
