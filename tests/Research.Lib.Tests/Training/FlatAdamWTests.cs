using Research.Lib.Tensors;
using Research.Lib.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Tests.Training;

/// <summary>AdamW over one flat buffer against TorchSharp's per-parameter AdamW and clip_grad_norm_.</summary>
public class FlatAdamWTests
{
    /// <summary>Three parameters, the last never used by the loss (it must be skipped: no decay, no moments).</summary>
    private static List<Parameter> Parameters(int seed)
    {
        var g = new Generator((ulong)seed);
        return [new Parameter(randn([4, 3], generator: g)), new Parameter(randn([3], generator: g)), new Parameter(randn([2, 2], generator: g))];
    }

    private static Tensor Loss(IReadOnlyList<Parameter> p, int step)
    {
        var x = linspace(-1, 1, 12).reshape(4, 3).Times(step + 1.0);
        return (p[0] * x).sum(1).Squared().sum().Plus((p[1] * p[1]).sum().Times(3.0)).Plus(p[0].sum() * p[1].sum()).Times(5.0);
    }

    [Fact]
    public void EqualsTorchSharpAdamWAndClipping()
    {
        var reference = Parameters(3);
        var flat = Parameters(3);
        using var adamw = optim.AdamW(reference, 0.01, weight_decay: 0.1);
        using var mine = new FlatAdamW(flat, 0.01, 0.1);
        for (var step = 0; step < 4; step++)
        {
            Loss(reference, step).backward();
            var referenceNorm = nn.utils.clip_grad_norm_(reference, 1.0);
            adamw.step();
            adamw.zero_grad();

            Loss(flat, step).backward();
            var norm = mine.ClipGradNorm(1.0);
            mine.Step();
            mine.ZeroGrad();

            Assert.Equal(referenceNorm, norm, 4);
            Assert.True(referenceNorm > 1, "the clipping must be active for the test to mean something");
        }
        for (var i = 0; i < 3; i++)
            Assert.True(reference[i].allclose(flat[i], rtol: 0, atol: 1e-6), $"parameter {i}: {(reference[i] - flat[i]).abs().max().item<float>()}");
        Assert.Equal(Parameters(3)[2].data<float>().ToArray(), flat[2].data<float>().ToArray()); // unused: untouched
        Assert.Equal(4, mine.StepCount);
    }

    [Fact]
    public void ParametersLeftOutOfWeightDecayStepAsAdamWithoutDecay()
    {
        // A bias, a matrix, a bias: the flat buffer holds the decayed matrix first; the result must equal torch's AdamW over
        // the matrix with decay 0.1 beside another AdamW over the biases without decay.
        List<Parameter> Make()
        {
            var g = new Generator(11);
            return [new Parameter(randn([3], generator: g)), new Parameter(randn([4, 3], generator: g)), new Parameter(randn([3], generator: g))];
        }
        Tensor Loss3(IReadOnlyList<Parameter> p, int step) => Loss([p[1], p[0]], step).Plus((p[2] * p[0]).sum().Times(2.0));
        var reference = Make();
        var flat = Make();
        using var decayed = optim.AdamW([reference[1]], 0.01, weight_decay: 0.1);
        using var plain = optim.AdamW([reference[0], reference[2]], 0.01, weight_decay: 0);
        Assert.Equal([0, 2], FlatAdamW.WithoutDecay(flat).Select(x => flat.FindIndex(q => ReferenceEquals(q, x))));
        using var mine = new FlatAdamW(flat, 0.01, 0.1, FlatAdamW.WithoutDecay(flat));
        for (var step = 0; step < 4; step++)
        {
            Loss3(reference, step).backward();
            decayed.step();
            plain.step();
            decayed.zero_grad();
            plain.zero_grad();
            Loss3(flat, step).backward();
            mine.Step();
            mine.ZeroGrad();
        }
        for (var i = 0; i < 3; i++)
            Assert.True(reference[i].allclose(flat[i], rtol: 0, atol: 1e-6), $"parameter {i}: {(reference[i] - flat[i]).abs().max().item<float>()}");
    }

    [Fact]
    public void WithAZeroGradientOnlyTheDecayedParametersShrink()
    {
        // Adam's update of a zero gradient is 0, so one step leaves decay alone: p · (1 − lr · wd) = 1 · (1 − 0.1 · 0.5).
        List<Parameter> p = [new Parameter(ones(2, 2)), new Parameter(ones(2))];
        using var mine = new FlatAdamW(p, 0.1, 0.5, FlatAdamW.WithoutDecay(p));
        p[0].sum().Plus(p[1].sum()).Times(0.0).backward();
        mine.Step();
        Assert.Equal([0.95f, 0.95f, 0.95f, 0.95f], p[0].data<float>().ToArray());
        Assert.Equal([1f, 1f], p[1].data<float>().ToArray());
    }

    [Fact]
    public void ParametersShareOneBufferAndGradientsAccumulateIntoIt()
    {
        var p = Parameters(5);
        using var mine = new FlatAdamW(p, 0.01);
        Loss(p, 0).backward();
        mine.Step();
        mine.ZeroGrad();
        Assert.Equal(0f, p[0].grad!.abs().sum().item<float>());
        Loss(p, 0).backward();
        Loss(p, 0).backward();
        var twice = p[0].grad!.clone();
        mine.ZeroGrad();
        Loss(p, 0).backward();
        Assert.True(twice.allclose(p[0].grad!.Times(2.0)), "a second backward adds into the shared gradient");
        Assert.Single(mine.Gradients()); // one flat buffer; the unused parameter has no gradient
    }

    [Fact]
    public void SavedStateResumesExactly()
    {
        var path = Path.Combine(Path.GetTempPath(), $"flat-adamw-{Guid.NewGuid():N}.safetensors");
        try
        {
            var straight = Parameters(7);
            using var a = new FlatAdamW(straight, 0.02, 0.01);
            var resumed = Parameters(7);
            using var b = new FlatAdamW(resumed, 0.02, 0.01);
            for (var step = 0; step < 2; step++)
            {
                Loss(straight, step).backward(); a.ClipGradNorm(1.0); a.Step(); a.ZeroGrad();
                Loss(resumed, step).backward(); b.ClipGradNorm(1.0); b.Step(); b.ZeroGrad();
            }
            b.Save(path);
            var copy = resumed.Select(p => new Parameter(p.detach().clone())).ToList();
            using var c = new FlatAdamW(copy, 0.02, 0.01);
            c.Load(path);
            for (var step = 2; step < 4; step++)
            {
                Loss(straight, step).backward(); a.ClipGradNorm(1.0); a.Step(); a.ZeroGrad();
                Loss(copy, step).backward(); c.ClipGradNorm(1.0); c.Step(); c.ZeroGrad();
            }
            for (var i = 0; i < 3; i++)
                Assert.Equal(straight[i].data<float>().ToArray(), copy[i].data<float>().ToArray());
            Assert.Equal(4, c.StepCount);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void RefusesAParameterListedTwice()
    {
        var p = Parameters(2);
        var e = Assert.Throws<ArgumentException>(() => new FlatAdamW([p[0], p[1], p[0]], 0.01));
        Assert.StartsWith("FlatAdamW: a parameter is listed twice", e.Message);
    }

    [Fact]
    public void RefusesAStateOfAnotherModel()
    {
        var path = Path.Combine(Path.GetTempPath(), $"flat-adamw-{Guid.NewGuid():N}.safetensors");
        try
        {
            var p = Parameters(1);
            using var a = new FlatAdamW(p, 0.01);
            Loss(p, 0).backward(); a.Step();
            a.Save(path);
            using var other = new FlatAdamW([new Parameter(zeros(2))], 0.01);
            var e = Assert.Throws<InvalidDataException>(() => other.Load(path));
            Assert.Contains("for 3 parameters; this model has 1", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
