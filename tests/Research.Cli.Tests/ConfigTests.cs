using Research.Cli.Commands;
using Research.Lib.Losses;
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
            else if (name.StartsWith("reranker", StringComparison.Ordinal))
                TrainCommand.Options<RerankerTrainingOptions>(path).Validate();
            else if (name.StartsWith("diffcse", StringComparison.Ordinal))
                (TrainCommand.Options<UnsupervisedTrainingOptions>(path) with { Method = UnsupervisedMethod.DiffCse, Generator = "generator" }).Validate();
            else
                TrainCommand.Options<SupervisedTrainingOptions>(path).Validate();
        }
        var diffcse = TrainCommand.Options<UnsupervisedTrainingOptions>(Path.Combine(cli.ToyData, "..", "configs", "diffcse_bert_base.json"));
        Assert.True(diffcse is { MlpBatchNorm: true, TrainingMlp: true, MaskingRatio: 0.30, LambdaWeight: 0.005, LearningRate: 7e-6 });
        Assert.True(TrainCommand.Options<MlmTrainingOptions>(Path.Combine(cli.ToyData, "..", "configs", "mlm_chinese_wwm.json")).WholeWordMasking);
        // The reranker config keeps FlagEmbedding's listwise group of 8, at the rate and length that learned on SciFact (2e-5 stayed at ln 8).
        var reranker = TrainCommand.Options<RerankerTrainingOptions>(Path.Combine(cli.ToyData, "..", "configs", "reranker.json"));
        Assert.Equal(("listwise", 8, 128, 16, 3, 1e-4), (reranker.Loss, reranker.GroupSize, reranker.MaxLength!.Value, reranker.BatchSize, reranker.Epochs, reranker.LearningRate));
    }

    /// <summary>
    /// The recommended recipe (README "The recommended recipe") is the reference recipe's variant (b) with learning rate
    /// 1e-4: the settings its SciFact figures were measured with, as the README states them.
    /// </summary>
    [Fact]
    public void TheRecommendedConfigIsTheMeasuredRecipe()
    {
        var configs = Path.Combine(cli.ToyData, "..", "configs");
        var recommended = TrainCommand.Options<SupervisedTrainingOptions>(Path.Combine(configs, "recommended_pairs.json"));
        var reference = TrainCommand.Options<SupervisedTrainingOptions>(Path.Combine(configs, "scifact_st_hardneg.json"));
        var loss = Assert.IsType<InfoNceLoss>(recommended.CreateLoss());
        Assert.Equal((0.05, true, false), (loss.Options.Temperature, loss.Options.InBatchNegatives, loss.Options.Symmetric));
        Assert.Equal((2, 32, 3, 1e-4, 0.01, 0.1, 1.0, 256, 256, 16, false),
            (recommended.GroupSize, recommended.BatchSize, recommended.Epochs, recommended.LearningRate, recommended.WeightDecay,
             recommended.WarmupRatio, recommended.MaxGradNorm, recommended.QueryMaxLength, recommended.PassageMaxLength,
             recommended.LengthBucket, recommended.DecayAllParameters));
        Assert.Equal(reference.Loss.ToString(), recommended.Loss.ToString());
        Assert.Equal(reference with { LearningRate = 1e-4, Loss = recommended.Loss }, recommended);
    }

    [Fact]
    public void EveryLossIsReachableFromAConfig()
    {
        IContrastiveLoss Loss(string json)
        {
            var path = cli[$"loss_{Math.Abs(json.GetHashCode())}.json"];
            File.WriteAllText(path, json);
            var options = TrainCommand.Options<SupervisedTrainingOptions>(path);
            options.Validate();
            return options.CreateLoss();
        }
        Assert.Equal(0.05, Assert.IsType<InfoNceLoss>(Loss("""{"loss": "InfoNce", "info_nce": {"temperature": 0.05}}""")).Options.Temperature);
        Assert.Equal((0.2, 20.0), Assert.IsType<MarginScaleLoss>(Loss("""{"loss": "margin_scale", "margin": 0.2, "margin_scale": 20, "group_size": 1}""")) is var m ? (m.Margin, m.Scale) : default);
        Assert.Equal(10, Assert.IsType<CoSentLoss>(Loss("""{"loss": "cosent", "cosent_scale": 10, "group_size": 2}""")).Scale);
        var triplet = Assert.IsType<TripletLoss>(Loss("""{"loss": "triplet", "triplet_distance": "Cosine", "triplet_margin": 0.3, "group_size": 2}"""));
        Assert.Equal((TripletDistance.Cosine, 0.3), (triplet.Distance, triplet.Margin));
        Assert.Equal(2, Assert.IsType<DistillationLoss>(Loss("""{"loss": "distillation", "teacher_temperature": 2, "group_size": 4}""")).TeacherTemperature);
        var matryoshka = Assert.IsType<MatryoshkaLoss>(Loss("""{"loss": "info_nce", "matryoshka_dimensions": [64, 32], "matryoshka_weights": [1, 0.5]}"""));
        Assert.Equal([64, 32], matryoshka.Dimensions);
        Assert.IsType<InfoNceLoss>(matryoshka.Inner);
    }

    /// <summary>
    /// Every shipped loss config trains through <c>research train</c> (10 steps each; distillation and MarginMSE on records
    /// mined with <c>--replace</c>, which carry the miner's scores; GIST guided by the starting model): the run's training_args.json names the loss as the config does
    /// and the loss falls.
    /// </summary>
    [Theory]
    [InlineData("cosent_toy.json", "cosent")]
    [InlineData("triplet_toy.json", "triplet")]
    [InlineData("matryoshka_toy.json", "matryoshka")]
    [InlineData("distill_toy.json", "distill")]
    [InlineData("margin_mse_toy.json", "margin_mse")]
    [InlineData("gist_toy.json", "gist")]
    public void EveryShippedLossConfigTrains(string configFile, string type)
    {
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(cli.ToyData, "..", "configs", configFile)))!.AsObject();
        config["max_steps"] = 10;
        config["log_every"] = 1;
        var path = cli[$"shipped_{configFile}"];
        if (type == "gist") config["loss"]!["guide"] = cli.TinyBert; // the shipped config names it from the repository root
        File.WriteAllText(path, config.ToJsonString());
        var data = Path.Combine(cli.ToyData, "toy_source.json");
        if (type is "distill" or "margin_mse")
        {
            var mined = cli["distill_mined"];
            var (mineExit, _, mineError) = CliHarness.Run("mine", "--input", data, "--model", "hashed", "--method", "Dense", "--negatives", "3", "--range", "0-30", "--replace", "--out", mined);
            Assert.True(mineExit == 0, mineError);
            data = Path.Combine(mined, "mined.jsonl");
        }
        var outDir = cli[$"shipped_{type}"];
        var (exit, output, error) = CliHarness.Run("train", "--config", path, "--model", cli.TinyBert, "--data", data, "--device", "cpu", "--out", outDir);
        Assert.True(exit == 0, error);
        Assert.Contains("10 steps on ", output);
        var args = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "training_args.json")))!;
        Assert.Equal(type, args["loss"]!["type"]!.GetValue<string>());
        var losses = File.ReadAllLines(Path.Combine(outDir, "training_log.jsonl")).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!["loss"]!.GetValue<double>()).ToList();
        Assert.Equal(10, losses.Count);
        Assert.True(losses.Skip(7).Average() < losses.Take(3).Average(), $"{type}: {string.Join(", ", losses.Select(l => l.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)))}");
    }
    /// <summary>
    /// configs/lora_toy.json through <c>research train</c>: the run folder is a PEFT adapter folder (no full weights), its card
    /// names the adapter, <c>research model merge-lora</c> folds it into a full folder, and both encode the same vectors.
    /// </summary>
    [Fact]
    public void TheLoraConfigTrainsAnAdapterFolderThatMergesIntoAFullOne()
    {
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(cli.ToyData, "..", "configs", "lora_toy.json")))!.AsObject();
        config["max_steps"] = 10;
        config["log_every"] = 1;
        var path = cli["shipped_lora_toy.json"];
        File.WriteAllText(path, config.ToJsonString());
        var outDir = cli["shipped_lora"];
        var (exit, output, error) = CliHarness.Run("train", "--config", path, "--model", cli.TinyBert, "--data", Path.Combine(cli.ToyData, "toy_source.json"), "--device", "cpu", "--out", outDir);
        Assert.True(exit == 0, error);
        Assert.Contains("10 steps on ", output);
        Assert.True(File.Exists(Path.Combine(outDir, "adapter_model.safetensors")));
        Assert.False(File.Exists(Path.Combine(outDir, "model.safetensors")));
        var adapterConfig = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "adapter_config.json")))!;
        Assert.Equal(Path.GetFullPath(cli.TinyBert), adapterConfig["base_model_name_or_path"]!.GetValue<string>());
        Assert.Contains("| LoRA adapter | r 8, lora_alpha 16, lora_dropout 0.1, target_modules query, key, value, dense: 12 layers, 18,432 trainable parameters", File.ReadAllText(Path.Combine(outDir, "README.md")));
        var losses = File.ReadAllLines(Path.Combine(outDir, "training_log.jsonl")).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!["loss"]!.GetValue<double>()).ToList();
        Assert.True(losses.Skip(7).Average() < losses.Take(3).Average(), string.Join(", ", losses));

        var merged = cli["shipped_lora_merged"];
        var (mergeExit, mergeOutput, mergeError) = CliHarness.Run("model", "merge-lora", "--model", outDir, "--out", merged);
        Assert.True(mergeExit == 0, mergeError);
        Assert.Equal($"{merged}: 12 adapted layers (r 8, lora_alpha 16) merged into {Path.GetFullPath(cli.TinyBert)}.", mergeOutput.Trim());
        string[] texts = ["How do I rebase a branch?", "什么是指数基金", "a"];
        using var adapted = Research.Lib.Modeling.SentenceEncoder.Load(outDir);
        using var full = Research.Lib.Modeling.SentenceEncoder.Load(merged);
        Assert.Null(full.Model.Lora);
        var (a, b) = (adapted.Encode(texts).Data, full.Encode(texts).Data);
        Assert.True(Enumerable.Range(0, a.Length).Max(i => Math.Abs(a[i] - b[i])) < 1e-6);

        var (refusedExit, _, refused) = CliHarness.Run("model", "merge-lora", "--model", cli.TinyBert, "--out", cli["shipped_lora_refused"]);
        Assert.Equal(1, refusedExit);
        Assert.Contains($"--model {cli.TinyBert}: no adapter_config.json there; not a LoRA adapter folder.", refused);
    }
}
