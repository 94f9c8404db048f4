using Research.Lib.Tensors;
using static TorchSharp.torch;

namespace Research.Lib.Losses;

/// <summary>
/// CoSENT (Su 2022; sentence-transformers' CoSENTLoss) for pairs with graded scores (STS-style data): for every two pairs
/// (i, j) whose gold scores have s_i &gt; s_j, cosine_i should exceed cosine_j; loss = log(1 + Σ exp(scale · (cos_j − cos_i))).
/// Default scale 20 (sentence-transformers).
/// </summary>
public static class CoSentLoss
{
    /// <param name="left">(pairs, dim)</param>
    /// <param name="right">(pairs, dim)</param>
    /// <param name="scores">(pairs) gold similarity scores</param>
    /// <param name="scale">sharpness</param>
    public static Tensor Compute(Tensor left, Tensor right, Tensor scores, double scale = 20)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        ArgumentNullException.ThrowIfNull(scores);
        using var scope = NewDisposeScope();
        var cos = nn.functional.cosine_similarity(left, right, dim: -1).Times(scale);      // (pairs)
        var differences = cos.unsqueeze(0) - cos.unsqueeze(1);                        // [i, j] = cos_j − cos_i
        var ordered = scores.unsqueeze(1).gt(scores.unsqueeze(0));                     // [i, j]: s_i > s_j
        var terms = differences.masked_fill(ordered.logical_not(), Scalars.NegativeInfinity).flatten();
        var loss = logsumexp(cat([zeros(1, dtype: terms.dtype, device: terms.device), terms]), 0); // log(1 + Σ exp(…))
        return loss.MoveToOuterDisposeScope();
    }
}
