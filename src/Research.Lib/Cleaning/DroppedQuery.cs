namespace Research.Lib.Cleaning;

/// <summary>
/// One removed record: its position and query, the kept query of its group, their cosine (1 for exact duplicates),
/// the group's size, and why it went ("exact" or "near").
/// </summary>
public sealed record DroppedQuery(int Index, string Query, int KeptIndex, string KeptQuery, double Cosine, int GroupSize, string Reason);
