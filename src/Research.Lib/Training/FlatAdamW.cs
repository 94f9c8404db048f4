using System.Globalization;
using Research.Lib.Modeling;
using Research.Lib.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019) with PyTorch's update rule and defaults (betas 0.9 / 0.999, eps 1e-8, decoupled
/// weight decay applied as <c>p *= 1 - lr·wd</c> before the moment update, bias-corrected step) over one flat buffer:
/// at the first step every parameter that has a gradient is moved into one contiguous tensor (of the parameters' type) (the parameters
/// become views of it, their gradients views of a second one), so the whole update, the gradient norm, clipping and
/// zeroing are a handful of kernels instead of ~8 per parameter — what <c>torch.optim.AdamW(foreach=True)</c> and
/// apex's multi-tensor kernels do for PyTorch. On a GPU the per-parameter loop of TorchSharp's AdamW cost 15-18 ms of a
/// 93 ms BERT-base step (H100, bf16); the arithmetic is the same, element by element.
/// <para>
/// A parameter without a gradient at the first step (unused by the loss, e.g. a pooler under mean pooling) is left out of
/// the buffer and, as in PyTorch, skipped whenever it has no gradient (no weight decay, no moment update). Gradients
/// are cleared by zeroing the buffer; code that replaces a parameter's <c>.grad</c> or the parameter itself (e.g.
/// <c>Module.to(device)</c>) after the first step breaks the sharing and must not be used during training.
/// </para>
/// </summary>
public sealed class FlatAdamW : IDisposable
{
    private const string Format = "research-kit flat AdamW 1";
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly bool[] _decays;
    private long _decayedLength; // the flat buffer holds the decayed parameters first: this many elements
    private HashSet<int> _flatSet = [];
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _eps;
    private Tensor? _flatParams;
    private Tensor? _flatGrad;
    private Tensor? _expAvg;
    private Tensor? _expAvgSq;
    private long _flatStep;
    private int[] _flatIndices = [];
    private long[] _offsets = [];
    private bool _flattened;
    private readonly Dictionary<int, (Tensor ExpAvg, Tensor ExpAvgSq, long Step)> _loose = [];
    private Dictionary<int, (Tensor ExpAvg, Tensor ExpAvgSq, long Step)>? _loaded;

    /// <param name="parameters">what to optimize</param>
    /// <param name="learningRate">the first learning rate (the schedule sets <see cref="LearningRate"/> each step)</param>
    /// <param name="weightDecay">decoupled weight decay</param>
    /// <param name="noDecay">parameters that are not decayed (e.g. biases and LayerNorm weights, <see cref="WithoutDecay"/>); null: all are</param>
    /// <param name="beta1">first-moment decay</param>
    /// <param name="beta2">second-moment decay</param>
    /// <param name="eps">added to the denominator</param>
    public FlatAdamW(IEnumerable<Parameter> parameters, double learningRate, double weightDecay = 0.01, IEnumerable<Parameter>? noDecay = null,
        double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToList();
        var skipped = noDecay?.ToHashSet(ReferenceEqualityComparer.Instance) ?? [];
        _decays = _parameters.Select(p => !skipped.Contains(p)).ToArray();
        if (_parameters.Count == 0) throw new ArgumentException("FlatAdamW needs at least one parameter.", nameof(parameters));
        if (_parameters.Distinct(ReferenceEqualityComparer.Instance).Count() != _parameters.Count)
            throw new ArgumentException("FlatAdamW: a parameter is listed twice (a tied weight registered in two modules?); give each once.", nameof(parameters));
        if (_parameters.FirstOrDefault(p => p.dtype is ScalarType.BFloat16 or ScalarType.Float16) is { } half)
            throw new ArgumentException($"FlatAdamW: the parameters are {half.dtype}, and training needs float32 master weights. "
                + "An encoder loaded with half-precision weights is for inference only: load it in float32 and train with precision bf16 or fp16 (mixed precision).", nameof(parameters));
        if (learningRate < 0 || weightDecay < 0 || eps <= 0 || beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1)
            throw new ArgumentException($"FlatAdamW: invalid settings (lr {learningRate}, weight decay {weightDecay}, betas {beta1}/{beta2}, eps {eps}).");
        LearningRate = learningRate;
        WeightDecay = weightDecay;
        (_beta1, _beta2, _eps) = (beta1, beta2, eps);
    }

    public double LearningRate { get; set; }

    public double WeightDecay { get; }

    /// <summary>
    /// The parameters of fewer than two dimensions (biases, LayerNorm and BatchNorm weights): those transformers' Trainer and
    /// nanoGPT's configure_optimizers exclude from weight decay, which is meant for the matrices and embeddings.
    /// </summary>
    public static IEnumerable<Parameter> WithoutDecay(IEnumerable<Parameter> parameters) => parameters.Where(p => p.dim() < 2);

    /// <summary>Updates taken (by the parameters in the flat buffer).</summary>
    public long StepCount => _flatStep;

    /// <summary>The gradients the next step will use: the flat buffer (after the first call) and each loose parameter's own.</summary>
    public IEnumerable<Tensor> Gradients()
    {
        Flatten();
        if (_flatGrad is not null) yield return _flatGrad;
        foreach (var i in LooseIndices())
            if (_parameters[i].grad is { } g) yield return g;
    }

    /// <summary>
    /// Clips the gradients' total L2 norm to <paramref name="maxNorm"/> as <c>torch.nn.utils.clip_grad_norm_</c> does
    /// (coefficient maxNorm / (norm + 1e-6), capped at 1) and returns the norm before clipping.
    /// </summary>
    public double ClipGradNorm(double maxNorm)
    {
        using var norm = ClipGradNormOnDevice(maxNorm);
        return norm is null ? 0 : norm.item<double>();
    }

    /// <summary>
    /// <see cref="ClipGradNorm"/> without reading the norm back: the norm before clipping as a float64 scalar on the
    /// gradients' device (null without gradients), which the caller disposes. On a GPU nothing waits for the device here.
    /// </summary>
    public Tensor? ClipGradNormOnDevice(double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var norms = Gradients().Select(g => g.norm()).ToList();
        if (norms.Count == 0) return null;
        var total = norms.Count == 1 ? norms[0] : stack(norms).norm();
        using var max = maxNorm.ToScalar();
        using var tiny = 1e-6.ToScalar();
        using var one = 1.0.ToScalar();
        var coef = total.add(tiny, Scalars.One).reciprocal_().mul_(max).clamp_max_(one);
        foreach (var g in Gradients()) g.mul_(coef);
        return total.to_type(ScalarType.Float64).DetachFromDisposeScope();
    }

    /// <summary>One AdamW update with <see cref="LearningRate"/> from the current gradients.</summary>
    public void Step()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Flatten();
        if (_flatParams is not null)
            Update(_flatParams, _flatGrad!, _expAvg!, _expAvgSq!, ++_flatStep, _decayedLength == 0 ? null : _decayedLength == _flatParams.shape[0] ? _flatParams : _flatParams.narrow(0, 0, _decayedLength));
        foreach (var i in LooseIndices())
        {
            var p = _parameters[i];
            if (p.grad is not { } g) continue;
            if (!_loose.TryGetValue(i, out var state))
                state = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope(), 0);
            state.Step++;
            Update(p, g, state.ExpAvg, state.ExpAvgSq, state.Step, _decays[i] ? p : null);
            _loose[i] = state;
        }
    }

    /// <summary>Clears every gradient (the flat buffer is zeroed and stays shared; loose gradients are dropped).</summary>
    public void ZeroGrad()
    {
        using var noGrad = no_grad();
        _flatGrad?.zero_();
        foreach (var i in LooseIndices())
            if (_parameters[i].grad is not null) _parameters[i].grad = null;
        if (!_flattened)
            foreach (var p in _parameters)
                if (p.grad is not null) p.grad = null;
    }

    /// <summary>Writes the moments and step counts (safetensors: <c>exp_avg.{i}</c>, <c>exp_avg_sq.{i}</c> per parameter index, steps in the metadata).</summary>
    public void Save(string path)
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        var meta = new Dictionary<string, string> { ["format"] = Format, ["parameters"] = _parameters.Count.ToString(CultureInfo.InvariantCulture) };
        foreach (var (i, (m, v, step)) in States())
        {
            tensors[$"exp_avg.{i}"] = m;
            tensors[$"exp_avg_sq.{i}"] = v;
            meta[$"step.{i}"] = step.ToString(CultureInfo.InvariantCulture);
        }
        Safetensors.Write(path, tensors, SafetensorsDType.F32, meta); // float64 moments are stored as float32
    }

    /// <summary>Reads what <see cref="Save"/> wrote; the state is applied at the first step (when the buffer is built).</summary>
    public void Load(string path)
    {
        var meta = Safetensors.ReadMetadata(path);
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"{path}: not an optimizer state this kit writes (format '{format ?? "none"}', expected '{Format}'); " +
                "checkpoints from before the flat AdamW (optimizer.bin) cannot be resumed: start the run again.");
        if (meta["parameters"] != _parameters.Count.ToString(CultureInfo.InvariantCulture))
            throw new InvalidDataException($"{path}: the optimizer state is for {meta["parameters"]} parameters; this model has {_parameters.Count}.");
        var tensors = Safetensors.Read(path);
        _loaded = [];
        foreach (var (key, m) in tensors.Where(kv => kv.Key.StartsWith("exp_avg.", StringComparison.Ordinal)))
        {
            var i = int.Parse(key["exp_avg.".Length..], CultureInfo.InvariantCulture);
            var p = _parameters[i];
            var v = tensors[$"exp_avg_sq.{i}"];
            if (!m.shape.SequenceEqual(p.shape))
                throw new InvalidDataException($"{path}: exp_avg.{i} has shape [{string.Join(", ", m.shape)}]; the parameter has [{string.Join(", ", p.shape)}].");
            _loaded[i] = (m.to(p.device).DetachFromDisposeScope(), v.to(p.device).DetachFromDisposeScope(), long.Parse(meta[$"step.{i}"], CultureInfo.InvariantCulture));
        }
    }

    public void Dispose()
    {
        foreach (var t in new[] { _flatParams, _flatGrad, _expAvg, _expAvgSq }) t?.Dispose();
        foreach (var (m, v, _) in _loose.Values) { m.Dispose(); v.Dispose(); }
        foreach (var (m, v, _) in _loaded?.Values ?? Enumerable.Empty<(Tensor, Tensor, long)>()) { m.Dispose(); v.Dispose(); }
    }

    /// <summary>One AdamW update of <paramref name="p"/>; <paramref name="decayed"/> (all or part of it, or null) is decayed first.</summary>
    private void Update(Tensor p, Tensor g, Tensor m, Tensor v, long step, Tensor? decayed)
    {
        var bias1 = 1 - Math.Pow(_beta1, step);
        var bias2 = 1 - Math.Pow(_beta2, step);
        using var decay = (1 - LearningRate * WeightDecay).ToScalar();
        using var b1 = _beta1.ToScalar();
        using var oneMinusB1 = (1 - _beta1).ToScalar();
        using var b2 = _beta2.ToScalar();
        using var oneMinusB2 = (1 - _beta2).ToScalar();
        using var sqrtBias2 = Math.Sqrt(bias2).ToScalar();
        using var eps = _eps.ToScalar();
        using var stepSize = (-LearningRate / bias1).ToScalar();
        decayed?.mul_(decay);
        m.mul_(b1).add_(g, oneMinusB1);
        v.mul_(b2).addcmul_(g, g, oneMinusB2);
        using var denom = v.sqrt().div_(sqrtBias2).add_(eps, Scalars.One);
        p.addcdiv_(m, denom, stepSize);
    }

    /// <summary>
    /// At the first step: the parameters with a gradient (those of the first one's device and type) become views of one buffer and
    /// their gradients views of another; a loaded state is copied in.
    /// </summary>
    private void Flatten()
    {
        if (_flattened) return;
        _flattened = true;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var first = _parameters.FirstOrDefault(p => p.grad is not null);
        _flatIndices = first is null ? [] : Enumerable.Range(0, _parameters.Count)
            .Where(i => _parameters[i].grad is not null && _parameters[i].dtype == first.dtype
                && _parameters[i].device_type == first.device_type && _parameters[i].device_index == first.device_index)
            .OrderBy(i => _decays[i] ? 0 : 1) // stable: the decayed ones first, each group in the given order
            .ToArray();
        _flatSet = [.. _flatIndices];
        _decayedLength = _flatIndices.Where(i => _decays[i]).Sum(i => _parameters[i].numel());
        if (_flatIndices.Length > 0)
        {
            _offsets = new long[_flatIndices.Length + 1];
            for (var k = 0; k < _flatIndices.Length; k++) _offsets[k + 1] = _offsets[k] + _parameters[_flatIndices[k]].numel();
            var total = _offsets[^1];
            _flatParams = empty(total, first!.dtype, first!.device).DetachFromDisposeScope();
            _flatGrad = empty(total, first!.dtype, first.device).DetachFromDisposeScope();
            _expAvg = zeros(total, first!.dtype, first.device).DetachFromDisposeScope();
            _expAvgSq = zeros(total, first!.dtype, first.device).DetachFromDisposeScope();
            long? loadedStep = null;
            for (var k = 0; k < _flatIndices.Length; k++)
            {
                var i = _flatIndices[k];
                var p = _parameters[i];
                var n = _offsets[k + 1] - _offsets[k];
                var shape = p.shape;
                var pv = _flatParams.narrow(0, _offsets[k], n).view(shape);
                pv.copy_(p);
                p.set_(pv);
                var gv = _flatGrad.narrow(0, _offsets[k], n).view(shape);
                gv.copy_(p.grad!);
                p.grad = gv;
                if (_loaded is not null && _loaded.Remove(i, out var s))
                {
                    _expAvg.narrow(0, _offsets[k], n).copy_(s.ExpAvg.reshape(-1));
                    _expAvgSq.narrow(0, _offsets[k], n).copy_(s.ExpAvgSq.reshape(-1));
                    if (loadedStep is { } ls && ls != s.Step)
                        throw new InvalidDataException($"optimizer state: parameter {i} has taken {s.Step} steps, others {ls}; the saved state does not fit this run.");
                    loadedStep = s.Step;
                    s.ExpAvg.Dispose();
                    s.ExpAvgSq.Dispose();
                }
            }
            _flatStep = loadedStep ?? 0;
        }
        if (_loaded is not null)
        {
            foreach (var (i, s) in _loaded) _loose[i] = s;
            _loaded = null;
        }
    }

    private IEnumerable<int> LooseIndices()
    {
        for (var i = 0; i < _parameters.Count; i++)
            if (!_flatSet.Contains(i)) yield return i;
    }

    private IEnumerable<(int Index, (Tensor ExpAvg, Tensor ExpAvgSq, long Step) State)> States()
    {
        for (var k = 0; k < _flatIndices.Length; k++)
        {
            var n = _offsets[k + 1] - _offsets[k];
            var shape = _parameters[_flatIndices[k]].shape;
            yield return (_flatIndices[k], (_expAvg!.narrow(0, _offsets[k], n).view(shape), _expAvgSq!.narrow(0, _offsets[k], n).view(shape), _flatStep));
        }
        foreach (var (i, s) in _loose) yield return (i, s);
        foreach (var (i, s) in _loaded ?? []) yield return (i, s);
    }
}
