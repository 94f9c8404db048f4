using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// A copy of modules' weights on the host (the best evaluation's, for keep_best), taken without gradients and put back
/// into the same modules at the end. Each module's parameters are keyed by a prefix and its parameter names.
/// </summary>
internal sealed class WeightSnapshot : IDisposable
{
    private Dictionary<string, Tensor>? _weights;

    /// <summary>The weights held, or null when none was taken.</summary>
    public IReadOnlyDictionary<string, Tensor>? Weights => _weights;

    public void Take(IReadOnlyList<(string Prefix, nn.Module Module)> modules)
    {
        using var noGrad = no_grad();
        var copy = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (prefix, module) in modules)
            foreach (var (name, p) in module.named_parameters())
                copy[prefix + name] = p.detach().cpu().clone().DetachFromDisposeScope();
        Dispose();
        _weights = copy;
    }

    /// <summary>Holds weights read back from a checkpoint (it owns them).</summary>
    public void Set(Dictionary<string, Tensor> weights)
    {
        Dispose();
        _weights = weights;
    }

    /// <summary>Copies the held weights into <paramref name="modules"/>; every parameter must be there with its shape.</summary>
    public void Restore(IReadOnlyList<(string Prefix, nn.Module Module)> modules, string source)
    {
        if (_weights is null) throw new InvalidOperationException("No weights were taken.");
        using var noGrad = no_grad();
        foreach (var (prefix, module) in modules)
            foreach (var (name, p) in module.named_parameters())
            {
                if (!_weights.TryGetValue(prefix + name, out var w) || !w.shape.SequenceEqual(p.shape))
                    throw new InvalidDataException($"{source}: no weights of shape [{string.Join(", ", p.shape)}] for {prefix + name}.");
                p.copy_(w);
            }
    }

    public void Dispose()
    {
        foreach (var t in _weights?.Values ?? Enumerable.Empty<Tensor>()) t.Dispose();
        _weights = null;
    }
}
