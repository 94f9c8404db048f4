using System.Text.Json.Nodes;
using Research.Lib.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Tests.Modeling;

[Collection(Training.TorchRandomCollection.Name)]
public class LoraAdapterTests
{
    private static readonly string[] Texts = ["What is an emergency fund?", "指数基金是按照某个指数的成分股及权重进行投资的基金。", "a", "git rebase moves commits onto another base."];

    private static string TinyBert => Path.Combine(TestPaths.ToyData, "tiny-bert");

    private static float[] Weight(SentenceEncoder e, string name) =>
        e.Model.named_parameters().Single(p => p.name == name).parameter.detach().cpu().data<float>().ToArray();

    /// <summary>Gives every lora_A and lora_B weight seeded normal values (B is zero after Attach), so the update is not zero.</summary>
    private static void Randomize(LoraAdapter adapter, ulong seed)
    {
        using var noGrad = no_grad();
        var g = new Generator(seed);
        foreach (var p in adapter.parameters()) p.normal_(0, 0.2, g);
    }

    [Fact]
    public void ScalingIsAlphaOverRankOrOverItsRootWithRsLora()
    {
        Assert.Equal(2.0, new LoraOptions { R = 4, LoraAlpha = 8 }.Scaling);
        Assert.Equal(4.0, new LoraOptions { R = 4, LoraAlpha = 8, UseRslora = true }.Scaling);
        Assert.Equal(1.0, new LoraOptions().Scaling); // PEFT's defaults: r 8, lora_alpha 8
        Assert.True(new LoraOptions { TargetModules = ["dense"] }.Targets("encoder.layer.1.intermediate.dense"));
        Assert.True(new LoraOptions { TargetModules = ["attention.output.dense"] }.Targets("encoder.layer.1.attention.output.dense"));
        Assert.False(new LoraOptions { TargetModules = ["attention.output.dense"] }.Targets("encoder.layer.1.output.dense"));
        Assert.False(new LoraOptions { TargetModules = ["query"] }.Targets("encoder.layer.1.attention.self.xquery"));
    }

    [Theory]
    [InlineData(new[] { "query", "value" }, 4, 4096)]           // 2 layers × 2 projections × (8·64 + 64·8)
    [InlineData(new[] { "dense" }, 6, 2 * (1024 + 2 * 2560))]   // per layer: attention.output 64→64 (8·64 + 64·8), intermediate 64→256 and output 256→64 (8·64 + 256·8 each)
    [InlineData(new[] { "all-linear" }, 12, 2 * (4 * 1024 + 2 * 2560))]
    public void AttachAdaptsTheNamedLayersFreezesTheRestAndStartsAtTheBaseModel(string[] targets, int layers, long trainable)
    {
        using var encoder = SentenceEncoder.Load(TinyBert);
        var before = encoder.Encode(Texts);
        var adapter = LoraAdapter.Attach(encoder.Model, new LoraOptions { TargetModules = targets }, seed: 1, TinyBert);
        Assert.Equal(layers, adapter.Paths.Count);
        Assert.Equal(trainable, adapter.TrainableParameterCount);
        Assert.All(encoder.Model.BaseParameters(), p => Assert.False(p.parameter.requires_grad, p.name));
        Assert.All(adapter.parameters(), p => Assert.True(p.requires_grad));
        Assert.Equal(before.Data, encoder.Encode(Texts).Data); // B starts at zero: the adapted model is the base model
        if (targets[0] == "query")
            Assert.Equal(["encoder.layer.0.attention.self.query", "encoder.layer.0.attention.self.value", "encoder.layer.1.attention.self.query", "encoder.layer.1.attention.self.value"], adapter.Paths);
    }

    [Fact]
    public void TheAdaptedModelEqualsBasePlusScaledBATimesXAndItsMerge()
    {
        using var encoder = SentenceEncoder.Load(TinyBert);
        var adapter = LoraAdapter.Attach(encoder.Model, new LoraOptions { R = 4, LoraAlpha = 12, TargetModules = ["query", "value", "dense"] }, seed: 3, TinyBert);
        Randomize(adapter, 11);
        var adapted = encoder.Encode(Texts);

        // By hand: a plain copy of the base model whose adapted weights get W + (12 / 4) · B A, computed here from the saved PEFT tensors.
        using var byHand = SentenceEncoder.Load(TinyBert);
        var peft = adapter.PeftStateDict();
        using (no_grad())
        {
            using var three = 3.0.ToScalar();
            foreach (var path in adapter.Paths)
            {
                var a = peft[$"base_model.model.{path}.lora_A.weight"];
                var b = peft[$"base_model.model.{path}.lora_B.weight"];
                var w = byHand.Model.named_parameters().Single(p => p.name == path + ".weight").parameter;
                w.add_(b.matmul(a).mul(three), Research.Lib.Tensors.Scalars.One);
            }
        }
        var expected = byHand.Encode(Texts);
        using var merged = encoder.MergeLora();
        Assert.Null(merged.Model.Lora);
        var fromMerge = merged.Encode(Texts);
        var maxDiff = 0.0;
        for (var i = 0; i < expected.Data.Length; i++)
            maxDiff = Math.Max(maxDiff, Math.Max(Math.Abs(expected.Data[i] - adapted.Data[i]), Math.Abs(expected.Data[i] - fromMerge.Data[i])));
        Assert.True(maxDiff < 1e-6, $"max |difference| {maxDiff}");
        using var plain = SentenceEncoder.Load(TinyBert);
        var baseVectors = plain.Encode(Texts).Data;
        Assert.True(Enumerable.Range(0, expected.Data.Length).Max(i => Math.Abs(expected.Data[i] - baseVectors[i])) > 1e-3,
            "the update must change the vectors, or the comparison above proves nothing");
        foreach (var t in peft.Values) t.Dispose();
    }

    [Fact]
    public void OnlyTheAdapterReceivesGradients()
    {
        using var encoder = SentenceEncoder.Load(TinyBert);
        var adapter = LoraAdapter.Attach(encoder.Model, new LoraOptions { TargetModules = ["all-linear"] }, seed: 5, TinyBert);
        encoder.Model.train();
        using var batch = NewDisposeScope();
        var vectors = encoder.Forward(encoder.Tokenize(Texts, 32));
        vectors.select(1, 0).sum().backward(); // one coordinate: the vectors may be normalized, so their squared norm would be a constant
        Assert.All(encoder.Model.BaseParameters(), p => Assert.Null(p.parameter.grad));
        foreach (var (name, p) in adapter.named_parameters())
        {
            Assert.NotNull(p.grad);
            var norm = p.grad!.norm().item<float>();
            if (name.EndsWith("lora_A.weight", StringComparison.Ordinal)) Assert.Equal(0f, norm); // ∂/∂A goes through B, which is zero at the start
            else Assert.True(norm > 0, name);
        }
    }

    [Fact]
    public void SavesAPeftAdapterFolderThatLoadsBackAlone()
    {
        using var dir = new TempDir();
        using var encoder = SentenceEncoder.Load(TinyBert);
        var adapter = LoraAdapter.Attach(encoder.Model, new LoraOptions { R = 2, LoraAlpha = 4, LoraDropout = 0.1 }, seed: 7, Path.GetFullPath(TinyBert));
        Randomize(adapter, 13);
        var before = encoder.Encode(Texts);
        encoder.Save(dir.Path);

        Assert.False(File.Exists(Path.Combine(dir.Path, "model.safetensors")));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "adapter_config.json")))!;
        Assert.Equal("LORA", (string)config["peft_type"]!);
        Assert.Equal(2, (int)config["r"]!);
        Assert.Equal(4.0, (double)config["lora_alpha"]!);
        Assert.Equal(0.1, (double)config["lora_dropout"]!);
        Assert.Equal(["query", "value"], config["target_modules"]!.AsArray().Select(x => (string)x!));
        Assert.Equal(Path.GetFullPath(TinyBert), (string)config["base_model_name_or_path"]!);
        var saved = Safetensors.Read(Path.Combine(dir.Path, "adapter_model.safetensors"));
        Assert.Equal(
            ["base_model.model.encoder.layer.0.attention.self.query.lora_A.weight", "base_model.model.encoder.layer.0.attention.self.query.lora_B.weight",
             "base_model.model.encoder.layer.0.attention.self.value.lora_A.weight", "base_model.model.encoder.layer.0.attention.self.value.lora_B.weight",
             "base_model.model.encoder.layer.1.attention.self.query.lora_A.weight", "base_model.model.encoder.layer.1.attention.self.query.lora_B.weight",
             "base_model.model.encoder.layer.1.attention.self.value.lora_A.weight", "base_model.model.encoder.layer.1.attention.self.value.lora_B.weight"],
            saved.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([2L, 64L], saved["base_model.model.encoder.layer.0.attention.self.query.lora_A.weight"].shape);
        Assert.Equal([64L, 2L], saved["base_model.model.encoder.layer.0.attention.self.query.lora_B.weight"].shape);
        foreach (var t in saved.Values) t.Dispose();

        using var loaded = SentenceEncoder.Load(dir.Path);
        Assert.NotNull(loaded.Model.Lora);
        Assert.Equal(before.Data, loaded.Encode(Texts).Data);

        // The merged full folder encodes the same, and has no adapter.
        using var merged = loaded.MergeLora();
        merged.Save(Path.Combine(dir.Path, "merged"));
        using var full = SentenceEncoder.Load(Path.Combine(dir.Path, "merged"));
        Assert.Null(full.Model.Lora);
        var a = before.Data;
        var b = full.Encode(Texts).Data;
        Assert.True(Enumerable.Range(0, a.Length).Max(i => Math.Abs(a[i] - b[i])) < 1e-6);
    }

    [Fact]
    public void PeftKeysWithTheAdapterNameLoadAndWrongOnesAreNamed()
    {
        using var encoder = SentenceEncoder.Load(TinyBert);
        var adapter = LoraAdapter.Attach(encoder.Model, new LoraOptions(), seed: 1, null);
        var state = adapter.PeftStateDict();
        var withName = state.ToDictionary(kv => kv.Key.Replace(".lora_A.", ".lora_A.default.").Replace(".lora_B.", ".lora_B.default."), kv => kv.Value);
        adapter.LoadPeftStateDict(withName, "peft-file");
        state.Remove("base_model.model.encoder.layer.1.attention.self.value.lora_B.weight", out var removed);
        removed!.Dispose();
        var e = Assert.Throws<InvalidDataException>(() => adapter.LoadPeftStateDict(state, "adapter.safetensors"));
        Assert.Equal("adapter.safetensors: the adapter's weights do not match its adapter_config.json (r 8, target_modules query, value): missing keys (1): base_model.model.encoder.layer.1.attention.self.value.lora_B.weight.", e.Message);
        foreach (var t in state.Values) t.Dispose();
    }

    [Fact]
    public void BadSettingsAndFoldersAreRefusedByName()
    {
        using var encoder = SentenceEncoder.Load(TinyBert);
        var e = Assert.Throws<ArgumentException>(() => LoraAdapter.Attach(encoder.Model, new LoraOptions { TargetModules = ["query", "qkv"] }, 1, null));
        Assert.StartsWith("lora.target_modules: \"qkv\" matches no linear layer of the model", e.Message);
        Assert.Equal("lora.r 0: expected a positive rank.", Assert.Throws<ArgumentException>(() => new LoraOptions { R = 0 }.Validate()).Message);
        Assert.Equal("lora.lora_dropout 1: expected a number in [0, 1).", Assert.Throws<ArgumentException>(() => new LoraOptions { LoraDropout = 1 }.Validate()).Message);
        Assert.Contains("\"all-linear\" stands alone", Assert.Throws<ArgumentException>(() => new LoraOptions { TargetModules = ["all-linear", "query"] }.Validate()).Message);
        LoraAdapter.Attach(encoder.Model, new LoraOptions(), 1, null);
        Assert.Contains("already has a LoRA adapter", Assert.Throws<InvalidOperationException>(() => LoraAdapter.Attach(encoder.Model, new LoraOptions(), 1, null)).Message);

        using var dir = new TempDir();
        encoder.Save(dir.Path); // base_model_name_or_path null
        var missing = Assert.Throws<DirectoryNotFoundException>(() => SentenceEncoder.Load(dir.Path));
        Assert.Equal($"{Path.Combine(dir.Path, "adapter_config.json")}: base_model_name_or_path is missing; the adapter needs its base model's folder (merge it elsewhere with `research model merge-lora`, or fix the path).", missing.Message);
        dir.File("ia3/adapter_config.json", "{\"peft_type\": \"IA3\", \"target_modules\": [\"key\"]}");
        Assert.Equal($"{Path.Combine(dir.Path, "ia3", "adapter_config.json")}: peft_type IA3: this kit reads LoRA adapters only (peft_type \"LORA\").",
            Assert.Throws<InvalidDataException>(() => SentenceEncoder.Load(Path.Combine(dir.Path, "ia3"))).Message);
    }
}
