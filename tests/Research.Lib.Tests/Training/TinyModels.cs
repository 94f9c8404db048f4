namespace Research.Lib.Tests.Training;

/// <summary>Copies of toy_data's tiny model for training tests.</summary>
internal static class TinyModels
{
    /// <summary>Copies toy_data/tiny-bert into <paramref name="parent"/> with both dropout probabilities set to 0, so two
    /// training runs compute the same function whatever the random generator does; returns the model folder.</summary>
    public static string WithoutDropout(string parent)
    {
        var source = Path.Combine(TestPaths.ToyData, "tiny-bert");
        var model = Path.Combine(parent, "tiny-bert-no-dropout");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(model, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var configPath = Path.Combine(model, "config.json");
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(configPath))!;
        config["hidden_dropout_prob"] = 0.0;
        config["attention_probs_dropout_prob"] = 0.0;
        File.WriteAllText(configPath, config.ToJsonString());
        return model;
    }
}
