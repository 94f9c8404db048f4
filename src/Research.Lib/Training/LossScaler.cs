using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// Dynamic loss scaling for float16 training, with PyTorch's <c>torch.amp.GradScaler</c> defaults (init_scale 2^16,
/// growth_factor 2, backoff_factor 0.5, growth_interval 2000): the loss is multiplied by <see cref="Scale"/> before
/// backward so small float16 gradients do not underflow; before the optimizer step the gradients are divided by it;
/// a step whose gradients hold inf or NaN is skipped and the scale halved; after 2,000 good steps in a row it doubles.
/// Disabled (scale 1, never changes) for float32 and bfloat16, whose exponent range needs no scaling.
/// </summary>
internal sealed class LossScaler
{
    public const double InitialScale = 65536;
    public const int GrowthInterval = 2000;

    public LossScaler(bool enabled, double scale = InitialScale, int goodSteps = 0)
    {
        Enabled = enabled;
        Scale = enabled ? scale : 1;
        GoodSteps = enabled ? goodSteps : 0;
    }

    public bool Enabled { get; }

    public double Scale { get; private set; }

    /// <summary>Good steps since the last change of the scale.</summary>
    public int GoodSteps { get; private set; }

    /// <summary>Divides every gradient by the scale; false (and the scale halved) when any is inf or NaN: skip the step.</summary>
    public bool Unscale(IEnumerable<Tensor> gradients)
    {
        if (!Enabled) return true;
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var scale = Scale.ToScalar();
        var finite = true;
        foreach (var g in gradients)
        {
            g.div_(scale);
            if (finite && !g.isfinite().all().item<bool>()) finite = false;
        }
        Update(finite);
        return finite;
    }

    /// <summary>
    /// The end of a training step: unscale (a float16 overflow skips the step: false, gradients cleared), clip to
    /// <paramref name="maxGradNorm"/>, set the learning rate, AdamW step, clear the gradients. Shared by every trainer.
    /// </summary>
    public bool Step(FlatAdamW optimizer, double learningRate, double maxGradNorm, ref double gradNorm)
    {
        var stepped = Step(optimizer, learningRate, maxGradNorm, out var norm);
        if (stepped)
        {
            gradNorm = norm is null ? 0 : norm.item<double>();
            norm?.Dispose();
        }
        return stepped;
    }

    /// <summary>
    /// <see cref="Step(FlatAdamW, double, double, ref double)"/> that leaves the gradient norm on the device
    /// (<see cref="FlatAdamW.ClipGradNormOnDevice"/>; the caller disposes it), so a GPU step needs no read-back here.
    /// </summary>
    public bool Step(FlatAdamW optimizer, double learningRate, double maxGradNorm, out Tensor? gradNorm)
    {
        gradNorm = null;
        if (!Unscale(optimizer.Gradients()))
        {
            optimizer.ZeroGrad();
            return false;
        }
        gradNorm = optimizer.ClipGradNormOnDevice(maxGradNorm);
        optimizer.LearningRate = learningRate;
        optimizer.Step();
        optimizer.ZeroGrad();
        return true;
    }

    /// <summary>Halves the scale after an overflow, doubles it after <see cref="GrowthInterval"/> good steps.</summary>
    public void Update(bool finite)
    {
        if (!Enabled) return;
        if (!finite)
        {
            Scale *= 0.5;
            GoodSteps = 0;
        }
        else if (++GoodSteps == GrowthInterval)
        {
            Scale *= 2;
            GoodSteps = 0;
        }
    }
}
