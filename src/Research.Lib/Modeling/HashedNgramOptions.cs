namespace Research.Lib.Modeling;

/// <summary>
/// Settings of the <see cref="HashedNgramEncoder"/>. Defaults: 1,024 dimensions (collisions stay rare for short
/// queries while a million vectors fit in 4 GiB), Chinese character 1- to 3-grams, English words plus character
/// 3-grams of each word (with boundary marks, as fastText's subwords), sublinear term frequency (1 + log tf) and
/// smoothed idf log((1 + N) / (1 + df)) + 1, as scikit-learn's TfidfVectorizer.
/// </summary>
public sealed record HashedNgramOptions
{
    private readonly int _dimension = 1024;

    public int Dimension
    {
        get => _dimension;
        init => _dimension = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(Dimension), value, "Dimension must be positive.");
    }

    /// <summary>Longest character n-gram taken from runs of CJK characters (1..this).</summary>
    public int CjkMaxN { get; init; } = 3;

    /// <summary>Character n-gram length inside non-CJK words (0: words only).</summary>
    public int WordCharN { get; init; } = 3;

    public bool SublinearTf { get; init; } = true;
}
