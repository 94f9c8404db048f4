using Research.Lib.Modeling;
using Research.Lib.Tensors;
using Research.Lib.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Tests.Modeling.Bert;

/// <summary>The fused scaled_dot_product_attention and the eager softmax(QKᵀ/√d)V compute the same function.</summary>
public class BertSelfAttentionTests
{
    private static readonly string[] Texts =
    [
        "a", "how do I reset my password when the link has expired", "the cat sat on the mat",
        "指数基金是按照某个指数的成分股及权重进行投资的基金，目标是复制指数的表现。", "git rebase moves commits onto another base.",
    ];

    [Fact]
    public void SdpaAndEagerAgreeTo1e5InFloat32WithPaddingForwardAndBackward()
    {
        var tokenizer = TokenizerLoader.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        using var encoder = ModelInitializer.Create(tokenizer, new ModelInitOptions { Layers = 3, Hidden = 96, Heads = 6, Pooling = PoolingMode.Mean, Seed = 11 });
        var batch = TokenBatch.Pad(Texts.Select(t => tokenizer.Encode(t, 64)).ToList(), tokenizer.PadId);
        Assert.True(batch.Mask.Count(m => m == 0) > 40);                          // uneven lengths: real padding to mask
        encoder.Model.eval();                                                       // no dropout: one function

        (Tensor Vectors, Dictionary<string, Tensor> Grads) Run(AttentionImplementation implementation)
        {
            encoder.Model.AttentionImplementation = implementation;
            encoder.Model.zero_grad();
            var vectors = encoder.Forward(batch, normalize: false);
            vectors.Squared().sum().backward();
            return (vectors.detach(), encoder.Model.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
        }

        var (sdpa, sdpaGrads) = Run(AttentionImplementation.Sdpa);
        var (eager, eagerGrads) = Run(AttentionImplementation.Eager);
        Assert.Equal(AttentionImplementation.Eager, encoder.Model.AttentionImplementation);
        Assert.InRange((sdpa - eager).abs().max().item<float>(), 0f, 1e-5f);
        Assert.Equal(3 * 16 + 5, sdpaGrads.Count);                                  // every layer's 16 tensors and the embeddings' 5 (not the unused pooler)
        foreach (var (name, g) in sdpaGrads)
        {
            var scale = Math.Max(1e-3, g.abs().max().item<float>());
            Assert.True((g - eagerGrads[name]).abs().max().item<float>() / scale < 1e-5, name);
        }
        // Padding really is masked: a padded row equals the row encoded alone, in both implementations.
        var alone = TokenBatch.Pad([tokenizer.Encode(Texts[2], 64)], tokenizer.PadId);
        using var noGrad = torch.no_grad();
        foreach (var implementation in new[] { AttentionImplementation.Sdpa, AttentionImplementation.Eager })
        {
            encoder.Model.AttentionImplementation = implementation;
            using var single = encoder.Forward(alone, normalize: false);
            Assert.InRange((single[0] - sdpa[2]).abs().max().item<float>(), 0f, 1e-5f);
        }
    }
}
