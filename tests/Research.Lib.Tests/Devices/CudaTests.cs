using Research.Lib.Data;
using Research.Lib.Devices;
using Research.Lib.Modeling;
using Research.Lib.Search;
using Research.Lib.Training;
using TorchSharp;

namespace Research.Lib.Tests.Devices;

/// <summary>
/// Checks that need an NVIDIA GPU. They run where CUDA is available (a CUDA libtorch: the bundle of scripts/bundle.sh on a
/// machine with PyTorch, or a -p:TorchBackend=cuda build) and are reported skipped, with the reason, elsewhere.
/// </summary>
[Collection(Training.TorchRandomCollection.Name)]
public class CudaTests
{
    // Under xUnit's console runner (the bundle) TorchSharp's natives come from the kit's folder: set up before torch is touched.
    static CudaTests() => TorchRuntime.Initialize();

    private const string NoCuda = "no CUDA device here (CPU libtorch or no NVIDIA driver): run on a GPU machine, e.g. through scripts/bundle.sh and scripts/gpu-check.sh";

    private static readonly string[] Texts =
    [
        "how do I reset my password", "the cat sat on the mat", "Graphene is a single layer of carbon atoms arranged in a hexagonal lattice.",
        "short", "A much longer sentence that goes on and on about retrieval, embeddings, contrastive learning and evaluation on real data sets.",
    ];

    [SkippableFact]
    public void EncodingOnTheGpuMatchesTheCpu()
    {
        Skip.IfNot(torch.cuda.is_available(), NoCuda);
        var model = Path.Combine(TestPaths.ToyData, "tiny-bert");
        using var cpu = SentenceEncoder.Load(model);
        using var gpu = SentenceEncoder.Load(model, DeviceSpec.Parse("cuda:0"));
        var a = cpu.Encode(Texts);
        var b = gpu.Encode(Texts);
        var half = gpu.Encode(Texts, new EncodeOptions { Precision = EncodePrecision.BFloat16 });
        var fp16 = gpu.Encode(Texts, new EncodeOptions { Precision = EncodePrecision.Float16 });
        Assert.Equal(DeviceType.CUDA, gpu.Device.type);
        Assert.True(MaxDiff(a, b) <= 1e-4, $"fp32 CPU vs CUDA max |diff| {MaxDiff(a, b)}");
        Assert.True(MaxDiff(a, half) <= 5e-2, $"bf16 CUDA vs fp32 CPU max |diff| {MaxDiff(a, half)}");
        Assert.True(MaxDiff(a, fp16) <= 1e-2, $"fp16 CUDA vs fp32 CPU max |diff| {MaxDiff(a, fp16)}");
    }

    [SkippableFact]
    public void ATrainingRunOnTheGpuLowersTheLossInEveryPrecision()
    {
        Skip.IfNot(torch.cuda.is_available(), NoCuda);
        var examples = TrainingExampleReader.Read(Path.Combine(TestPaths.ToyData, "toy_source.json")).ToList();
        foreach (var precision in new[] { EncodePrecision.Float32, EncodePrecision.BFloat16, EncodePrecision.Float16 })
        {
            using var encoder = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"), DeviceSpec.Parse("cuda"));
            var options = new SupervisedTrainingOptions { BatchSize = 32, GroupSize = 4, Epochs = 4, LearningRate = 2e-3, LogEvery = 5, QueryMaxLength = 32, PassageMaxLength = 64, InfoNce = new() { Temperature = 0.05 }, Precision = precision };
            var losses = SupervisedTrainer.Train(encoder, examples, options).Log.Select(l => l.Loss).ToList();
            Assert.True(losses[^1] < losses[0] * 0.9, $"{precision}: loss {losses[0]:0.000} -> {losses[^1]:0.000}");
            Assert.All(encoder.Model.parameters(), p => Assert.Equal(DeviceType.CUDA, p.device_type));
        }
    }

    [SkippableFact]
    public void ExactSearchOnTheGpuFindsWhatTheCpuFinds()
    {
        Skip.IfNot(torch.cuda.is_available(), NoCuda);
        var random = new Random(7);
        var data = new float[2000 * 64];
        for (var i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
        var vectors = new EmbeddingMatrix(data, 2000, 64);
        var queries = new EmbeddingMatrix(data.AsSpan(0, 50 * 64).ToArray(), 50, 64);
        var ids = Enumerable.Range(0, 2000).Select(i => (long)i).ToList();
        using var cpu = new ExactIndex(64);
        using var gpu = new ExactIndex(64, device: new torch.Device(DeviceType.CUDA, 0));
        cpu.Add(vectors, ids);
        gpu.Add(vectors, ids);
        var a = cpu.Search(queries, 10);
        var b = gpu.Search(queries, 10);
        for (var q = 0; q < 50; q++)
        {
            Assert.Equal(q, b[q][0].Id); // a vector is its own nearest neighbour
            Assert.Equal(a[q].Select(h => h.Id), b[q].Select(h => h.Id));
            Assert.All(a[q].Zip(b[q]), p => Assert.True(Math.Abs(p.First.Score - p.Second.Score) < 1e-4));
        }
    }

    [SkippableFact]
    public void ADeviceBeyondTheGpuCountIsRefusedWithTheCount()
    {
        Skip.IfNot(torch.cuda.is_available(), NoCuda);
        var count = torch.cuda.device_count();
        var e = Assert.Throws<InvalidOperationException>(() => DeviceSpec.Parse($"cuda:{count}").Resolve());
        Assert.Equal($"Device 'cuda:{count}' requested, but this machine has {count} CUDA device(s) (cuda:0..cuda:{count - 1}).", e.Message);
        Assert.Equal(DeviceType.CUDA, DeviceSpec.Auto.Resolve().type);
    }

    private static double MaxDiff(EmbeddingMatrix a, EmbeddingMatrix b)
    {
        var max = 0.0;
        for (var i = 0; i < a.Rows; i++)
            for (var d = 0; d < a.Dimension; d++)
                max = Math.Max(max, Math.Abs(a.Row(i)[d] - b.Row(i)[d]));
        return max;
    }
}
