namespace Research.Lib.Search;

/// <summary>How vectors are compared: inner product (cosine for normalized vectors; higher is closer) or squared L2 distance (lower is closer).</summary>
public enum VectorMetric
{
    InnerProduct,
    L2,
}
