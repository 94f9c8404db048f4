using Research.Lib.Devices;
using Research.Lib.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Modeling;

/// <summary>
/// Tokenizer + transformer + pooling (+ optional projection) (+ optional L2 normalization): texts in, one vector
/// each out, as sentence-transformers' SentenceTransformer. Loads and saves Hugging Face model folders with
/// sentence-transformers metadata, so the same folder works in Python.
/// </summary>
public sealed class SentenceEncoder : IEmbeddingEncoder, IDisposable
{
    public SentenceEncoder(ITextTokenizer tokenizer, BertModel model, SentenceEncoderSettings settings,
        DenseProjection? projection = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabSize} ids but the model's vocab_size is {model.Config.VocabSize}.");
        if (projection is not null && projection.InFeatures != model.Config.HiddenSize)
            throw new ArgumentException($"The projection takes {projection.InFeatures} features but the model's hidden size is {model.Config.HiddenSize}.");
        Tokenizer = tokenizer;
        Model = model;
        Settings = settings with { MaxSeqLength = Math.Min(settings.MaxSeqLength, model.Config.MaxTokens) };
        Projection = projection;
        Device = device ?? torch.CPU;
        Model.to(Device);
        Projection?.to(Device);
    }

    public ITextTokenizer Tokenizer { get; }
    public BertModel Model { get; }
    public SentenceEncoderSettings Settings { get; }
    public DenseProjection? Projection { get; }
    public Device Device { get; }

    /// <summary>The folder <see cref="Load"/> read this encoder from (full path), or null when built in memory.</summary>
    public string? SourceDirectory { get; private init; }

    /// <summary>Length of the output vectors.</summary>
    public int Dimension => Projection?.OutFeatures ?? Model.Config.HiddenSize;

    /// <summary>Whether vectors are L2-normalized (the folder's Normalize module).</summary>
    public bool Normalizes => Settings.Normalize;

    /// <summary>
    /// Loads a Hugging Face model folder: config.json, model.safetensors, tokenizer files, and (when present)
    /// sentence-transformers metadata (modules.json, 1_Pooling, 2_Dense, Normalize, prompts).
    /// <para>
    /// <paramref name="weights"/> BFloat16 or Float16 loads for inference only, with the transformer's weights held in that
    /// type (half the memory, no float32 copy; sentence-transformers' <c>model_kwargs={"torch_dtype": ...}</c>): every
    /// <see cref="Encode"/> then runs in that precision, and training the encoder is refused. Float32 (the default) loads
    /// trainable float32 weights, which encode in any precision.
    /// </para>
    /// </summary>
    public static SentenceEncoder Load(string directory, DeviceSpec? device = null, SentenceEncoderSettings? overrideSettings = null,
        EncodePrecision weights = EncodePrecision.Float32)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (LoraAdapter.IsAdapterFolder(directory) && !File.Exists(Path.Combine(directory, "model.safetensors")))
            return LoadAdapter(directory, device, overrideSettings, weights);
        var configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"{directory}: config.json not found; is this a Hugging Face model folder?", configPath);
        if (CrossEncoder.IsCrossEncoderFolder(directory))
            throw new InvalidDataException($"{directory}: a cross-encoder (reranker; config.json says ...ForSequenceClassification): it scores (query, passage) pairs and does not embed texts. Load it with CrossEncoder.Load, or give it where a reranker is asked for (research eval rerank --reranker, research mine --rescore).");
        var config = TransformerConfig.Load(configPath);
        var weightsPath = Path.Combine(directory, "model.safetensors");
        if (!File.Exists(weightsPath))
            throw new FileNotFoundException(File.Exists(Path.Combine(directory, "pytorch_model.bin"))
                ? $"{directory}: only pytorch_model.bin is present; this kit reads model.safetensors (convert with safetensors' convert script or save_pretrained(safe_serialization=True))."
                : $"{directory}: model.safetensors not found.", weightsPath);
        var tokenizer = TokenizerLoader.Load(directory);
        var resolved = (device ?? DeviceSpec.Cpu).Resolve();
        var halfType = HalfType(weights, resolved);
        var model = CheckpointLoader.CreateModel(config, Safetensors.Read(weightsPath), weightsPath);
        if (halfType is { } t) model.HoldWeightsIn(t); // on the host, before the move: the device never holds float32 weights
        var (settings, densePath) = SentenceTransformerFolder.Read(directory, config.MaxTokens);
        var dense = densePath is null ? null : SentenceTransformerFolder.ReadDense(densePath);
        return new SentenceEncoder(tokenizer, model, overrideSettings ?? settings, dense, resolved) { SourceDirectory = Path.GetFullPath(directory) };
    }

    /// <summary>
    /// A LoRA adapter folder (adapter_config.json + adapter_model.safetensors, as PEFT and sentence-transformers save one):
    /// the base model from its <c>base_model_name_or_path</c>, the adapter attached and loaded, and the folder's own
    /// tokenizer and sentence-transformers metadata when it has them (else the base model's).
    /// </summary>
    private static SentenceEncoder LoadAdapter(string directory, DeviceSpec? device, SentenceEncoderSettings? overrideSettings, EncodePrecision weights)
    {
        var (options, baseModel) = LoraAdapter.ReadConfig(directory);
        var configPath = Path.Combine(directory, LoraAdapter.ConfigFile);
        if (baseModel is null || !File.Exists(Path.Combine(baseModel, "config.json")))
            throw new DirectoryNotFoundException($"{configPath}: base_model_name_or_path {(baseModel is null ? "is missing" : $"'{baseModel}' is not a model folder here")}; the adapter needs its base model's folder (merge it elsewhere with `research model merge-lora`, or fix the path).");
        if (LoraAdapter.IsAdapterFolder(baseModel) && !File.Exists(Path.Combine(baseModel, "model.safetensors")))
            throw new InvalidDataException($"{configPath}: the base model {baseModel} is itself an adapter; merge it first (`research model merge-lora`).");
        var weightsPath = Path.Combine(directory, LoraAdapter.WeightsFile);
        if (!File.Exists(weightsPath))
            throw new FileNotFoundException($"{directory}: {LoraAdapter.WeightsFile} not found beside {LoraAdapter.ConfigFile}.", weightsPath);
        // The adapter folder's own tokenizer, pooling and Dense module (sentence-transformers saves them beside the
        // adapter, and a Dense module trains with it) win over the base model's.
        var ownMetadata = File.Exists(Path.Combine(directory, "modules.json")) || File.Exists(Path.Combine(directory, "sentence_bert_config.json"));
        var (ownSettings, densePath) = ownMetadata
            ? SentenceTransformerFolder.Read(directory, TransformerConfig.Load(Path.Combine(baseModel, "config.json")).MaxTokens)
            : (null, null);
        var baseEncoder = Load(baseModel, device, overrideSettings ?? ownSettings, EncodePrecision.Float32);
        var tokenizer = File.Exists(Path.Combine(directory, "vocab.txt")) || File.Exists(Path.Combine(directory, "tokenizer.json"))
            ? TokenizerLoader.Load(directory)
            : baseEncoder.Tokenizer;
        var projection = baseEncoder.Projection;
        if (densePath is not null)
        {
            projection?.Dispose();
            projection = SentenceTransformerFolder.ReadDense(densePath);
        }
        var encoder = new SentenceEncoder(tokenizer, baseEncoder.Model, baseEncoder.Settings, projection, baseEncoder.Device) { SourceDirectory = Path.GetFullPath(directory) };
        var adapter = LoraAdapter.Attach(encoder.Model, options, seed: 0, baseModel);
        var tensors = Safetensors.Read(weightsPath);
        try { adapter.LoadPeftStateDict(tensors, weightsPath); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
        if (HalfType(weights, encoder.Device) is { } half) encoder.Model.HoldWeightsIn(half);
        return encoder;
    }

    /// <summary>
    /// A plain encoder whose transformer has this encoder's LoRA adapter folded into its weights (W + scaling · B A,
    /// PEFT's <c>merge_and_unload</c>): the same vectors, no adapter, trainable and savable as a full model folder.
    /// The tokenizer and settings are shared with this encoder; the transformer and the projection are copies.
    /// </summary>
    public SentenceEncoder MergeLora()
    {
        if (Model.Lora is null) throw new InvalidOperationException("This encoder has no LoRA adapter to merge.");
        var merged = CheckpointLoader.CreateModel(Model.Config, CheckpointLoader.StateDict(Model), "the merged adapter");
        merged.AttentionImplementation = Model.AttentionImplementation;
        DenseProjection? projection = null;
        if (Projection is { } p)
        {
            projection = new DenseProjection(p.InFeatures, p.OutFeatures, p.HasBias, p.Tanh);
            using var noGrad = torch.no_grad();
            var source = p.named_parameters().ToDictionary(x => x.name, x => x.parameter);
            foreach (var (name, q) in projection.named_parameters()) q.copy_(source[name]);
        }
        return new SentenceEncoder(Tokenizer, merged, Settings, projection, Device);
    }

    /// <summary>
    /// Writes the model folder (atomically file by file): config, weights, tokenizer, sentence-transformers metadata. A
    /// model with a LoRA adapter is saved as PEFT and sentence-transformers save one: adapter_config.json and
    /// adapter_model.safetensors instead of config.json and model.safetensors, the base model named by path
    /// (<see cref="MergeLora"/> first for a full folder).
    /// </summary>
    public void Save(string directory, SafetensorsDType dtype = SafetensorsDType.F32)
    {
        Directory.CreateDirectory(directory);
        if (Model.Lora is { } adapter)
        {
            // A full model's weights left in the folder would be loaded instead of the adapter: the folder is this model now.
            foreach (var stale in new[] { "model.safetensors", "config.json" })
                File.Delete(Path.Combine(directory, stale));
            adapter.Save(directory);
            Tokenizer.Save(directory);
            SentenceTransformerFolder.Write(directory, Settings, Model.Config.HiddenSize, Projection);
            return;
        }
        Model.Config.Save(Path.Combine(directory, "config.json"));
        var state = CheckpointLoader.StateDict(Model);
        try
        {
            Safetensors.Write(Path.Combine(directory, "model.safetensors"), state, dtype, new Dictionary<string, string> { ["format"] = "pt" });
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
        Tokenizer.Save(directory);
        SentenceTransformerFolder.Write(directory, Settings, Model.Config.HiddenSize, Projection);
    }

    /// <summary>Batches a GPU encode call keeps in flight before it waits for the device and collects their vectors.</summary>
    private const int PendingBatches = 8;

    /// <summary>Encodes queries with the model's query instruction (unless the options give one).</summary>
    public EmbeddingMatrix EncodeQueries(IReadOnlyList<string> texts, EncodeOptions? options = null) =>
        Encode(texts, (options ?? new EncodeOptions()) is var o && o.Instruction is null ? o with { Instruction = Settings.QueryInstruction } : o);

    /// <summary>Encodes passages with the model's passage instruction (unless the options give one).</summary>
    public EmbeddingMatrix EncodePassages(IReadOnlyList<string> texts, EncodeOptions? options = null) =>
        Encode(texts, (options ?? new EncodeOptions()) is var o && o.Instruction is null ? o with { Instruction = Settings.PassageInstruction } : o);

    /// <summary>
    /// Encodes texts in eval mode without gradients: sorts them by length (longest first, so padding is small
    /// and a too-large batch fails at once), tokenizes the next batch on a worker thread while the current one
    /// runs, and returns the vectors in the input order.
    /// </summary>
    public EmbeddingMatrix Encode(IReadOnlyList<string> texts, EncodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        options ??= new EncodeOptions();
        var maxLength = Math.Min(options.MaxLength ?? Settings.MaxSeqLength, Model.Config.MaxTokens);
        var normalize = options.Normalize ?? Settings.Normalize;
        var prefix = options.Instruction ?? "";
        var order = Enumerable.Range(0, texts.Count).OrderByDescending(i => texts[i].Length).ThenBy(i => i).ToArray();
        var result = new float[(long)texts.Count * Dimension];
        var computeType = ComputeTypeFor(options.Precision);
        var model = Model;
        var batchSize = options.BatchSize;

        TokenBatch Tokenize(int start) =>
            TokenBatch.Pad(TokenizeMany(Math.Min(batchSize, order.Length - start), j => prefix + texts[order[start + j]], maxLength), Tokenizer.PadId);

        var wasTraining = Model.training;
        var previousComputeType = Model.ComputeType;
        Model.ComputeType = computeType;
        model.eval();
        Projection?.eval();
        // On a GPU nothing in the loop waits for the device: inputs go up asynchronously from pinned memory and each
        // batch's vectors come back asynchronously into pinned memory, read after one synchronization every few batches,
        // so the host tokenizes and queues batch i+1 while the device computes batch i.
        var cuda = Device.type == DeviceType.CUDA;
        var pending = new List<(int Start, int Count, Tensor Vectors)>();

        void Drain()
        {
            if (cuda) torch.cuda.synchronize();
            foreach (var (first, count, vectors) in pending)
            {
                using (vectors)
                {
                    var span = vectors.data<float>();
                    for (var j = 0; j < count; j++)
                        for (var d = 0; d < Dimension; d++)
                            result[(long)order[first + j] * Dimension + d] = span[j * Dimension + d];
                }
                options.Progress?.Report(first + count);
            }
            pending.Clear();
        }

        try
        {
            using var noGrad = torch.no_grad();
            using var half = model.BeginHalfInference();
            var next = order.Length > 0 ? Task.Run(() => Tokenize(0)) : null;
            for (var start = 0; start < order.Length; start += batchSize)
            {
                var batch = next!.GetAwaiter().GetResult();
                var nextStart = start + batchSize; // a copy: the lambda must not see the loop variable change
                next = nextStart < order.Length ? Task.Run(() => Tokenize(nextStart)) : null;
                using (NewDisposeScope())
                {
                    var vectors = Forward(model, batch, normalize).to_type(ScalarType.Float32).contiguous();     // (batch, dim)
                    var host = cuda ? vectors.to(CPU, non_blocking: true) : vectors.cpu();
                    pending.Add((start, batch.Count, host.DetachFromDisposeScope()));
                }
                if (!cuda || pending.Count >= PendingBatches) Drain();
            }
            Drain();
        }
        finally
        {
            foreach (var (_, _, vectors) in pending) vectors.Dispose();
            if (wasTraining) Model.train();
            Model.ComputeType = previousComputeType;
        }
        return new EmbeddingMatrix(result, texts.Count, Dimension);
    }

    /// <summary>Tokenizes and pads <paramref name="texts"/> (at most <paramref name="maxLength"/> tokens each, capped at max_seq_length) as one batch.</summary>
    public TokenBatch Tokenize(IReadOnlyList<string> texts, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return TokenBatch.Pad(TokenizeMany(texts.Count, j => texts[j], Math.Min(maxLength, Settings.MaxSeqLength)), Tokenizer.PadId);
    }

    /// <summary>
    /// Tokenizes count texts. On a GPU the forward pass of a batch takes about as long as one thread needs to tokenize it
    /// (measured: BERT-base in bf16 on an H200 waited on tokenization), so there a batch is tokenized by all cores but
    /// one; on the CPU the forward pass owns the cores and one thread tokenizes.
    /// </summary>
    private TokenizedText[] TokenizeMany(int count, Func<int, string> text, int maxLength)
    {
        var items = new TokenizedText[count];
        var threads = Device.type == DeviceType.CUDA ? Math.Max(1, Environment.ProcessorCount - 1) : 1;
        if (threads > 1 && count >= 32)
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, j => items[j] = Tokenizer.Encode(text(j), maxLength));
        else
            for (var j = 0; j < count; j++)
                items[j] = Tokenizer.Encode(text(j), maxLength);
        return items;
    }

    /// <summary>Sentence vectors of a tokenized batch with gradients (for training): (batch, dim).</summary>
    public Tensor Forward(TokenBatch batch, bool? normalize = null) => Forward(Model, batch, normalize ?? Settings.Normalize);

    /// <summary>Sentence vectors of a batch through <paramref name="model"/> (the encoder's own or a copy of it, e.g. a momentum encoder) with this encoder's pooling and projection.</summary>
    internal Tensor Forward(BertModel model, TokenBatch batch, bool normalize)
    {
        using var scope = NewDisposeScope();
        var (ids, mask, types) = batch.ToTensors(Device);
        var hidden = model.forward(ids, mask, types);                    // (batch, seq, hidden)
        var pooled = Pooling.Pool(hidden, mask, Settings.Pooling);      // (batch, hidden)
        if (Projection is not null)
            pooled = Projection.forward(pooled.to_type(ScalarType.Float32)); // (batch, dim)
        if (normalize)
            pooled = Pooling.Normalize(pooled);
        return pooled.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The compute type for <paramref name="precision"/>: bf16 / fp16 run through the model's autocast
    /// (<see cref="BertModel.ComputeType"/>: products and attention in half precision, float32 weights), so no copy of the
    /// model is made per call (a copy cost seconds per Encode call on a GPU: measured, H100) and it never goes stale after training.
    /// An encoder whose weights are held in a half type (<see cref="Load"/>'s <c>weights</c>) always runs in that type: Float32
    /// (the default) means "as loaded"; asking for the other half type is refused.
    /// </summary>
    private ScalarType? ComputeTypeFor(EncodePrecision precision)
    {
        var requested = HalfType(precision, Device);
        var held = Model.WeightType;
        if (held is not (ScalarType.BFloat16 or ScalarType.Float16)) return requested;
        if (requested is { } r && r != held)
            throw new ArgumentException($"This encoder holds {Name(held)} weights (loaded for inference in {Name(held)}); it encodes in {Name(held)} only, not {Name(r)}. Load it again with that precision.");
        return held;
    }

    /// <summary>The half type of a precision (null for Float32); Float16 needs CUDA.</summary>
    private static ScalarType? HalfType(EncodePrecision precision, Device device)
    {
        if (precision == EncodePrecision.Float16 && device.type != DeviceType.CUDA)
            throw new NotSupportedException("Float16 inference needs a CUDA device; on CPU use BFloat16 or Float32.");
        return precision switch
        {
            EncodePrecision.BFloat16 => ScalarType.BFloat16,
            EncodePrecision.Float16 => ScalarType.Float16,
            _ => null,
        };
    }

    private static string Name(ScalarType t) => t == ScalarType.BFloat16 ? "bf16" : t == ScalarType.Float16 ? "fp16" : "fp32";

    public void Dispose()
    {
        Model.Dispose();
        Projection?.Dispose();
    }
}
