using System.Text.Json.Nodes;
using Research.Lib.Modeling;
using Research.Lib.Tests.Training;

namespace Research.Lib.Tests.Modeling;

[Collection(TorchRandomCollection.Name)]
public class CrossEncoderTests
{
    private static readonly string TinyBert = Path.Combine(TestPaths.ToyData, "tiny-bert");

    private static readonly (string, string)[] Pairs =
    [
        ("why does git rebase fail", "Never rebase commits that others have pulled."),
        ("what does chmod 777 do", "chmod 777 gives everyone write access."),
        ("short", "a much longer passage about something else entirely, with many more words than the query has"),
    ];

    [Fact]
    public void StartsFromAnEncoderFolderAndSavesAHuggingFaceSequenceClassifierThatLoadsBackExactly()
    {
        using var dir = new TempDir();
        float[] before;
        using (var model = CrossEncoder.Load(TinyBert, maxLength: 48, seed: 7))
        {
            Assert.Equal(48, model.MaxLength);
            before = model.Predict(Pairs);
            model.Save(dir.Path);
        }
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "config.json")))!;
        Assert.Equal("BertForSequenceClassification", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal("LABEL_0", config["id2label"]!["0"]!.GetValue<string>());
        Assert.Equal(48, config["max_length"]!.GetValue<int>());
        var keys = Safetensors.Read(Path.Combine(dir.Path, "model.safetensors"));
        Assert.Contains("bert.embeddings.word_embeddings.weight", keys.Keys);
        Assert.Contains("bert.pooler.dense.weight", keys.Keys);
        Assert.Equal(new long[] { 1, keys["bert.pooler.dense.weight"].shape[0] }, keys["classifier.weight"].shape);
        Assert.Equal(new long[] { 1 }, keys["classifier.bias"].shape);
        Assert.DoesNotContain(keys.Keys, k => !k.StartsWith("bert.", StringComparison.Ordinal) && !k.StartsWith("classifier.", StringComparison.Ordinal));
        foreach (var t in keys.Values) t.Dispose();
        Assert.False(File.Exists(Path.Combine(dir.Path, "modules.json")));
        Assert.True(CrossEncoder.IsCrossEncoderFolder(dir.Path));
        Assert.False(CrossEncoder.IsCrossEncoderFolder(TinyBert));

        using var again = CrossEncoder.Load(dir.Path);
        Assert.Equal(48, again.MaxLength);
        Assert.Equal(before, again.Predict(Pairs));
        // The same seed gives the same new classifier; another seed another one.
        using var same = CrossEncoder.Load(TinyBert, maxLength: 48, seed: 7);
        using var other = CrossEncoder.Load(TinyBert, maxLength: 48, seed: 8);
        Assert.Equal(before, same.Predict(Pairs));
        Assert.NotEqual(before, other.Predict(Pairs));

        var refused = Assert.Throws<InvalidDataException>(() => SentenceEncoder.Load(dir.Path));
        Assert.Contains("a cross-encoder (reranker", refused.Message);
    }

    [Fact]
    public void PredictGivesTheSameScoresInAnyBatchingAndOrder()
    {
        using var model = CrossEncoder.Load(TinyBert, maxLength: 64);
        var whole = model.Predict(Pairs, batchSize: 8);
        var ones = model.Predict(Pairs, batchSize: 1);
        for (var i = 0; i < whole.Length; i++) Assert.Equal(whole[i], ones[i], 5);
        var reversed = model.Predict(Pairs.Reverse().ToList(), batchSize: 1);
        Assert.Equal(ones.Reverse().ToArray(), reversed);
        // The pair is read together: [CLS] query [SEP] passage [SEP], segment ids 0 then 1.
        var batch = model.Tokenize([("a b", "c")]);
        var item = model.Encoder.Tokenizer.EncodePair("a b", "c", 64);
        Assert.Contains(1, item.TypeIds);
        Assert.Equal(item.Ids.Length, batch.Length);
    }
}
