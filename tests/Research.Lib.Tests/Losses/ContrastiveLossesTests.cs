using Research.Lib.Losses;
using static TorchSharp.torch;

namespace Research.Lib.Tests.Losses;

/// <summary>The losses by name, and the group forms of CoSENT, triplet and distillation against values computed by hand.</summary>
public class ContrastiveLossesTests
{
    private static Tensor M(params float[][] rows) => tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    // Two queries with groups of 2 (positive first), each positive the query itself and each negative orthogonal to it:
    // every positive pair has cosine 1, every negative pair 0.
    private static ContrastiveBatch Batch(Tensor? teacher = null) =>
        new(M([1, 0], [0, 1]), M([1, 0], [0, 1], [0, 1], [1, 0]), 2, null, teacher);

    [Theory]
    [InlineData("info_nce", "info_nce")]
    [InlineData("InfoNce", "info_nce")]
    [InlineData("MarginScale", "margin_scale")]
    [InlineData("COSENT", "cosent")]
    [InlineData("triplet", "triplet")]
    [InlineData("distillation", "distillation")]
    [InlineData("MarginMSE", "margin_mse")]
    public void NamesMatchIgnoringCaseAndUnderscores(string given, string canonical)
    {
        Assert.Equal(canonical, ContrastiveLosses.Canonical(given));
        Assert.Equal(canonical, ContrastiveLosses.Create(given, new LossSettings()).Name);
    }

    [Fact]
    public void AnUnknownNameListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => ContrastiveLosses.Create("mnrl", new LossSettings()));
        Assert.Equal("loss 'mnrl': expected one of info_nce, margin_scale, cosent, triplet, distillation, margin_mse, gist.", e.Message);
    }

    [Fact]
    public void CoSentOnGroupsRanksEveryPositivePairAboveEveryNegativePair()
    {
        // Four ordered (positive, negative) pairs, each term exp(scale · (0 − 1)), scale 1: log(1 + 4/e).
        Assert.Equal(Math.Log(1 + 4 * Math.Exp(-1)), new CoSentLoss(1).Compute(Batch()).item<float>(), 6);
    }

    [Fact]
    public void CoSentWithGoldScoresOrdersEveryPairOfTheBatchByItsScore()
    {
        // Pairs (q0,p0), (q0,p1), (q1,p2), (q1,p3): cosines 1, 0, 1, 0; gold 0.2, 0.9, 0.5, 0.1. Ordered (i, j) with
        // s_i > s_j and exp(cos_j − cos_i): (1,0) e, (1,2) e, (1,3) 1, (2,0) 1, (2,3) 1/e, (0,3) 1/e → log(3 + 2e + 2/e).
        var loss = new CoSentLoss(1, goldScores: true);
        Assert.Equal(Math.Log(3 + 2 * Math.E + 2 / Math.E), loss.Compute(Batch(M([0.2f, 0.9f], [0.5f, 0.1f]))).item<float>(), 5);
        Assert.True(loss.NeedsTeacherScores);
        Assert.False(new CoSentLoss(1).NeedsTeacherScores);
        loss.Check(8, 1); // scored pairs need no group
        var e = Assert.Throws<ArgumentException>(() => loss.Check(1, 1));
        Assert.Equal("loss cosent compares pairs with each other: batch_size 1 × group_size 1 gives one pair a batch.", e.Message);
    }

    [Fact]
    public void TripletOnGroupsUsesEachNegative()
    {
        // Euclidean: d(q, pos) = 0, d(q, neg) = √2, margin 5 → 5 − √2 for both triplets.
        Assert.Equal(5 - Math.Sqrt(2), new TripletLoss().Compute(Batch()).item<float>(), 5);
    }

    [Fact]
    public void DistillationMatchesTheTeachersDistribution()
    {
        // Teacher scores equal → uniform; student logits [1, 0] / 0.02 = [50, 0]:
        // KL = ln ½ − ½ (ln s0 + ln s1) = −ln 2 + 25 + ln(1 + e^−50).
        var loss = new DistillationLoss().Compute(Batch(M([3, 3], [7, 7])));
        Assert.Equal(-Math.Log(2) + 25 + Math.Log(1 + Math.Exp(-50)), loss.item<float>(), 4);
        Assert.True(new DistillationLoss().NeedsTeacherScores);
    }

    [Fact]
    public void MarginMseMatchesTheTeachersMarginWithDotProducts()
    {
        // q0 = (2, 0): dot products [2, 0], margin 2, the teacher's 3 − 1 = 2 → 0; q1 = (0, 1): margin 1 − 0 = 1, the teacher's
        // 2 − 2 = 0 → 1. Mean squared error ½.
        var batch = new ContrastiveBatch(M([2, 0], [0, 1]), M([1, 0], [0, 1], [0, 1], [1, 0]), 2, null, M([3, 1], [2, 2]));
        Assert.Equal(0.5, new MarginMseLoss().Compute(batch).item<float>(), 6);
        Assert.True(new MarginMseLoss().NeedsTeacherScores);
    }

    [Fact]
    public void GistMasksWhatTheGuideScoresAboveItsPositive()
    {
        // Student (unit vectors): q0 = (1, 0), q1 = (0, 1); passages P0 = (1, 0), N0 = (0.6, 0.8) of q0, P1 = (0, 1), N1 = (0.8, 0.6) of q1.
        // Guide: q0 = (1, 0), q1 = (0, 1), P0 = (0.8, 0.6), N0 = (1, 0), P1 = (0, 1), N1 = (0.6, 0.8). The guide scores q0's
        // positive 0.8 and N0 1 > 0.8: N0 is masked for q0; nothing else passes its query's guided positive score
        // (other queries 0, other positives 0.6), and a query and a positive never meet themselves.
        // τ = 0.5. Row 0, candidates [P0, N0, P1, N1 | q1 | P1] → [2, −∞, 0, 1.6 | 0 | 0]; row 1 [0, 1.6, 2, 1.2 | 0 | 0].
        var queries = M([1, 0], [0, 1]);
        var passages = M([1, 0], [0.6f, 0.8f], [0, 1], [0.8f, 0.6f]);
        var guideQueries = M([1, 0], [0, 1]);
        var guidePassages = M([0.8f, 0.6f], [1, 0], [0, 1], [0.6f, 0.8f]);
        double Row(params double[] others) => Math.Log(Math.Exp(2) + others.Sum(Math.Exp)) - 2;
        var expected = (Row(0, 1.6, 0, 0) + Row(0, 1.6, 1.2, 0, 0)) / 2;
        var loss = new GistLoss("guide", temperature: 0.5);
        Assert.Equal(expected, loss.Compute(new ContrastiveBatch(queries, passages, 2, null, null, guideQueries, guidePassages)).item<float>(), 5);
        // N0 the same text as q1's positive: never q1's negative either.
        var sameText = (Row(0, 1.6, 0, 0) + Row(0, 1.2, 0, 0)) / 2;
        Assert.Equal(sameText, loss.Compute(new ContrastiveBatch(queries, passages, 2, [0, 2, 2, 3], null, guideQueries, guidePassages)).item<float>(), 5);
        // A margin lowers the bar to 0.5 below each guided positive (0.3 for q0, 0.5 for q1): the guide's 0.6 masks q0's N1
        // and the other positive for both rows, and q1's P0; its 0.8 masks q1's N1. Left: q0 [P1, q1], q1 [N0, q0].
        Assert.Equal((Row(0, 0) + Row(1.6, 0)) / 2,
            new GistLoss("guide", 0.5, margin: 0.5).Compute(new ContrastiveBatch(queries, passages, 2, null, null, guideQueries, guidePassages)).item<float>(), 5);
        Assert.Equal("loss gist needs its guide model: write the loss as an object, {\"type\": \"gist\", \"guide\": \"MODEL_DIR\"}.",
            Assert.Throws<ArgumentException>(() => ContrastiveLosses.Create("gist", new LossSettings())).Message);
    }

    [Fact]
    public void MatryoshkaAddsTheLossAtEachSize()
    {
        var inner = new InfoNceLoss(new InfoNceOptions { Temperature = 1 });
        var batch = Batch();
        var expected = inner.Compute(batch).item<float>() + 0.5 * inner.Compute(batch.Truncated(1)).item<float>();
        var loss = ContrastiveLosses.Create("info_nce", new LossSettings { InfoNce = new() { Temperature = 1 }, MatryoshkaDimensions = [2, 1], MatryoshkaWeights = [1, 0.5] });
        Assert.IsType<MatryoshkaLoss>(loss);
        Assert.Equal(expected, loss.Compute(batch).item<float>(), 6);
        var e = Assert.Throws<ArgumentException>(() => ((MatryoshkaLoss)loss).CheckDimensions(1));
        Assert.Equal("matryoshka_dimensions: 2 is larger than the model's embedding (1 dimensions).", e.Message);
    }

    [Theory]
    [InlineData("margin_scale", 8, 4, "loss margin_scale uses in-batch negatives only: set group_size to 1.")]
    [InlineData("cosent", 8, 1, "loss cosent ranks positive pairs above negative pairs: set group_size to at least 2 (1 positive + hard negatives), or give scored pairs (pos_scores) with \"gold_scores\": true.")]
    [InlineData("triplet", 8, 1, "loss triplet needs a negative per query: set group_size to at least 2.")]
    [InlineData("distillation", 8, 1, "loss distillation matches the teacher's distribution over each group: set group_size to at least 2.")]
    [InlineData("info_nce", 1, 1, "batch_size 1: in-batch negatives need at least 2 queries per batch.")]
    public void ABatchLayoutALossCannotLearnFromIsRefused(string name, int batch, int group, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ContrastiveLosses.Create(name, new LossSettings()).Check(batch, group));
        Assert.Equal(message, e.Message);
    }
}
