using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Modeling;

#pragma warning disable IDE1006 // field names are the parameter names

/// <summary>
/// The scoring head of a sequence-pair classifier with one label: the first token's hidden state through a dense layer
/// and tanh, dropout, then one linear output — Hugging Face's <c>BertForSequenceClassification</c> (the pooler
/// <c>bert.pooler.dense</c>, then <c>classifier</c>) and <c>XLMRobertaForSequenceClassification</c>
/// (<c>classifier.dense</c>, then <c>classifier.out_proj</c>; dropout before the dense layer too), with num_labels 1.
/// </summary>
public sealed class CrossEncoderHead : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly Linear classifier;
    private double _dropout;
    private readonly bool _roberta;

    public CrossEncoderHead(TransformerConfig config) : base(nameof(CrossEncoderHead))
    {
        ArgumentNullException.ThrowIfNull(config);
        dense = nn.Linear(config.HiddenSize, config.HiddenSize);
        classifier = nn.Linear(config.HiddenSize, 1);
        _dropout = config.HiddenDropoutProb;
        _roberta = config.IsRoberta;
        RegisterComponents();
    }

    /// <summary>The head's training dropout (Hugging Face's classifier dropout falls back to hidden_dropout_prob); see <see cref="BertModel.SetDropout"/>.</summary>
    public double Dropout
    {
        get => _dropout;
        set => _dropout = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"dropout {value}: expected a probability in [0, 1).");
    }

    /// <summary>Hugging Face's name of each parameter of the head (<c>dense.weight</c> → <c>bert.pooler.dense.weight</c>, …).</summary>
    public IReadOnlyDictionary<string, string> HuggingFaceNames => _roberta
        ? new Dictionary<string, string> { ["dense.weight"] = "classifier.dense.weight", ["dense.bias"] = "classifier.dense.bias", ["classifier.weight"] = "classifier.out_proj.weight", ["classifier.bias"] = "classifier.out_proj.bias" }
        : new Dictionary<string, string> { ["dense.weight"] = "bert.pooler.dense.weight", ["dense.bias"] = "bert.pooler.dense.bias", ["classifier.weight"] = "classifier.weight", ["classifier.bias"] = "classifier.bias" };

    /// <param name="hidden">(batch, seq, hidden) last hidden states of the pairs</param>
    /// <returns>(batch) float32 logits</returns>
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        var first = hidden.select(1, 0).to_type(ScalarType.Float32);                    // (batch, hidden)
        if (_roberta) first = Bert.FastDropout.Forward(first, _dropout, training);
        var pooled = Bert.FastDropout.Forward(dense.forward(first).tanh(), _dropout, training);
        return classifier.forward(pooled).squeeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Initializes the parameters as Hugging Face does a new head (weights N(0, 0.02), biases 0), from a seed, then takes
    /// whatever of them <paramref name="weights"/> hold by Hugging Face name (or, for BERT's pooler, <c>pooler.dense.*</c>
    /// as a plain BertModel checkpoint names it). Returns how many of the four it found.
    /// </summary>
    public int Initialize(IReadOnlyDictionary<string, Tensor> weights, long seed)
    {
        ArgumentNullException.ThrowIfNull(weights);
        using var noGrad = no_grad();
        var generator = new Generator((ulong)seed);
        var found = 0;
        foreach (var (name, p) in named_parameters())
        {
            var hf = HuggingFaceNames[name];
            if (weights.TryGetValue(hf, out var t) || (!_roberta && weights.TryGetValue(hf["bert.".Length..], out t)))
            {
                if (!t.shape.SequenceEqual(p.shape))
                    throw new InvalidDataException($"{hf}: checkpoint shape [{string.Join(", ", t.shape)}], the head needs [{string.Join(", ", p.shape)}].");
                p.copy_(t);
                found++;
            }
            else if (name.EndsWith(".weight", StringComparison.Ordinal)) p.normal_(0, 0.02, generator);
            else p.zero_();
        }
        return found;
    }

    /// <summary>The head's weights by Hugging Face name, detached CPU copies, for saving.</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var names = HuggingFaceNames;
        return named_parameters().ToDictionary(p => names[p.name], p => p.parameter.detach().cpu().clone(), StringComparer.Ordinal);
    }

    /// <summary>Whether a checkpoint key belongs to a sequence-pair head (or to BERT's pooler, which the head takes over).</summary>
    public static bool IsHeadKey(string key) =>
        key.StartsWith("classifier.", StringComparison.Ordinal) || key.Contains("pooler.", StringComparison.Ordinal);
}
