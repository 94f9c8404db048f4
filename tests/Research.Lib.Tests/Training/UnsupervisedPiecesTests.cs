using Research.Lib.Tensors;
using Research.Lib.Text;
using Research.Lib.Training;
using TorchSharp;

namespace Research.Lib.Tests.Training;

/// <summary>The momentum update, the negatives queue and MLM masking.</summary>
public class UnsupervisedPiecesTests
{
    [Fact]
    public void MomentumUpdateMovesTheKeyEncoderByOneMinusM()
    {
        using var key = torch.nn.Linear(2, 1);
        using var online = torch.nn.Linear(2, 1);
        using (torch.no_grad())
        {
            key.weight!.copy_(torch.tensor(new float[] { 1, 2 }).reshape(1, 2));
            key.bias!.FillInPlace(4);
            online.weight!.copy_(torch.tensor(new float[] { 3, -2 }).reshape(1, 2));
            online.bias!.FillInPlace(0);
        }
        MomentumUpdate.Apply(key, online, 0.75);
        Assert.Equal(new[] { 1.5f, 1f }, key.weight!.data<float>().ToArray());   // 0.75·1 + 0.25·3, 0.75·2 + 0.25·(−2)
        Assert.Equal(3f, key.bias!.item<float>());
        Assert.Equal(new[] { 3f, -2f }, online.weight!.data<float>().ToArray()); // the online encoder is untouched
    }

    [Fact]
    public void TheQueueIsFirstInFirstOut()
    {
        using var queue = new EmbeddingQueue(3);
        Assert.Null(queue.Rows);
        queue.Enqueue(torch.tensor(new float[] { 1, 2 }).reshape(2, 1));
        queue.Enqueue(torch.tensor(new float[] { 3, 4 }).reshape(2, 1));
        Assert.Equal(new[] { 2f, 3f, 4f }, queue.Rows!.data<float>().ToArray()); // the oldest (1) left
        queue.Enqueue(torch.tensor(new float[] { 5 }).reshape(1, 1));
        Assert.Equal(new[] { 3f, 4f, 5f }, queue.Rows!.data<float>().ToArray());
        queue.Clear();
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void MlmMaskingFollowsEightyTenTenAndNeverTouchesSpecialTokensOrPadding()
    {
        var tokenizer = TokenizerLoader.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        var texts = Enumerable.Range(0, 400).Select(i => $"sentence number {i} talks about retrieval and ranking of documents").ToList();
        var items = texts.Select((t, i) => tokenizer.Encode(i % 2 == 0 ? t : "short", 16)).ToList();
        var batch = TokenBatch.Pad(items, tokenizer.PadId);
        var (inputs, labels) = MlmMasking.Mask(batch, tokenizer, 0.15, seed: 11);
        int chosen = 0, masked = 0, random = 0, kept = 0, candidates = 0;
        for (var i = 0; i < inputs.Length; i++)
        {
            var special = batch.Mask[i] == 0 || tokenizer.SpecialIds.Contains((int)batch.Ids[i]);
            if (special)
            {
                Assert.Equal(MlmMasking.Ignore, labels[i]);
                Assert.Equal(batch.Ids[i], inputs[i]);
                continue;
            }
            candidates++;
            if (labels[i] == MlmMasking.Ignore)
            {
                Assert.Equal(batch.Ids[i], inputs[i]);
                continue;
            }
            chosen++;
            Assert.Equal(batch.Ids[i], labels[i]);
            if (inputs[i] == tokenizer.MaskId) masked++;
            else if (inputs[i] == batch.Ids[i]) kept++;
            else random++;
        }
        Assert.InRange(chosen / (double)candidates, 0.13, 0.17);
        Assert.InRange(masked / (double)chosen, 0.75, 0.85);
        Assert.InRange(random / (double)chosen, 0.06, 0.14);
        Assert.InRange(kept / (double)chosen, 0.06, 0.14);
        var again = MlmMasking.Mask(batch, tokenizer, 0.15, seed: 11); // seeded
        Assert.Equal(inputs, again.Inputs);
        Assert.Equal(labels, again.Labels);
    }

    [Fact]
    public void ReplacedTokenLabelsMarkOnlyTokensTheGeneratorChanged()
    {
        using var ids = torch.tensor(new long[] { 101, 5, 6, 7, 102, 0 }).reshape(1, 6);
        using var chosen = torch.tensor(new[] { false, true, true, false, false, false }).reshape(1, 6);
        using var predicted = torch.tensor(new long[] { 9, 8, 6, 9, 9, 9 }).reshape(1, 6); // restores position 2, changes 1
        var (edited, labels) = ReplacedTokenDetection.Replace(ids, chosen, predicted);
        Assert.Equal(new long[] { 101, 8, 6, 7, 102, 0 }, edited.data<long>().ToArray());   // unchosen positions keep their token
        Assert.Equal(new long[] { 0, 1, 0, 0, 0, 0 }, labels.data<long>().ToArray());       // a restored token counts as original
    }
}
