namespace Research.Lib.Modeling;

/// <summary>
/// How self-attention is computed, as Hugging Face's <c>attn_implementation</c>. Both give the same function (the tests
/// hold them to 1e-5 in float32); they differ in speed and memory.
/// </summary>
public enum AttentionImplementation
{
    /// <summary>libtorch's fused <c>scaled_dot_product_attention</c> (flash / memory-efficient kernels where available): the default.</summary>
    Sdpa,

    /// <summary>The textbook form: softmax(Q Kᵀ / √d with padding keys at −∞) V, the (batch, heads, seq, seq) scores materialized.</summary>
    Eager,
}
