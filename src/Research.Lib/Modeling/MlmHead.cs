using Research.Lib.Modeling.Bert;
using Research.Lib.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Modeling;

#pragma warning disable IDE1006 // field names are Hugging Face's parameter names

/// <summary>
/// BERT's masked-language-model head (Devlin et al. 2019; Hugging Face BertLMPredictionHead): dense → activation →
/// LayerNorm, then the word embedding matrix (tied) plus a per-token bias gives the vocabulary logits. Parameters are
/// named as Hugging Face's under <c>cls.predictions.</c>, so a model folder holding them (in model.safetensors beside the
/// encoder's weights, which sentence-transformers and <see cref="SentenceEncoder"/> ignore) loads as a BertForMaskedLM.
/// </summary>
public sealed class MlmHead : nn.Module<Tensor, Tensor, Tensor>
{
    public const string Prefix = "cls.predictions.";

    private readonly MlmTransform transform;
    private readonly Parameter bias;

    public MlmHead(TransformerConfig config) : base(nameof(MlmHead))
    {
        ArgumentNullException.ThrowIfNull(config);
        transform = new MlmTransform(config);
        bias = new Parameter(zeros(config.VocabSize));
        RegisterComponents();
    }

    /// <param name="hidden">(n, hidden) states of the positions to predict</param>
    /// <param name="wordEmbeddings">(vocab, hidden): the encoder's <see cref="BertModel.WordEmbeddingWeight"/></param>
    /// <returns>(n, vocab) logits</returns>
    public override Tensor forward(Tensor hidden, Tensor wordEmbeddings)
    {
        using var scope = NewDisposeScope();
        return transform.forward(hidden).matmul(wordEmbeddings.t()).Plus(bias).MoveToOuterDisposeScope();
    }

    /// <summary>Weights by Hugging Face name (cls.predictions.*), detached CPU copies, for saving.</summary>
    public Dictionary<string, Tensor> StateDict() =>
        named_parameters().ToDictionary(p => Prefix + p.name, p => p.parameter.detach().cpu().clone(), StringComparer.Ordinal);

    /// <summary>
    /// The head of a model folder when its model.safetensors holds cls.predictions.* weights (a BertForMaskedLM checkpoint
    /// or a folder saved after MLM training), else a freshly initialized one (N(0, 0.02) dense, LayerNorm 1/0, bias 0).
    /// </summary>
    public static MlmHead Load(string directory, TransformerConfig config, long seed = 42)
    {
        var head = new MlmHead(config);
        var path = Path.Combine(directory, "model.safetensors");
        var weights = File.Exists(path) ? Safetensors.Read(path) : [];
        try
        {
            var mine = head.named_parameters().ToList();
            if (mine.All(p => weights.ContainsKey(Prefix + p.name)))
            {
                using var noGrad = no_grad();
                foreach (var (name, p) in mine)
                {
                    var w = weights[Prefix + name];
                    if (!w.shape.SequenceEqual(p.shape))
                        throw new InvalidDataException($"{path}: {Prefix + name} has shape [{string.Join(", ", w.shape)}], the model needs [{string.Join(", ", p.shape)}].");
                    p.copy_(w);
                }
            }
            else
            {
                using var noGrad = no_grad();
                var generator = new torch.Generator((ulong)seed);
                foreach (var (name, p) in mine)
                {
                    if (name.EndsWith("LayerNorm.weight", StringComparison.Ordinal)) p.FillInPlace(1.0);
                    else if (name.EndsWith("bias", StringComparison.Ordinal)) p.zero_();
                    else p.normal_(0, 0.02, generator);
                }
            }
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
        return head;
    }

    /// <summary>Whether the folder's model.safetensors holds a masked-language-model head (cls.predictions.*).</summary>
    public static bool HasWeights(string directory)
    {
        var path = Path.Combine(directory, "model.safetensors");
        if (!File.Exists(path)) return false;
        var weights = Safetensors.Read(path);
        try
        {
            return weights.Keys.Any(k => k.StartsWith(Prefix + "transform.", StringComparison.Ordinal)) && weights.ContainsKey(Prefix + "bias");
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }

    /// <summary>Adds the head's weights to the model folder's model.safetensors (written whole), beside the encoder's.</summary>
    public void SaveInto(string directory)
    {
        var path = Path.Combine(directory, "model.safetensors");
        var weights = Safetensors.Read(path);
        var head = StateDict();
        try
        {
            foreach (var (k, v) in head) weights[k] = v;
            Safetensors.Write(path, weights, SafetensorsDType.F32, new Dictionary<string, string> { ["format"] = "pt" });
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }
}
