using Research.Lib.Devices;
using Research.Lib.Modeling;
using Research.Lib.Tensors;
using Research.Lib.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// DiffCSE's replaced-token detection (Chuang et al. 2022; voidism/DiffCSE): a share of each sentence's tokens (0.30)
/// is masked (<see cref="MlmMasking"/>), a frozen masked-language-model generator fills them with its most likely token
/// (argmax, no gradient), and a discriminator — a trainable copy of the starting encoder with a Linear(hidden, 2) head,
/// given the sentence vector in place of the [CLS] embedding — predicts for every token whether it was replaced. The
/// loss back-propagates into the sentence vector, so the sentence embedding has to carry what tells the original from
/// the edited sentence. Differences from the reference code, both deliberate: only the masked positions take the
/// generator's token (the reference takes its prediction everywhere, where it nearly always copies the input), and
/// padding is left out of the loss (the reference scores it as "not replaced").
/// </summary>
internal sealed class ReplacedTokenDetection : IDisposable
{
    private readonly SentenceEncoder _generator;
    private readonly MlmHead _generatorHead;
    private readonly BertModel _discriminator;
    private readonly Linear _head;
    private readonly double _ratio;

    public ReplacedTokenDetection(SentenceEncoder encoder, string generatorDirectory, double maskingRatio)
    {
        if (!MlmHead.HasWeights(generatorDirectory))
            throw new ArgumentException($"generator {generatorDirectory}: its model.safetensors has no masked-language-model head (cls.predictions.*); train one with research train --method mlm.");
        _generator = SentenceEncoder.Load(generatorDirectory, DeviceSpec.Parse(encoder.Device.ToString()));
        if (_generator.Tokenizer.VocabSize != encoder.Tokenizer.VocabSize)
            throw new ArgumentException($"generator {generatorDirectory}: its vocabulary has {_generator.Tokenizer.VocabSize} tokens, the encoder's {encoder.Tokenizer.VocabSize}; they must share one vocabulary.");
        _generatorHead = MlmHead.Load(generatorDirectory, _generator.Model.Config);
        _generatorHead.to(encoder.Device);
        _generator.Model.eval();
        _generatorHead.eval();
        foreach (var p in _generator.Model.parameters().Concat(_generatorHead.parameters())) p.requires_grad = false;
        _discriminator = UnsupervisedTrainer.Copy(encoder.Model, encoder.Device);
        foreach (var p in _discriminator.parameters()) p.requires_grad = true;
        _discriminator.train();
        _head = nn.Linear(encoder.Model.Config.HiddenSize, 2);
        _head.to(encoder.Device);
        _ratio = maskingRatio;
    }

    /// <summary>The discriminator's and its head's parameters (trained with the encoder).</summary>
    public IEnumerable<Parameter> Parameters => _discriminator.parameters().Concat(_head.parameters());

    /// <summary>The trained modules (discriminator and head), for training mode and checkpoints.</summary>
    public IReadOnlyList<(string Prefix, nn.Module Module)> Modules => [("rtd.discriminator.", _discriminator), ("rtd.head.", _head)];

    /// <summary>The discriminator runs at the encoder's mixed precision.</summary>
    public ScalarType? ComputeType
    {
        set => _discriminator.ComputeType = value;
    }

    /// <summary>Mean cross-entropy of replaced / original over the real tokens of <paramref name="batch"/>, and the detection accuracy.</summary>
    /// <param name="batch">the sentences, as encoded for the contrastive loss</param>
    /// <param name="sentenceVectors">(batch, hidden) their sentence vectors (with gradients)</param>
    /// <param name="seed">the masking draw</param>
    public (Tensor Loss, double Accuracy) Loss(TokenBatch batch, Tensor sentenceVectors, ulong seed)
    {
        using var scope = NewDisposeScope();
        var device = sentenceVectors.device;
        var (ids, mask, types) = batch.ToTensors(device);
        var (inputs, labels) = MlmMasking.Mask(batch, _generator.Tokenizer, _ratio, seed);
        var target = tensor(labels, [batch.Count, batch.Length], device: device);
        var chosen = target.ne(MlmMasking.IgnoreScalar);                                               // (batch, seq) masked positions
        Tensor edited;
        using (no_grad())
        {
            var masked = tensor(inputs, [batch.Count, batch.Length], device: device);
            var hidden = _generator.Model.forward(masked, mask, types);                          // (batch, seq, hidden)
            var predicted = _generatorHead.forward(hidden, _generator.Model.WordEmbeddingWeight).argmax(-1); // (batch, seq)
            (edited, _) = Replace(ids, chosen, predicted);
        }
        var replaced = Replace(ids, chosen, edited).Labels;
        var states = _discriminator.forward(edited, mask, types, sentenceVectors);                // (batch, seq, hidden)
        var logits = _head.forward(states.to_type(ScalarType.Float32));                          // (batch, seq, 2)
        var real = mask.ne(Scalars.Zero).reshape(-1).nonzero().squeeze(1);
        var flatLogits = logits.reshape(-1, 2).index_select(0, real);
        var flatLabels = replaced.reshape(-1).index_select(0, real);
        var loss = nn.functional.cross_entropy(flatLogits, flatLabels);
        double accuracy;
        using (no_grad())
            accuracy = flatLogits.argmax(1).eq(flatLabels).to_type(ScalarType.Float32).mean().item<float>();
        return (loss.MoveToOuterDisposeScope(), accuracy);
    }

    /// <summary>
    /// The discriminator's input and targets: chosen positions take the generator's token, the others keep theirs; a
    /// position is "replaced" (1) only where the token changed — a masked token the generator restored is "original" (0),
    /// the ELECTRA convention DiffCSE follows.
    /// </summary>
    internal static (Tensor Edited, Tensor Labels) Replace(Tensor ids, Tensor chosen, Tensor predicted)
    {
        var edited = torch.where(chosen, predicted, ids);
        return (edited, edited.ne(ids).to_type(ScalarType.Int64));
    }

    public void Dispose()
    {
        _generator.Dispose();
        _generatorHead.Dispose();
        _discriminator.Dispose();
        _head.Dispose();
    }
}
