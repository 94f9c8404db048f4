namespace Research.Lib.Evaluation;

/// <summary>One result: which model, on which task and split, scored what on which metric.</summary>
public sealed record MetricRow(string Model, string Task, string Split, string Metric, double Value);
