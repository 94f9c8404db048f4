namespace Research.Lib.Data;

/// <summary>
/// Two sentences and a gold value: a 0/1 label for pair classification (LCQMC, AFQMC) or a similarity
/// score for STS (Chinese STS-B: 0-5).
/// </summary>
public sealed record TextPair(string Sentence1, string Sentence2, double Score);
