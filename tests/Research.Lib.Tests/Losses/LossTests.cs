using Research.Lib.Losses;
using static TorchSharp.torch;

namespace Research.Lib.Tests.Losses;

/// <summary>Each loss against values computed by hand (r = 1/√2); the comments give the arithmetic.</summary>
public class LossTests
{
    private static Tensor M(params float[][] rows) => tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    private static double V(Tensor t) => t.item<float>();

    // Two queries, groups of 2 (positive first): q0 → [1,0] (pos), [1,1] (neg); q1 → [0,1] (pos), [1,0] (neg).
    private static readonly float[][] Q = [[1, 0], [0, 1]];
    private static readonly float[][] P = [[1, 0], [1, 1], [0, 1], [1, 0]];

    [Fact]
    public void InfoNceWithInBatchNegatives()
    {
        // q0: CE over [1, r, 0, 1] at 0; q1: CE over [0, r, 1, 0] at 2; temperature 1.
        Assert.Equal(1.0224553038827935, V(InfoNceLoss.Compute(M(Q), M(P), 2, new InfoNceOptions { Temperature = 1 })), 6);
    }

    [Fact]
    public void InfoNceMasksInBatchCopiesOfThePositive()
    {
        // Passage 3 is the same text as q0's positive: removed from q0's candidates → q0: CE over [1, r, 0].
        Assert.Equal(0.828790786557932, V(InfoNceLoss.Compute(M(Q), M(P), 2, new InfoNceOptions { Temperature = 1 }, [10, 11, 12, 10])), 6);
    }

    [Fact]
    public void InfoNceWithoutInBatchNegativesUsesTheGroupOnly()
    {
        // q0: CE over [1, r]; q1: CE over [1, 0].
        Assert.Equal(0.4353237257072078, V(InfoNceLoss.Compute(M(Q), M(P), 2, new InfoNceOptions { Temperature = 1, InBatchNegatives = false })), 6);
    }

    [Fact]
    public void InfoNceSymmetricAveragesBothDirections()
    {
        // Passage → query: each positive picks its query among [1, 0]: CE log(1 + 1/e); averaged with the forward loss.
        Assert.Equal(0.6678584957005081, V(InfoNceLoss.Compute(M(Q), M(P), 2, new InfoNceOptions { Temperature = 1, Symmetric = true })), 6);
    }

    [Fact]
    public void ScaleIsTheInverseOfTemperature()
    {
        Assert.Equal(0.05, new InfoNceOptions { Scale = 20 }.Temperature, 12);
        Assert.Equal(50, new InfoNceOptions().Scale, 9); // FlagEmbedding's temperature 0.02
        Assert.Throws<ArgumentException>(() => InfoNceLoss.Compute(M(Q), M(P), 3));
    }

    [Fact]
    public void MarginScaleSubtractsTheMarginFromThePositive()
    {
        // cos = identity; logits (I − 0.3 I) · 5: 3.5 on the diagonal, 0 elsewhere → log(1 + e^-3.5). (With the default
        // scale 30 the loss is log(1 + e^-21), below float32's resolution next to 1.)
        Assert.Equal(0.029750418272620652, V(MarginScaleLoss.Compute(M(Q), M(Q), margin: 0.3, scale: 5)), 6);
    }

    [Fact]
    public void TripletHingesOnTheMargin()
    {
        // d(a,p) = 5, d(a,n) = 10 → 0; d(a,p) = 2, d(a,n) = 1 → 2 − 1 + 5 = 6; mean 3.
        var loss = TripletLoss.Compute(M([0, 0], [0, 0]), M([3, 4], [0, 2]), M([6, 8], [0, 1]));
        Assert.Equal(3.0, V(loss), 5);
        Assert.Equal(0.0, V(TripletLoss.Compute(M([1, 0]), M([1, 0]), M([0, 1]), TripletDistance.Cosine, margin: 0.5)), 6); // 0 − 1 + 0.5 < 0
    }

    [Fact]
    public void CoSentRanksPairsByTheirGoldScores()
    {
        // cos = [1, 0, r], scores [2, 0, 1], scale 1: log(1 + e^(0−1) + e^(r−1) + e^(0−r)).
        var loss = CoSentLoss.Compute(M([1, 0], [1, 0], [1, 0]), M([1, 0], [0, 1], [1, 1]), tensor(new float[] { 2, 0, 1 }), scale: 1);
        Assert.Equal(0.9582192903668952, V(loss), 6);
    }

    [Fact]
    public void DistillationIsKlFromTheTeacher()
    {
        // student softmax([1, 0]), teacher softmax([2, 0]): KL = Σ t (log t − log s).
        var loss = DistillationLoss.Compute(M([1, 0]), M([1, 0], [0, 1]), M([2, 0]), temperature: 1);
        Assert.Equal(0.06713075445313271, V(loss), 6);
    }

    [Fact]
    public void MatryoshkaSumsTheLossOverTruncatedSizes()
    {
        // Query [1, 1]; passages [1, 0] (positive), [0, 1]. Size 1: cos [1, 0] → log(1 + 1/e); size 2: cos [r, r] → log 2; weights 1, 0.5.
        var loss = MatryoshkaLoss.Compute((q, p) => InfoNceLoss.Compute(q, p, 2, new InfoNceOptions { Temperature = 1 }),
            M([1, 1]), M([1, 0], [0, 1]), [1, 2], [1, 0.5]);
        Assert.Equal(0.6598352777981955, V(loss), 6);
    }

    [Fact]
    public void LossesBackPropagate()
    {
        var q = M(Q).requires_grad_(true);
        var loss = InfoNceLoss.Compute(q, M(P), 2, new InfoNceOptions { Temperature = 0.05 });
        loss.backward();
        Assert.NotNull(q.grad);
        Assert.True(q.grad!.abs().sum().item<float>() > 0);
    }
}
