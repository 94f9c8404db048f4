namespace Research.Lib.Search;

/// <summary>One neighbour: the id given when it was added, and its score (inner product, or squared L2 distance).</summary>
public readonly record struct VectorHit(long Id, float Score);
