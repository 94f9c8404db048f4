using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Modeling.Bert;

#pragma warning disable IDE1006

/// <summary>
/// One LoRA update beside a frozen linear layer: lora_B(lora_A(dropout(x))), multiplied by the adapter's scaling where
/// <see cref="Autocast.Linear"/> adds it to the layer's output. Parameter names are PEFT's (<c>lora_A.weight</c>,
/// <c>lora_B.weight</c>), neither with a bias.
/// </summary>
internal sealed class LoraBranch : nn.Module
{
    private readonly Linear lora_A;
    private readonly Linear lora_B;
    private readonly double _dropout;

    /// <param name="inFeatures">the base layer's input width</param>
    /// <param name="outFeatures">the base layer's output width</param>
    /// <param name="options">rank, scaling, dropout</param>
    /// <param name="generator">draws A (uniform in ±1/√in, nn.Linear's default init); B starts at zero</param>
    public LoraBranch(long inFeatures, long outFeatures, LoraOptions options, Generator generator) : base(nameof(LoraBranch))
    {
        lora_A = nn.Linear(inFeatures, options.R, hasBias: false);
        lora_B = nn.Linear(options.R, outFeatures, hasBias: false);
        _dropout = options.LoraDropout;
        Scaling = options.Scaling;
        using (no_grad())
        {
            var bound = 1.0 / Math.Sqrt(inFeatures);
            lora_A.weight!.uniform_(-bound, bound, generator);
            lora_B.weight!.zero_();
        }
        RegisterComponents();
    }

    public double Scaling { get; }

    public Linear A => lora_A;

    public Linear B => lora_B;

    /// <summary>dropout(x) in training mode, x otherwise.</summary>
    public Tensor Dropout(Tensor x) => FastDropout.Forward(x, _dropout, training);

    /// <summary>scaling · B A: the update a merge adds to the base weight, (out, in).</summary>
    public Tensor Delta()
    {
        using var scope = NewDisposeScope();
        using var scaling = Scaling.ToScalar();
        return lora_B.weight!.matmul(lora_A.weight!).mul(scaling).MoveToOuterDisposeScope();
    }
}
