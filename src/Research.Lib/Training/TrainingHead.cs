using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// The head that sits on the pooled vector during unsupervised training only (dropped afterwards, so the saved model is
/// the encoder alone):
/// <list type="bullet">
/// <item>SimCSE's (Gao et al. 2021, the cls pooler with mlp_only_train): Linear(d, d) + tanh;</item>
/// <item>DiffCSE's BatchNorm projection (Chuang et al. 2022, its <c>--batchnorm</c> flag, the ProjectionMLP of the
/// official code, used for its STS models): Linear(d, 2d, no bias) → BatchNorm1d(2d) → ReLU → Linear(2d, d, no bias) →
/// BatchNorm1d(d) without affine parameters, so in training every output column of a batch has mean 0 and variance 1.
/// Both views of a batch go through it together, so its statistics are the batch's (<see cref="BatchStatisticsNorm"/>:
/// the head only ever runs in training, so no running statistics are kept).</item>
/// </list>
/// </summary>
internal static class TrainingHead
{
    public static nn.Module<Tensor, Tensor> Create(long dimension, bool batchNorm) => batchNorm
        ? nn.Sequential(
            ("dense", nn.Linear(dimension, 2 * dimension, hasBias: false)),
            ("norm", new BatchStatisticsNorm(2 * dimension)),
            ("activation", nn.ReLU()),
            ("projection", nn.Linear(2 * dimension, dimension, hasBias: false)),
            ("output_norm", new BatchStatisticsNorm(dimension, affine: false)))
        : nn.Sequential(("dense", nn.Linear(dimension, dimension)), ("activation", nn.Tanh()));
}
