using System.Text.Json;
using Research.Lib.Modeling;
using Research.Lib.Text;
using TorchSharp;

namespace Research.Lib.Tests.Modeling;

/// <summary>
/// Our BERT / XLM-R forward against PyTorch's own building blocks (benchmarks/reference/bert_reference.py:
/// nn.Embedding + post-norm nn.TransformerEncoderLayer with GELU) on the same safetensors weights and the same
/// padded batch: final hidden states agree to 1e-4 at every real (non-padding) token.
/// </summary>
public class PyTorchParityTests
{
    private static readonly string[] Sentences =
    [
        "复利是什么？",
        "What are the risks of refinancing a mortgage? Closing costs can erase the savings.",
        "黄芪有什么功效",
        "git rebase 和 merge 的区别是什么，什么时候应该用 rebase？",
    ];

    public static TheoryData<string, string> Models => new()
    {
        { "tiny-bert", "gelu" },
        { "tiny-xlmr", "gelu" },
        { "tiny-bert", "gelu_new" },
    };

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void HiddenStatesMatchPyTorch(string name, string activation)
    {
        var missing = ReferenceTools.PythonMissing("torch", "numpy");
        Skip.If(missing is not null, missing);
        using var dir = new TempDir();
        var modelDir = Path.Combine(TestPaths.ToyData, name);
        using var encoder = SentenceEncoder.Load(modelDir);
        if (activation == encoder.Model.Config.HiddenAct)
        {
            AssertParity(encoder, modelDir, dir.Path);
            return;
        }
        // The same weights under the tanh-approximated GELU ("gelu_new"), saved as a model of its own.
        var copyDir = Path.Combine(dir.Path, "model");
        using var other = new SentenceEncoder(encoder.Tokenizer, CopyOf(encoder.Model, encoder.Model.Config with { HiddenAct = activation }), encoder.Settings);
        other.Save(copyDir);
        AssertParity(other, copyDir, dir.Path);
    }

    private static BertModel CopyOf(BertModel model, TransformerConfig config)
    {
        var copy = new BertModel(config, model.HasPooler);
        CheckpointLoader.Load(copy, CheckpointLoader.StateDict(model), "copy");
        return copy;
    }

    private static void AssertParity(SentenceEncoder encoder, string modelDir, string work)
    {
        var batch = TokenBatch.Pad(Sentences.Select(s => encoder.Tokenizer.Encode(s, 128)).ToList(), encoder.Tokenizer.PadId);
        Assert.True(batch.Mask.Contains(0), "the batch must contain padding");
        var input = Path.Combine(work, "in.json");
        var output = Path.Combine(work, "out.json");
        File.WriteAllText(input, JsonSerializer.Serialize(new
        {
            ids = Rows(batch.Ids, batch.Count, batch.Length),
            mask = Rows(batch.Mask, batch.Count, batch.Length),
        }));
        ReferenceTools.RunOrThrow("/usr/bin/python3", Path.Combine(ReferenceTools.Dir, "bert_reference.py"), modelDir, input, output);
        var reference = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(output)).GetProperty("hidden");

        encoder.Model.eval();
        using var noGrad = torch.no_grad();
        var (ids, mask, types) = batch.ToTensors();
        using var hidden = encoder.Model.forward(ids, mask, types);
        var ours = hidden.data<float>().ToArray();
        var h = (int)hidden.shape[2];
        double maxDiff = 0;
        var compared = 0;
        for (var b = 0; b < batch.Count; b++)
            for (var t = 0; t < batch.Length; t++)
            {
                if (batch.Mask[b * batch.Length + t] == 0) continue;
                var row = reference[b][t];
                for (var d = 0; d < h; d++)
                {
                    maxDiff = Math.Max(maxDiff, Math.Abs(ours[(b * batch.Length + t) * h + d] - row[d].GetDouble()));
                    compared++;
                }
            }
        Assert.Equal((int)batch.TokenCount * h, compared);
        Assert.True(maxDiff <= 1e-4, $"max |ours - PyTorch| = {maxDiff:E3} over {compared} values");
    }

    private static long[][] Rows(long[] flat, int rows, int cols) =>
        Enumerable.Range(0, rows).Select(r => flat.AsSpan(r * cols, cols).ToArray()).ToArray();
}
