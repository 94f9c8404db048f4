namespace Research.Lib.Losses;

/// <summary>The distance <see cref="TripletLoss"/> compares.</summary>
public enum TripletDistance
{
    /// <summary>1 − cosine similarity.</summary>
    Cosine,

    /// <summary>L2 distance (sentence-transformers' default, with margin 5).</summary>
    Euclidean,
}
