using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Modeling;

/// <summary>Pooling of token states into sentence vectors; padding never contributes. Inputs are right-padded.</summary>
public static class Pooling
{
    /// <param name="hidden">(batch, seq, hidden)</param>
    /// <param name="attentionMask">(batch, seq), 1 for tokens and 0 for padding</param>
    /// <param name="mode">Which tokens make the sentence vector.</param>
    /// <returns>(batch, hidden)</returns>
    public static Tensor Pool(Tensor hidden, Tensor attentionMask, PoolingMode mode)
    {
        using var scope = NewDisposeScope();
        Tensor pooled;
        switch (mode)
        {
            case PoolingMode.Cls:
                pooled = hidden.select(1, 0);
                break;
            case PoolingMode.Mean:
                var m = attentionMask.to_type(hidden.dtype).unsqueeze(-1);          // (batch, seq, 1)
                using (var eps = 1e-9.ToScalar())
                    pooled = (hidden * m).sum(1) / m.sum(1).clamp_min(eps);       // (batch, hidden)
                break;
            case PoolingMode.LastToken:
                var lengths = attentionMask.to_type(ScalarType.Int64).sum(1);      // (batch)
                var last = lengths - torch.ones_like(lengths);
                var index = last.view(-1, 1, 1).expand(-1, 1, hidden.shape[2]);    // (batch, 1, hidden)
                pooled = hidden.gather(1, index).squeeze(1);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown pooling mode.");
        }
        return pooled.MoveToOuterDisposeScope();
    }

    /// <summary>Row-wise L2 normalization (rows of zeros stay zero), so dot product equals cosine.</summary>
    public static Tensor Normalize(Tensor x) => nn.functional.normalize(x, p: 2, dim: -1);
}
