using System.Text.Json;
using Research.Lib.Losses;
using Research.Lib.Training;

namespace Research.Lib.Tests.Losses;

/// <summary>The "loss" of a configuration as a name or as an object with its own options, nested for Matryoshka.</summary>
public class LossSpecTests
{
    private static SupervisedTrainingOptions Read(string json) => JsonSerializer.Deserialize<SupervisedTrainingOptions>(json, TrainingConfig.Json)!;

    [Fact]
    public void TheObjectFormCarriesEachLossesOwnOptions()
    {
        var matryoshka = Assert.IsType<MatryoshkaLoss>(Read("""{"loss": {"type": "matryoshka", "dims": [64, 32], "weights": [1, 0.5], "inner": {"type": "info_nce", "scale": 20, "symmetric": true}}}""").CreateLoss());
        Assert.Equal([64, 32], matryoshka.Dimensions);
        Assert.Equal([1, 0.5], matryoshka.Weights!);
        var inner = Assert.IsType<InfoNceLoss>(matryoshka.Inner);
        Assert.Equal((0.05, true, true), (inner.Options.Temperature, inner.Options.Symmetric, inner.Options.InBatchNegatives));
        var triplet = Assert.IsType<TripletLoss>(Read("""{"loss": {"type": "triplet", "distance": "cosine", "margin": 0.2}, "group_size": 2}""").CreateLoss());
        Assert.Equal((TripletDistance.Cosine, 0.2), (triplet.Distance, triplet.Margin));
        var distill = Assert.IsType<DistillationLoss>(Read("""{"loss": {"type": "distill", "temperature": 0.05, "teacher_temperature": 0.5}}""").CreateLoss());
        Assert.Equal((0.05, 0.5), (distill.Temperature, distill.TeacherTemperature));
        Assert.Equal(10, Assert.IsType<CoSentLoss>(Read("""{"loss": {"type": "cosent", "scale": 10}}""").CreateLoss()).Scale);
        Assert.True(Assert.IsType<CoSentLoss>(Read("""{"loss": {"type": "cosent", "gold_scores": true}}""").CreateLoss()).GoldScores);
        Assert.False(Assert.IsType<CoSentLoss>(Read("""{"loss": {"type": "cosent"}}""").CreateLoss()).GoldScores);
        var margin = Assert.IsType<MarginScaleLoss>(Read("""{"loss": {"type": "margin_scale", "margin": 0.2, "scale": 20}}""").CreateLoss());
        Assert.Equal((0.2, 20.0), (margin.Margin, margin.Scale));
    }

    [Fact]
    public void TheNameFormTakesTheTopLevelSettingsAndBothFormsWriteBackAsGiven()
    {
        var named = Read("""{"loss": "CoSENT", "cosent_scale": 7}""");
        Assert.Equal(7, Assert.IsType<CoSentLoss>(named.CreateLoss()).Scale);
        Assert.Equal("cosent", named.Loss.ToString());
        Assert.Contains("\"loss\":\"CoSENT\"", JsonSerializer.Serialize(named, TrainingConfig.JsonLine));
        var nested = Read("""{"loss": {"type": "cosent", "scale": 7}}""");
        Assert.Contains("\"loss\":{\"type\":\"cosent\",\"scale\":7}", JsonSerializer.Serialize(nested, TrainingConfig.JsonLine));
        SupervisedTrainingOptions code = new() { Loss = "triplet", GroupSize = 2 };
        Assert.IsType<TripletLoss>(code.CreateLoss());
    }

    [Theory]
    [InlineData("""{"loss": {"type": "cosent", "margin": 1}}""", "loss.margin: not an option of loss cosent (it takes scale, gold_scores).")]
    [InlineData("""{"loss": {"type": "matryoshka", "inner": "info_nce"}}""", "loss.dims: matryoshka needs its sizes, e.g. [384, 256, 128, 64].")]
    [InlineData("""{"loss": {"type": "matryoshka", "dims": [8], "inner": {"type": "triplet", "distance": "manhattan"}}}""", "loss.inner.distance \"manhattan\": expected euclidean or cosine.")]
    [InlineData("""{"loss": {"type": "info_nce", "temperature": 0.05, "scale": 20}}""", "loss: give temperature or scale (its inverse), not both.")]
    [InlineData("""{"loss": {"type": "info_nce", "temperature": "warm"}}""", "loss.temperature: expected a number.")]
    [InlineData("""{"loss": {"type": "mnrl"}}""", "loss 'mnrl': expected one of info_nce, margin_scale, cosent, triplet, distillation, margin_mse, gist.")]
    [InlineData("""{"loss": {"type": "gist"}}""", "loss.guide: loss gist needs its guide model's folder (e.g. the model you start from).")]
    [InlineData("""{"loss": {"type": "gist", "guide": "m", "scale": 20}}""", "loss.scale: not an option of loss gist (it takes guide, temperature, margin).")]
    public void ABadObjectIsRefusedNamingTheKey(string json, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => Read(json).CreateLoss());
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void AnObjectWithoutATypeIsAConfigurationError()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "c.json");
        File.WriteAllText(path, """{"loss": {"scale": 20}}""");
        var e = Assert.Throws<InvalidDataException>(() => TrainingConfig.Read<SupervisedTrainingOptions>(path));
        Assert.Equal($"{path}:1: loss: an object loss needs \"type\" (a name such as \"info_nce\" or \"matryoshka\"). (at $.loss)", e.Message);
    }

    [Fact]
    public void AnUnknownNameIsRefusedByValidateWithItsOwnMessage()
    {
        // Validate reads the options by reflection; the loss's own error must come out, not reflection's wrapper.
        var e = Assert.Throws<ArgumentException>(() => Read("""{"loss": "mnrl"}""").Validate());
        Assert.Equal("loss 'mnrl': expected one of info_nce, margin_scale, cosent, triplet, distillation, margin_mse, gist.", e.Message);
    }
}
