using System.CommandLine;
using Research.Lib.Data;
using Research.Lib.Devices;
using Research.Lib.Modeling;
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
        cmd.SetAction(r =>
        {
            try
            {
                ITextTokenizer tokenizer = r.GetValue(arch) == "xlm-roberta"
                    ? XlmRobertaTokenizer.Load(r.GetValue(spm) ?? throw new ArgumentException("--spm is required for xlm-roberta."))
                    : r.GetValue(vocab) is { } v
                        ? WordPieceTextTokenizer.Create(File.ReadAllLines(v))
                        : WordPieceTextTokenizer.Create(WordPieceVocabBuilder.Build(CorpusTexts(r.GetValue(vocabFrom) ?? []), r.GetValue(words)));
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
                encoder.Save(dir);
                var parameters = encoder.Model.parameters().Sum(p => p.numel());
                Console.WriteLine($"{dir}: {encoder.Model.Config.ModelType}, {parameters:N0} parameters, vocab {tokenizer.VocabSize}, dimension {encoder.Dimension}.");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or DataFormatException or InvalidDataException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return cmd;
    }

    private static IEnumerable<string> CorpusTexts(string[] paths)
    {
        if (paths.Length == 0)
            throw new ArgumentException("bert needs --vocab or --vocab-from.");
        foreach (var path in paths)
        {
            if (path.EndsWith(".json", StringComparison.Ordinal) || path.EndsWith(".jsonl", StringComparison.Ordinal))
            {
                foreach (var e in TrainingExampleReader.Read(path))
                    foreach (var t in e.Pos.Concat(e.Neg).Prepend(e.Query)) yield return t;
            }
            else
            {
                foreach (var s in SentenceReader.Read(path)) yield return s;
            }
        }
    }

    private static Command Encode()
    {
        var modelDir = new Option<string>("--model") { Required = true, Description = "Model folder." };
        var input = new Option<string>("--input") { Required = true, Description = "Plain text, one sentence per line." };
        var output = new Option<string>("--out") { Required = true, Description = "Output: little-endian float32 rows (.f32) plus a .json shape file." };
        var kind = new Option<string>("--as") { Description = "query or passage (selects the model's instruction).", DefaultValueFactory = _ => "passage" };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 32 };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu" };
        var cmd = new Command("encode", "Encode sentences into vectors.") { modelDir, input, output, kind, batch, device };
        cmd.SetAction(r =>
        {
            try
            {
                using var encoder = SentenceEncoder.Load(r.GetValue(modelDir)!, DeviceSpec.Parse(r.GetValue(device)!));
                var texts = SentenceReader.Read(r.GetValue(input)!).ToList();
                var sw = System.Diagnostics.Stopwatch.StartNew();
                var m = CliProgress.OverCount("encoding", texts.Count, progress =>
                {
                    var options = new EncodeOptions { BatchSize = r.GetValue(batch), Progress = progress };
                    return r.GetValue(kind) == "query" ? encoder.EncodeQueries(texts, options) : encoder.EncodePassages(texts, options);
                });
                var path = r.GetValue(output)!;
                AtomicFile.Write(path, s => s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(m.Data.AsSpan())));
                AtomicFile.WriteAllText(path + ".json", $"{{\"rows\": {m.Rows}, \"dimension\": {m.Dimension}, \"dtype\": \"float32\"}}\n");
                Console.WriteLine($"{m.Rows} x {m.Dimension} -> {path} ({m.Rows / sw.Elapsed.TotalSeconds:0.0} sentences/s)");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or DataFormatException or InvalidDataException or FormatException or InvalidOperationException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return cmd;
    }
}
