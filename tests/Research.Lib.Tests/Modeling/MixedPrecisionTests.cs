using Research.Lib.Modeling;
using Research.Lib.Tensors;
using Research.Lib.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Tests.Modeling;

/// <summary>BertModel.ComputeType: half-precision products with float32 master weights, as torch.autocast.</summary>
public class MixedPrecisionTests
{
    [Fact]
    public void Bf16ComputeKeepsFloat32WeightsAndOutputAndStaysCloseToFloat32()
    {
        using var encoder = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        var batch = TokenBatch.Pad(new[] { "how do I reset my password", "the cat sat on the mat" }.Select(t => encoder.Tokenizer.Encode(t, 32)).ToList(), encoder.Tokenizer.PadId);
        var (ids, mask, types) = batch.ToTensors();
        encoder.Model.eval();
        using var noGrad = torch.no_grad();
        using var full = encoder.Model.forward(ids, mask, types);
        encoder.Model.ComputeType = ScalarType.BFloat16;
        using var mixed = encoder.Model.forward(ids, mask, types);
        encoder.Model.ComputeType = null;
        using var again = encoder.Model.forward(ids, mask, types);

        Assert.Equal(ScalarType.Float32, mixed.dtype);                       // LayerNorm output: float32
        Assert.All(encoder.Model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        var diff = (mixed - full).abs().max().item<float>();
        Assert.InRange(diff, 1e-4f, 0.1f);                                   // bf16 really used (8-bit mantissa), still close
        Assert.Equal(0f, (again - full).abs().max().item<float>());          // switching back gives float32 exactly
    }

    [Fact]
    public void Bf16GradientsReachTheFloat32Weights()
    {
        using var encoder = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        var batch = TokenBatch.Pad(new[] { "a short text", "another short text here" }.Select(t => encoder.Tokenizer.Encode(t, 16)).ToList(), encoder.Tokenizer.PadId);
        encoder.Model.ComputeType = ScalarType.BFloat16;
        encoder.Model.eval();                                      // no dropout: the same function every run
        // Unnormalized vectors and a squared norm: the gradient of a sum of unit-vector entries can cancel in bf16.
        using var vectors = encoder.Forward(batch, normalize: false);
        vectors.Squared().sum().backward();
        // The value projection's gradient: the query's can vanish in bf16 for a random model, whose near-uniform attention
        // makes softmax's backward subtract nearly equal numbers (seen as exact zeros on libtorch 2.11's CPU kernels).
        var value = encoder.Model.named_parameters().Single(p => p.name == "encoder.layer.0.attention.self.value.weight").parameter;
        Assert.Equal(ScalarType.Float32, value.grad!.dtype);
        Assert.True(value.grad.abs().sum().item<float>() > 0);
        Assert.All(encoder.Model.parameters(), p => Assert.True(p.grad is null || p.grad.isfinite().all().item<bool>()));
    }

    [Fact]
    public void OnlyHalfPrecisionTypesAreComputeTypes()
    {
        using var encoder = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        var e = Assert.Throws<ArgumentException>(() => encoder.Model.ComputeType = ScalarType.Float64);
        Assert.StartsWith("ComputeType must be null, BFloat16 or Float16; got Float64.", e.Message);
    }
}
