using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// The momentum (exponential moving average) update of a key encoder (MoCo, He et al. 2020; ESimCSE):
/// θ_key ← m·θ_key + (1 − m)·θ_online, parameter by parameter, without gradients. ESimCSE's m is 0.995
/// (caskcsg/sentemb ESimCSE/run.sh). The key encoder must start as a copy of the online encoder (the official code's
/// key encoder started from random weights; MoCo and later reimplementations copy, as here).
/// </summary>
public static class MomentumUpdate
{
    public static void Apply(nn.Module target, nn.Module online, double momentum)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(online);
        if (momentum is < 0 or > 1 || double.IsNaN(momentum))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1].");
        using var noGrad = no_grad();
        using var keep = momentum.ToScalar();
        using var take = (1 - momentum).ToScalar();
        var source = online.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in target.named_parameters())
        {
            if (!source.TryGetValue(name, out var q))
                throw new ArgumentException($"The online encoder has no parameter {name}.");
            p.mul_(keep).add_(q, take);
        }
    }
}
