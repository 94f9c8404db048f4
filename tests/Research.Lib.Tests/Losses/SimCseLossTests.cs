using Research.Lib.Losses;
using TorchSharp;

namespace Research.Lib.Tests.Losses;

public class SimCseLossTests
{
    [Fact]
    public void EachSentencesPositiveIsItsOwnSecondViewAndItsFirstViewIsNeverCompared()
    {
        // Orthonormal first views; second views equal them: logits 1/t on the diagonal, 0 elsewhere.
        using var z = torch.eye(4);
        var t = 0.05;
        var expected = Math.Log(1 + 3 * Math.Exp(-1 / t)); // −log(e^{1/t} / (e^{1/t} + 3 e^0))
        Assert.Equal(expected, SimCseLoss.Compute(z, z, t).item<float>(), 5);
        // Swapping two second views makes every affected row's positive a stranger: the loss rises to ~1/t for those rows.
        using var permuted = z.index_select(0, torch.tensor(new long[] { 1, 0, 2, 3 }));
        var swapped = SimCseLoss.Compute(z, permuted, t).item<float>();
        Assert.Equal((2 * (1 / t + Math.Log(1 + 3 * Math.Exp(-1 / t)) - 0) + 2 * expected) / 4, swapped, 3);
        // Self-similarity is not a term: a first view equal to another sentence's first view changes nothing when the
        // second views are kept (rows 0 and 1 both equal e0; their second views differ).
        using var twin = z.clone();
        twin[1] = z[0];
        var a = SimCseLoss.Compute(twin, z, t).item<float>();
        var manual = (Math.Log(1 + 3 * Math.Exp(-1 / t)) + (1 / t + Math.Log(1 + 3 * Math.Exp(-1 / t)))) / 4 + 2 * expected / 4;
        Assert.Equal(manual, a, 3);
    }

    [Fact]
    public void QueueRowsAreExtraNegativesForEveryRow()
    {
        using var z = torch.eye(3, 4);
        using var queue = torch.tensor(new float[] { 0, 0, 0, 1 }).reshape(1, 4);   // orthogonal to all: logit 0
        var t = 0.1;
        Assert.Equal(Math.Log(1 + 3 * Math.Exp(-1 / t)), SimCseLoss.Compute(z, z, t, queue).item<float>(), 5);
        Assert.Equal(Math.Log(1 + 2 * Math.Exp(-1 / t)), SimCseLoss.Compute(z, z, t).item<float>(), 5);
    }

    [Fact]
    public void MismatchedViewsAreRefused()
    {
        using var a = torch.zeros(3, 4);
        using var b = torch.zeros(2, 4);
        var e = Assert.Throws<ArgumentException>(() => SimCseLoss.Compute(a, b));
        Assert.Equal("Both views must be (batch, dim) of one shape; got [3, 4] and [2, 4].", e.Message);
    }
}
