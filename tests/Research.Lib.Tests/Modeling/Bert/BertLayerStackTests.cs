using System.Text.RegularExpressions;
using Research.Lib.Modeling;
using Research.Lib.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Tests.Modeling.Bert;

/// <summary>The layer stack frees each layer's output once the next layer has read it.</summary>
public class BertLayerStackTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void InferenceHoldsOneLayersOutputAtATimeNotAllOfThem(bool bf16)
    {
        var tokenizer = TokenizerLoader.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        using var encoder = ModelInitializer.Create(tokenizer, new ModelInitOptions { Layers = 8, Seed = 3 });
        var batch = TokenBatch.Pad(new[] { "how do I reset my password", "the cat sat on the mat" }.Select(t => tokenizer.Encode(t, 32)).ToList(), tokenizer.PadId);
        var (ids, mask, types) = batch.ToTensors();
        encoder.Model.eval();
        encoder.Model.ComputeType = bf16 ? ScalarType.BFloat16 : null;

        // A forward hook on every layer reads the number of live tensors as the layer returns.
        var live = new List<long>();
        var layers = encoder.Model.named_modules().Where(m => Regex.IsMatch(m.name, @"^encoder\.layer\.\d+$")).ToList();
        Assert.Equal(8, layers.Count);
        var hooks = layers.Select(m => ((nn.Module<Tensor, Tensor, Tensor>)m.module).register_forward_hook((_, _, _, y) =>
        {
            live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            return y;
        })).ToList();

        using (torch.no_grad())
        using (encoder.Model.BeginHalfInference())
        {
            // The first pass fills half inference's cache of bf16 weights (new live tensors at each layer); count the second.
            using (var warm = encoder.Model.forward(ids, mask, types)) live.Clear();
            using var hidden = encoder.Model.forward(ids, mask, types);
            Assert.Equal(bf16 ? ScalarType.BFloat16 : ScalarType.Float32, hidden.dtype);
        }
        foreach (var h in hooks) h.remove();

        // Held until the end of the stack, each layer's output would add one live tensor per layer (7 here).
        Assert.Equal(8, live.Count);
        Assert.All(live.Skip(1), n => Assert.Equal(live[1], n));
    }
}
