using Research.Lib.Modeling;
using Research.Lib.Tensors;
using TorchSharp;

namespace Research.Lib.Tests.Modeling;

public class CheckpointLoaderTests
{
    private static readonly TransformerConfig Tiny = new()
    {
        VocabSize = 10,
        HiddenSize = 8,
        NumHiddenLayers = 1,
        NumAttentionHeads = 2,
        IntermediateSize = 16,
        MaxPositionEmbeddings = 8,
    };

    [Fact]
    public void UsesHuggingFaceParameterNames()
    {
        using var model = new BertModel(Tiny, withPooler: true);
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.Contains("embeddings.word_embeddings.weight", names);
        Assert.Contains("encoder.layer.0.attention.self.query.weight", names);
        Assert.Contains("encoder.layer.0.attention.output.LayerNorm.bias", names);
        Assert.Contains("encoder.layer.0.intermediate.dense.weight", names);
        Assert.Contains("encoder.layer.0.output.dense.bias", names);
        Assert.Contains("pooler.dense.weight", names);
        Assert.Equal(5 + 16 + 2, names.Count); // embeddings 3 + LayerNorm 2; per layer q,k,v,attention output, its LayerNorm, intermediate, output, its LayerNorm; pooler
    }

    [Fact]
    public void StripsTaskPrefixesAndIgnoresHeads()
    {
        using var source = new BertModel(Tiny);
        source.InitializeWeights(3);
        var weights = CheckpointLoader.StateDict(source).ToDictionary(kv => "bert." + kv.Key, kv => kv.Value);
        weights["cls.predictions.bias"] = torch.zeros(10);
        weights["bert.embeddings.position_ids"] = TensorOps.Arange(8);
        using var target = new BertModel(Tiny);
        CheckpointLoader.Load(target, weights, "ckpt");
        Assert.Equal(source.named_parameters().First().parameter.data<float>().ToArray(), target.named_parameters().First().parameter.data<float>().ToArray());
    }

    [Fact]
    public void MismatchListsMissingUnexpectedAndShapes()
    {
        using var source = new BertModel(Tiny);
        var weights = CheckpointLoader.StateDict(source);
        weights.Remove("encoder.layer.0.output.dense.bias");
        weights["encoder.layer.0.extra.weight"] = torch.zeros(1);
        weights["embeddings.word_embeddings.weight"] = torch.zeros(11, 8);
        using var target = new BertModel(Tiny);
        var e = Assert.Throws<InvalidDataException>(() => CheckpointLoader.Load(target, weights, "m.safetensors"));
        Assert.Equal("m.safetensors: the weights do not match the model described by config.json: "
            + "missing keys (1): encoder.layer.0.output.dense.bias; unexpected keys (1): encoder.layer.0.extra.weight; "
            + "shape mismatches (1): embeddings.word_embeddings.weight: checkpoint [11, 8], model [10, 8].", e.Message);
    }

    [Fact]
    public void ConfigErrorsNameTheFileAndField()
    {
        using var dir = new TempDir();
        var path = dir.File("config.json", "{\"model_type\": \"bert\", \"hidden_size\": \"big\"}");
        var e = Assert.Throws<InvalidDataException>(() => TransformerConfig.Load(path));
        Assert.Equal($"{path}: field 'hidden_size' has value \"big\", expected a Int32.", e.Message);
        var gpt = dir.File("c2.json", "{\"model_type\": \"gpt2\"}");
        Assert.Equal($"{gpt}: model_type 'gpt2' is not supported (bert, xlm-roberta, roberta).",
            Assert.Throws<InvalidDataException>(() => TransformerConfig.Load(gpt)).Message);
    }
}
