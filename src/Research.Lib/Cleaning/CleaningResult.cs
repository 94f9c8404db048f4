using Research.Lib.Data;

namespace Research.Lib.Cleaning;

/// <summary>The kept records (input order) and every dropped one with the query it duplicated.</summary>
public sealed record CleaningResult(IReadOnlyList<TrainingExample> Kept, IReadOnlyList<DroppedQuery> Dropped, int Groups)
{
    public int ExactDuplicates => Dropped.Count(d => d.Reason == "exact");

    public int NearDuplicates => Dropped.Count(d => d.Reason == "near");
}
