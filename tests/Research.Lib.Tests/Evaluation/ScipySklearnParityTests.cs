using System.Text.Json;
using Research.Lib.Data;
using Research.Lib.Evaluation;

namespace Research.Lib.Tests.Evaluation;

/// <summary>
/// Spearman / Pearson against scipy and AP / best F1 / best accuracy against scikit-learn on real data (Chinese
/// STS-B dev, LCQMC dev from ../shared/data) with a fixed, model-free score: character-set Jaccard overlap, which has
/// many ties. Skips visibly when the data or Debian's python3-scipy / python3-sklearn are missing.
/// </summary>
public class ScipySklearnParityTests
{
    private static double Overlap(TextPair p)
    {
        var a = p.Sentence1.EnumerateRunes().ToHashSet();
        var b = p.Sentence2.EnumerateRunes().ToHashSet();
        return (double)a.Intersect(b).Count() / a.Union(b).Count();
    }

    private static List<TextPair> Pairs(string set, string file)
    {
        var path = Path.Combine(TestPaths.SharedData, "csts", set, file);
        Skip.IfNot(File.Exists(path), $"{path} is not present (shared data lives beside the repository).");
        var missing = ReferenceTools.PythonMissing("scipy", "sklearn");
        Skip.If(missing is not null, missing);
        return TextPairReader.Read(path).ToList();
    }

    private static JsonElement Reference(object input)
    {
        using var dir = new TempDir();
        var inPath = Path.Combine(dir.Path, "in.json");
        var outPath = Path.Combine(dir.Path, "out.json");
        File.WriteAllText(inPath, JsonSerializer.Serialize(input));
        ReferenceTools.RunOrThrow("/usr/bin/python3", Path.Combine(ReferenceTools.Dir, "metrics_reference.py"), inPath, outPath);
        return JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(outPath));
    }

    [SkippableFact]
    public void SpearmanAndPearsonEqualScipyOnChineseStsB()
    {
        var pairs = Pairs("Chinese-STS-B", "sts-b-dev.txt");
        var scores = pairs.Select(Overlap).ToArray();
        var gold = pairs.Select(p => p.Score).ToArray();
        var reference = Reference(new { scores, gold });
        Assert.Equal(1458, pairs.Count);
        Assert.Equal(reference.GetProperty("spearman").GetDouble(), Correlation.Spearman(scores, gold), 12);
        Assert.Equal(reference.GetProperty("pearson").GetDouble(), Correlation.Pearson(scores, gold), 12);
        var sts = StsEvaluator.FromScores(new Dictionary<string, double[]> { ["cosine"] = scores }, gold);
        Assert.Equal(100 * reference.GetProperty("spearman").GetDouble(), sts["cosine_spearman"], 9);
    }

    [SkippableFact]
    public void ApF1AndAccuracyEqualSklearnOnLcqmc()
    {
        var pairs = Pairs("LCQMC", "dev.txt");
        var scores = pairs.Select(Overlap).ToArray();
        var labels = pairs.Select(p => p.Score >= 0.5).ToArray();
        var reference = Reference(new { scores, labels = labels.Select(l => l ? 1 : 0) });
        Assert.Equal(8802, pairs.Count);
        Assert.Equal(reference.GetProperty("ap").GetDouble(), BinaryClassificationMetrics.AveragePrecision(scores, labels), 12);
        Assert.Equal(reference.GetProperty("best_f1").GetDouble(), BinaryClassificationMetrics.BestF1(scores, labels).F1, 12);
        Assert.Equal(reference.GetProperty("best_accuracy").GetDouble(), BinaryClassificationMetrics.BestAccuracy(scores, labels).Accuracy, 12);
    }
}
