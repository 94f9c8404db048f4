namespace Research.Lib.Data;

/// <summary>A query of a retrieval evaluation set.</summary>
public sealed record EvalQuery(string Id, string Text);
