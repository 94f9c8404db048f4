using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// BatchNorm1d as a training-only head uses it: every call normalizes each column by the batch's own mean and biased
/// variance (PyTorch's <c>nn.BatchNorm1d</c> in training mode: (x − mean) / √(var + eps) · weight + bias), with no running
/// statistics, since the head is dropped after training and never runs in eval mode. TorchSharp's BatchNorm1d counts
/// batches with <c>num_batches_tracked.add_(1)</c>, a temporary Scalar a garbage collection can free while libtorch reads
/// it (see <see cref="Tensors.Scalars"/>); this calls <c>batch_norm</c> directly and has no such step.
/// </summary>
internal sealed class BatchStatisticsNorm : nn.Module<Tensor, Tensor>
{
    private readonly double _eps;
#pragma warning disable IDE1006 // PyTorch's parameter names
    private readonly Parameter? weight;
    private readonly Parameter? bias;
#pragma warning restore IDE1006

    public BatchStatisticsNorm(long features, bool affine = true, double eps = 1e-5) : base(nameof(BatchStatisticsNorm))
    {
        _eps = eps;
        if (affine)
        {
            weight = new Parameter(ones(features));
            bias = new Parameter(zeros(features));
        }
        RegisterComponents();
    }

    /// <param name="input">(batch, features)</param>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 2 || input.shape[0] < 2)
            throw new ArgumentException($"Batch statistics need a (batch ≥ 2, features) input; got [{string.Join(", ", input.shape)}].");
        return nn.functional.batch_norm(input, null, null, weight, bias, training: true, momentum: 0.0, eps: _eps);
    }
}
