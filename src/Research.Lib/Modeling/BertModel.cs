using Research.Lib.Modeling.Bert;
using Research.Lib.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Modeling;

#pragma warning disable IDE1006

/// <summary>
/// A BERT-family encoder (BERT, RoBERTa, XLM-RoBERTa) as a TorchSharp module whose parameter names are
/// Hugging Face's (<c>embeddings.word_embeddings.weight</c>, <c>encoder.layer.0.attention.self.query.weight</c>,
/// ...), so checkpoints load by name. Post-norm layers, absolute positions, GELU (Devlin et al. 2019).
/// </summary>
public sealed class BertModel : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly BertEmbeddings embeddings;
    private readonly BertLayerStack encoder;
    private readonly BertPooler? pooler;
    private readonly Autocast _autocast = new();

    public BertModel(TransformerConfig config, bool withPooler = false) : base(nameof(BertModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        embeddings = new BertEmbeddings(config);
        encoder = new BertLayerStack(config, _autocast);
        pooler = withPooler ? new BertPooler(config) : null;
        RegisterComponents();
    }

    public TransformerConfig Config { get; private set; }

    /// <summary>
    /// Sets the training dropout of the hidden states (after the embeddings and each residual output) and of the attention
    /// probabilities, as Hugging Face's <c>hidden_dropout_prob</c> / <c>attention_probs_dropout_prob</c> given to
    /// <c>from_pretrained</c> (what PaddleNLP's SimCSE and the seed articles' <c>--dropout</c> set). <see cref="Config"/>
    /// records the new values, so a model saved afterwards says in its config.json what it was trained with, as
    /// <c>save_pretrained</c> does. Evaluation and encoding (eval mode) use no dropout either way.
    /// </summary>
    public void SetDropout(double hidden, double attention)
    {
        foreach (var (name, p) in new[] { ("hidden_dropout_prob", hidden), ("attention_probs_dropout_prob", attention) })
            if (!(p is >= 0 and < 1)) throw new ArgumentOutOfRangeException(name, p, $"{name} {p}: expected a probability in [0, 1).");
        Config = Config with { HiddenDropoutProb = hidden, AttentionProbsDropoutProb = attention };
        foreach (var module in modules())
        {
            switch (module)
            {
                case BertEmbeddings e: e.SetDropout(hidden); break;
                case BertResidualOutput o: o.SetDropout(hidden); break;
                case BertSelfAttention a: a.SetDropout(attention); break;
            }
        }
    }

    /// <summary>The LoRA adapter on this model's linear layers (<see cref="LoraAdapter.Attach"/>), registered as the submodule <c>lora</c>; null when none.</summary>
    public LoraAdapter? Lora { get; private set; }

    internal void AttachLora(LoraAdapter adapter, IReadOnlyDictionary<TorchSharp.Modules.Linear, LoraBranch> branches)
    {
        register_module("lora", adapter);
        Lora = adapter;
        _autocast.Lora = branches;
    }

    /// <summary>The transformer's own parameters by Hugging Face name: every parameter but a LoRA adapter's.</summary>
    public IEnumerable<(string name, TorchSharp.Modules.Parameter parameter)> BaseParameters() =>
        named_parameters().Where(p => !p.name.StartsWith("lora.", StringComparison.Ordinal));

    public bool HasPooler => pooler is not null;

    /// <summary>
    /// Mixed precision of the forward pass, as <c>torch.autocast</c>: null (default) runs in the parameters' type;
    /// BFloat16 or Float16 runs every Linear and the attention in that type while the float32 parameters, embeddings,
    /// residual sums and LayerNorm stay float32, so training keeps float32 master weights. The output is float32.
    /// </summary>
    public ScalarType? ComputeType
    {
        get => _autocast.ComputeType;
        set => _autocast.ComputeType = value is null or ScalarType.BFloat16 or ScalarType.Float16
            ? value
            : throw new ArgumentException($"ComputeType must be null, BFloat16 or Float16; got {value}.", nameof(value));
    }

    /// <summary>
    /// Inference entirely in <see cref="ComputeType"/> until the result is disposed (see <c>Autocast</c>): weights cast once
    /// and cached, hidden states, residuals and LayerNorm in the half type, the output in the half type too. For encoding
    /// only: no training or weight change meanwhile. A no-op when <see cref="ComputeType"/> is null.
    /// </summary>
    internal IDisposable BeginHalfInference() =>
        WeightType == _autocast.ComputeType ? NoScope.Instance : _autocast.BeginHalfInference(); // half weights: nothing to cast

    /// <summary>How every layer computes self-attention: <see cref="AttentionImplementation.Sdpa"/> (default) or the eager form.</summary>
    public AttentionImplementation AttentionImplementation
    {
        get => _attention;
        set
        {
            _attention = value;
            foreach (var m in modules())
                if (m is BertSelfAttention a) a.Implementation = value;
        }
    }

    private AttentionImplementation _attention = AttentionImplementation.Sdpa;

    /// <summary>
    /// The type the parameters are held in: Float32 (trainable), or BFloat16 / Float16 after <see cref="HoldWeightsIn"/>
    /// (inference only).
    /// </summary>
    public ScalarType WeightType => embeddings.WordWeight.dtype;

    /// <summary>
    /// Converts every parameter to <paramref name="type"/> (BFloat16 or Float16) for inference only, as a model loaded with
    /// PyTorch's <c>torch_dtype</c>: half the memory of float32 weights and no float32 copy beside the half one. The forward
    /// pass then runs entirely in that type (<see cref="ComputeType"/> is set to it). Training such a model is refused
    /// (<c>FlatAdamW</c> needs float32 master weights); saving writes the half values widened to the folder's dtype.
    /// </summary>
    public void HoldWeightsIn(ScalarType type)
    {
        if (type is not (ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"HoldWeightsIn takes BFloat16 or Float16; got {type}.", nameof(type));
        this.to(type);
        ComputeType = type;
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();
        public void Dispose() { }
    }

    /// <summary>Last hidden states.</summary>
    /// <param name="inputIds">(batch, seq) int64</param>
    /// <param name="attentionMask">(batch, seq) int64, 1 for tokens and 0 for padding</param>
    /// <param name="tokenTypeIds">(batch, seq) int64 segment ids (zeros for single sentences)</param>
    /// <returns>(batch, seq, hidden)</returns>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        var positions = PositionIds(inputIds);                                       // (batch, seq)
        var hidden = embeddings.forward(inputIds, tokenTypeIds, positions);          // (batch, seq, hidden)
        if (_autocast.PureHalf)
        {
            var half = hidden.to_type(_autocast.ComputeType!.Value);
            hidden.Dispose(); // the float32 copy is dead once cast: not held through the layers
            hidden = half;
        }
        // Boolean key mask for scaled_dot_product_attention: true where a key may be attended. It needs no
        // Scalar: TorchSharp's implicit Scalars can be finalized mid-call under concurrent allocation (seen in
        // Release builds while tokenization ran on another thread).
        var keep = attentionMask.to_type(ScalarType.Bool).unsqueeze(1).unsqueeze(2);  // (batch, 1, 1, seq)
        return encoder.forward(hidden, keep).MoveToOuterDisposeScope();
    }

    /// <summary>The word embedding matrix (vocab, hidden), which a masked-language-model head ties its output layer to.</summary>
    public Tensor WordEmbeddingWeight => embeddings.WordWeight;

    /// <summary>
    /// Last hidden states with the first position's input replaced by <paramref name="firstToken"/> after the embedding
    /// layer (DiffCSE's conditional discriminator: the sentence vector stands in for [CLS], gradients flow into it).
    /// </summary>
    /// <param name="inputIds">(batch, seq) int64</param>
    /// <param name="attentionMask">(batch, seq) int64, 1 for tokens and 0 for padding</param>
    /// <param name="tokenTypeIds">(batch, seq) int64</param>
    /// <param name="firstToken">(batch, hidden)</param>
    public Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds, Tensor firstToken)
    {
        using var scope = NewDisposeScope();
        var positions = PositionIds(inputIds);
        var embedded = embeddings.forward(inputIds, tokenTypeIds, positions);                        // (batch, seq, hidden)
        var hidden = torch.cat([firstToken.to_type(embedded.dtype).unsqueeze(1), embedded.narrow(1, 1, embedded.shape[1] - 1)], 1);
        var keep = attentionMask.to_type(ScalarType.Bool).unsqueeze(1).unsqueeze(2);
        return encoder.forward(hidden, keep).MoveToOuterDisposeScope();
    }

    /// <summary>BERT's pooler output tanh(W h_cls + b), for checkpoints that have one.</summary>
    public Tensor Pool(Tensor lastHidden) =>
        pooler is null ? throw new InvalidOperationException("This model has no pooler (the checkpoint had no pooler weights).") : pooler.forward(lastHidden);

    private Tensor PositionIds(Tensor inputIds)
    {
        var seq = inputIds.shape[1];
        if (!Config.IsRoberta)
            return TensorOps.Arange(seq, inputIds.device).unsqueeze(0).expand(inputIds.shape[0], seq);
        // RoBERTa / XLM-R: positions count real tokens from padding_idx + 1; padding keeps padding_idx.
        using var pad = Config.PadTokenId.ToScalar();
        var notPad = inputIds.ne(pad).to_type(ScalarType.Int64);
        return (notPad.cumsum(1) * notPad).add_(pad, Scalars.One);
    }

    /// <summary>
    /// Hugging Face's initialization (Devlin et al. 2019; transformers' BertPreTrainedModel._init_weights):
    /// Linear and Embedding weights ~ N(0, 0.02), biases 0, LayerNorm weight 1 and bias 0, padding rows 0.
    /// Deterministic for a given seed.
    /// </summary>
    public void InitializeWeights(long seed, double std = 0.02)
    {
        using var noGrad = torch.no_grad();
        var generator = new torch.Generator((ulong)seed);
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("LayerNorm.weight", StringComparison.Ordinal)) p.FillInPlace(1.0);
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
            else p.normal_(0, std, generator);
        }
        foreach (var (name, p) in named_parameters())
            if (name is "embeddings.word_embeddings.weight" || (Config.IsRoberta && name is "embeddings.position_embeddings.weight"))
                p[Config.PadTokenId].zero_();
    }
}
