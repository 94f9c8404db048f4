using Research.Lib.Data;
using Research.Lib.Mining;
using Research.Lib.Modeling;
using Research.Lib.Tests.Training;

namespace Research.Lib.Tests.Mining;

[Collection(TorchRandomCollection.Name)]
public class RerankerRescoringTests
{
    private static readonly List<TrainingExample> Records =
    [
        new("why do cats purr", ["Cats purr when content.", "Purring is a vibration."], ["Dogs bark.", "Birds sing.", "Fish swim."]),
        new("how do birds fly", ["Wings give lift."], ["Cats purr when content."], prompt: "query: "),
        new("what is rust", ["A systems language."], []),
    ];

    [Fact]
    public void WritesTheLogitsAsTeacherScoresAndDropsNegativesAboveTheLowestPositive()
    {
        using var model = CrossEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"), maxLength: 64, seed: 11);
        // Every pair in record order, the prompt in front of the query as reranker training reads it.
        var logits = model.Predict(Records.SelectMany(e => e.Pos.Concat(e.Neg).Select(p => (e.QueryText(""), p))).ToList());
        var (all, none, _) = RerankerRescoring.Rescore(Records, model, margin: null);
        Assert.Equal(0, none);
        Assert.Equal(logits[..2].Select(s => (double)s), all[0].PosScores!);
        Assert.Equal(logits[2..5].Select(s => (double)s), all[0].NegScores!);
        Assert.Equal([(double)logits[5]], all[1].PosScores!);
        Assert.Equal([(double)logits[6]], all[1].NegScores!);
        Assert.Equal([(double)logits[7]], all[2].PosScores!);
        Assert.Empty(all[2].NegScores!);
        Assert.Equal("query: ", all[1].Prompt);

        // Margin m: a negative is kept when its logit ≤ min(positive logits) − m. Choose m so that exactly the negatives
        // below the first record's median negative stay.
        var minPos = Math.Min(logits[0], logits[1]);
        var negs = logits[2..5].Order().ToArray();
        var margin = minPos - (negs[0] + negs[1]) / 2.0;
        var (kept, dropped, without) = RerankerRescoring.Rescore(Records, model, margin);
        Assert.Equal([Records[0].Neg[Array.IndexOf(logits[2..5], negs[0])]], kept[0].Neg);
        Assert.Equal([(double)negs[0]], kept[0].NegScores!);
        var secondKept = logits[6] <= logits[5] - margin;
        Assert.Equal(secondKept ? 2 : 3, dropped);
        Assert.Equal(secondKept ? 0 : 1, without);
        Assert.Equal(Records[0].Pos, kept[0].Pos);

        // An infinitely strict margin drops every negative; an infinitely lenient one none.
        Assert.Equal((4L, 2), (RerankerRescoring.Rescore(Records, model, 1e9).Dropped, RerankerRescoring.Rescore(Records, model, 1e9).QueriesLeftWithout));
        Assert.Equal(0, RerankerRescoring.Rescore(Records, model, -1e9).Dropped);
        Assert.Throws<ArgumentException>(() => RerankerRescoring.Rescore(Records, model, double.NaN));
    }
}
