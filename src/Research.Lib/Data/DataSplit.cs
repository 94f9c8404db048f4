namespace Research.Lib.Data;

/// <summary>The three parts of a split, each in the input's original order.</summary>
public sealed record DataSplit<T>(IReadOnlyList<T> Train, IReadOnlyList<T> Dev, IReadOnlyList<T> Test);
