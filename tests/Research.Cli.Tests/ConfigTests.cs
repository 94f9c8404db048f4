using Research.Cli.Commands;
using Research.Lib.Training;

namespace Research.Cli.Tests;

/// <summary>Every example config in configs/ loads as the options of its method (unknown keys are an error) and validates.</summary>
public class ConfigTests(CliFixture cli) : IClassFixture<CliFixture>
{
    [Fact]
    public void EveryShippedConfigLoadsAndValidates()
    {
        var configs = Directory.GetFiles(Path.Combine(cli.ToyData, "..", "configs"), "*.json").Order(StringComparer.Ordinal).ToList();
        Assert.True(configs.Count >= 10, $"{configs.Count} configs");
        foreach (var path in configs)
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith("mlm", StringComparison.Ordinal))
                TrainCommand.Options<MlmTrainingOptions>(path).Validate();
            else if (name.StartsWith("simcse", StringComparison.Ordinal) || name.StartsWith("esimcse", StringComparison.Ordinal))
                TrainCommand.Options<UnsupervisedTrainingOptions>(path).Validate();
            else if (name.StartsWith("diffcse", StringComparison.Ordinal))
                (TrainCommand.Options<UnsupervisedTrainingOptions>(path) with { Method = UnsupervisedMethod.DiffCse, Generator = "generator" }).Validate();
            else
                TrainCommand.Options<SupervisedTrainingOptions>(path).Validate();
        }
        var diffcse = TrainCommand.Options<UnsupervisedTrainingOptions>(Path.Combine(cli.ToyData, "..", "configs", "diffcse_bert_base.json"));
        Assert.True(diffcse is { MlpBatchNorm: true, TrainingMlp: true, MaskingRatio: 0.30, LambdaWeight: 0.005, LearningRate: 7e-6 });
        Assert.True(TrainCommand.Options<MlmTrainingOptions>(Path.Combine(cli.ToyData, "..", "configs", "mlm_chinese_wwm.json")).WholeWordMasking);
    }
}
