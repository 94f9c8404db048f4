namespace Research.Lib.Evaluation;

/// <summary>How result tables name models, tasks and splits from the paths a user gives (MTEB-style names).</summary>
public static class EvaluationNaming
{
    /// <summary>A model's name: its folder's name (models/minilm/ → "minilm").</summary>
    public static string Model(string modelDirectory) => Path.GetFileName(Path.GetFullPath(modelDirectory).TrimEnd('/', Path.DirectorySeparatorChar));

    /// <summary>A data file's or folder's name without extension (../beir_scifact → "beir_scifact", lcqmc_test.tsv → "lcqmc_test").</summary>
    public static string Task(string dataPath) => Path.GetFileNameWithoutExtension(Path.GetFullPath(dataPath).TrimEnd('/', Path.DirectorySeparatorChar));

    /// <summary>
    /// Task and split of a qrels file: BEIR keeps them as <c>TASK/qrels/SPLIT.tsv</c> (or .trec), so
    /// <c>scifact/qrels/test.tsv</c> is (scifact, test); any other file is named after itself for both.
    /// </summary>
    public static (string Task, string Split) FromQrels(string qrelsPath)
    {
        var full = Path.GetFullPath(qrelsPath);
        var split = Path.GetFileNameWithoutExtension(full);
        var parent = Path.GetDirectoryName(full)!;
        var task = Path.GetFileName(parent) == "qrels" ? Path.GetFileName(Path.GetDirectoryName(parent)!) : split;
        return (task, split);
    }
}
