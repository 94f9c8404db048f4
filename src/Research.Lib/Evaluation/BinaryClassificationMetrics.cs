namespace Research.Lib.Evaluation;

/// <summary>
/// Threshold metrics for pair classification, as MTEB computes them from a score per pair (higher = more likely
/// positive): the best accuracy over all thresholds, the best F1 (with its precision and recall), and average
/// precision as scikit-learn's average_precision_score (step-wise, tied scores taken together).
/// </summary>
public static class BinaryClassificationMetrics
{
    /// <summary>Best accuracy and the threshold (midpoint between neighbouring scores) that gives it.</summary>
    public static (double Accuracy, double Threshold) BestAccuracy(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var rows = Sorted(scores, labels);
        var positives = labels.Count(l => l);
        var remainingNegatives = labels.Count - positives;
        var positivesSoFar = 0;
        double best = (double)remainingNegatives / labels.Count, threshold = rows[0].Score + 1;
        for (var i = 0; i < rows.Count - 1; i++)
        {
            if (rows[i].Label) positivesSoFar++;
            else remainingNegatives--;
            if (rows[i].Score == rows[i + 1].Score) continue; // a threshold cannot separate tied scores
            var accuracy = (double)(positivesSoFar + remainingNegatives) / labels.Count;
            if (accuracy > best)
            {
                best = accuracy;
                threshold = (rows[i].Score + rows[i + 1].Score) / 2;
            }
        }
        if (rows[^1].Label) positivesSoFar++;
        var all = (double)positivesSoFar / labels.Count; // everything predicted positive
        if (all > best) (best, threshold) = (all, rows[^1].Score - 1);
        return (best, threshold);
    }

    /// <summary>Best F1 over all thresholds, with the precision and recall at that threshold.</summary>
    public static (double F1, double Precision, double Recall, double Threshold) BestF1(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var rows = Sorted(scores, labels);
        var positives = labels.Count(l => l);
        if (positives == 0) return (0, 0, 0, double.NaN);
        var truePositives = 0;
        (double F1, double Precision, double Recall, double Threshold) best = (0, 0, 0, double.NaN);
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Label) truePositives++;
            if (i + 1 < rows.Count && rows[i].Score == rows[i + 1].Score) continue;
            var precision = (double)truePositives / (i + 1);
            var recall = (double)truePositives / positives;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            if (f1 > best.F1)
                best = (f1, precision, recall, i + 1 < rows.Count ? (rows[i].Score + rows[i + 1].Score) / 2 : rows[i].Score);
        }
        return best;
    }

    /// <summary>Average precision: Σ (recall_n − recall_{n−1}) · precision_n over the distinct score thresholds.</summary>
    public static double AveragePrecision(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var rows = Sorted(scores, labels);
        var positives = labels.Count(l => l);
        if (positives == 0) return 0;
        double ap = 0, previousRecall = 0;
        var truePositives = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Label) truePositives++;
            if (i + 1 < rows.Count && rows[i].Score == rows[i + 1].Score) continue;
            var recall = (double)truePositives / positives;
            ap += (recall - previousRecall) * truePositives / (i + 1);
            previousRecall = recall;
        }
        return ap;
    }

    private static List<(double Score, bool Label)> Sorted(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Count != labels.Count) throw new ArgumentException($"{scores.Count} scores for {labels.Count} labels.");
        if (scores.Count == 0) throw new ArgumentException("No pairs to score.");
        return scores.Zip(labels).OrderByDescending(r => r.First).Select(r => (r.First, r.Second)).ToList();
    }
}
