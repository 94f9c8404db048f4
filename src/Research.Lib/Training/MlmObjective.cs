using Research.Lib.Data;
using Research.Lib.Modeling;
using Research.Lib.Tensors;
using Research.Lib.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// Masked-language-model pre-training as an <see cref="ITrainingObjective"/> (see <see cref="MlmTrainer"/>): each batch
/// corrupted by <see cref="MlmMasking"/> or <see cref="WholeWordMasking"/> (a draw seeded by the batch's position, so every
/// epoch masks differently and a resumed run masks the same), cross-entropy of the <see cref="MlmHead"/>'s predictions at
/// the chosen positions. The head is part of the saved model (its folder then also serves as DiffCSE's generator). In the
/// log, the positive score is the accuracy on the masked positions and the negative score 0.
/// </summary>
public sealed class MlmObjective : ITrainingObjective
{
    private readonly SentenceEncoder _encoder;
    private readonly MlmHead _head;
    private readonly List<string> _data;
    private readonly MlmTrainingOptions _options;
    private readonly WordPieceTextTokenizer? _wordPiece;
    private (int Epoch, int[] Order)? _order;

    /// <param name="encoder">the model trained; its tokenizer needs a mask token</param>
    /// <param name="head">the prediction head (from <see cref="MlmHead.Load"/>), moved to the encoder's device</param>
    /// <param name="sentences">plain sentences (blank ones are dropped)</param>
    /// <param name="options">the settings</param>
    public MlmObjective(SentenceEncoder encoder, MlmHead head, IReadOnlyList<string> sentences, MlmTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (encoder.Tokenizer.MaskId is null)
            throw new ArgumentException("The model's tokenizer has no mask token ([MASK] / <mask>): masked-language-model training needs one.");
        _data = sentences.Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
        if (_data.Count == 0) throw new ArgumentException("Masked-language-model training needs at least one non-empty sentence.");
        if (options.WholeWordMasking)
            _wordPiece = encoder.Tokenizer as WordPieceTextTokenizer ?? throw new ArgumentException(
                $"whole_word_masking needs a WordPiece (BERT-family) tokenizer, whose \"##\" pieces mark words; this model's tokenizer is {encoder.Tokenizer.Kind}.");
        (_encoder, _head, _options) = (encoder, head, options);
        head.to(encoder.Device);
        Parameters = encoder.Model.parameters().Where(p => p.requires_grad).Concat(head.parameters()).ToList();
        SavedModules = [("", encoder.Model), (MlmHead.Prefix, head)];
        BatchesPerEpoch = (_data.Count + options.BatchSize - 1) / options.BatchSize;
        Fingerprint = TrainingFingerprint.Of(_data, options, ("max_length", options.MaxLength), ("mask_probability", options.MaskProbability),
            ("whole_word_masking", options.WholeWordMasking));
    }

    public IReadOnlyList<Parameter> Parameters { get; }
    public IReadOnlyList<(string Prefix, nn.Module Module)> SavedModules { get; }
    public int BatchesPerEpoch { get; }
    public TrainingFingerprint Fingerprint { get; }

    public int BatchCount(int epoch) => BatchesPerEpoch;

    public MicroBatchResult Backward(int epoch, int batch, long microStep, double lossMultiplier)
    {
        var order = Order(epoch);
        var texts = order.Skip(batch * _options.BatchSize).Take(_options.BatchSize).Select(i => _data[i]).ToList();
        var tokens = _encoder.Tokenize(texts, _options.MaxLength);
        var maskSeed = SplitMix64.Mix(_options.Seed ^ 0x4D4C4DUL, (ulong)microStep);
        var (inputs, labels) = _wordPiece is null
            ? MlmMasking.Mask(tokens, _encoder.Tokenizer, _options.MaskProbability, maskSeed)
            : WholeWordMasking.Mask(tokens, WordGroups(_wordPiece, tokens, texts), _encoder.Tokenizer, _options.MaskProbability, maskSeed);
        var device = _encoder.Device;
        var (_, mask, types) = tokens.ToTensors(device);
        var ids = tensor(inputs, [tokens.Count, tokens.Length], device: device);
        var target = tensor(labels, [tokens.Count * tokens.Length], device: device);
        var chosen = target.ne(MlmMasking.IgnoreScalar).nonzero().squeeze(1);          // positions to predict
        if (chosen.shape[0] == 0) return MicroBatchResult.Skip;                       // nothing masked in this batch (tiny texts)
        var hidden = _encoder.Model.forward(ids, mask, types);                         // (batch, seq, hidden)
        var picked = hidden.reshape(-1, hidden.shape[2]).index_select(0, chosen);      // (n, hidden)
        var logits = _head.forward(picked, _encoder.Model.WordEmbeddingWeight);        // (n, vocab)
        var truth = target.index_select(0, chosen);
        var loss = nn.functional.cross_entropy(logits, truth);
        var value = (float)loss.to_type(ScalarType.Float64).item<double>();
        if (float.IsFinite(value)) loss.Times(lossMultiplier).backward();
        float accuracy;
        using (no_grad())
            accuracy = logits.argmax(1).eq(truth).to_type(ScalarType.Float32).mean().item<float>();
        return new MicroBatchResult(value, texts.Count, Positive: accuracy);
    }

    /// <summary>A checkpoint's model folder carries the head, as the finished run's does.</summary>
    public void SaveModelFiles(string directory) => _head.SaveInto(directory);

    public void Dispose() { } // the head belongs to the caller

    private int[] Order(int epoch)
    {
        if (_order is not { } cached || cached.Epoch != epoch)
            _order = cached = (epoch, new SplitMix64(SplitMix64.Mix(_options.Seed, (ulong)epoch)).Permutation(_data.Count));
        return cached.Order;
    }

    /// <summary>Each row's word groups for whole-word masking: WordPiece words, Chinese words from the segmenter.</summary>
    private static List<int[]> WordGroups(WordPieceTextTokenizer tokenizer, TokenBatch batch, IReadOnlyList<string> texts)
    {
        var rows = new List<int[]>(batch.Count);
        for (var r = 0; r < batch.Count; r++)
        {
            var ids = Enumerable.Range(r * batch.Length, batch.Length).Where(i => batch.Mask[i] != 0).Select(i => (int)batch.Ids[i]).ToList();
            rows.Add(WholeWordMasking.Groups(tokenizer.Tokens(ids), ids.Select(tokenizer.SpecialIds.Contains).ToList(), ChineseWordSegmenter.Words(texts[r])));
        }
        return rows;
    }
}
