using Research.Lib.Modeling;

namespace Research.Lib.Tests.Tensors;

/// <summary>
/// The cause of the random <c>toFloat</c> failure in <c>THSTensor_add</c>: TorchSharp's temporary Scalars, finalized by a
/// garbage collection while libtorch reads them. The kit must not make one anywhere (read from its IL), and the encode path
/// must survive constant garbage collections beside busy cores.
/// </summary>
public sealed class ScalarLifetimeTests
{
    [Fact]
    public void TheLibraryMakesNoUnrootedTemporaryScalar()
    {
        var offenders = ScalarLifetimeScanner.Offenders(typeof(SentenceEncoder).Assembly);
        Assert.True(offenders.Count == 0, "Calls that hand libtorch a Scalar a GC may free during the call (use Research.Lib.Tensors.TensorOps / Scalars, or `using var s = x.ToScalar()`):\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void TheseTestsMakeNoUnrootedTemporaryScalarOutsideTheHazardSamples()
    {
        // Tests run in parallel in one process, so a test's own temporary Scalar could fail it at random.
        var offenders = ScalarLifetimeScanner.Offenders(typeof(ScalarLifetimeTests).Assembly)
            .Where(o => !o.StartsWith(typeof(Hazards).FullName! + ".", StringComparison.Ordinal)).ToList();
        Assert.True(offenders.Count == 0, "Test code that hands libtorch a Scalar a GC may free during the call:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void TheScannerFindsTorchSharpsOwnTemporaries()
    {
        // The scanner must see what caused the crash, or the test above could not fail: a + b on tensors is add(b, 1) inside TorchSharp.
        var offenders = ScalarLifetimeScanner.Offenders(typeof(ScalarLifetimeTests).Assembly)
            .Where(o => o.StartsWith(typeof(Hazards).FullName!, StringComparison.Ordinal)).Select(o => o.Split(':')[0]).Distinct().Order().ToList();
        Assert.Equal(
            [$"{typeof(Hazards).FullName}.{nameof(Hazards.Arange)}", $"{typeof(Hazards).FullName}.{nameof(Hazards.ImplicitConversion)}",
             $"{typeof(Hazards).FullName}.{nameof(Hazards.PlusOperator)}", $"{typeof(Hazards).FullName}.{nameof(Hazards.TimesDouble)}",
             $"{typeof(Hazards).FullName}.{nameof(Hazards.UndisposedScalar)}"],
            offenders);
    }

    [Fact]
    public void EncodingSurvivesConstantGarbageCollectionsBesideTwoBusyLoops()
    {
        using var encoder = SentenceEncoder.Load(Path.Combine(TestPaths.ToyData, "tiny-bert"));
        var texts = Enumerable.Range(0, 256).Select(i => $"sentence {i} about {(i % 7 == 0 ? "proteins and their folding in the cell" : "a topic")} number {i * 31 % 97}").ToList();
        var expected = encoder.Encode(texts, new EncodeOptions { BatchSize = 16 }).Data.ToArray();
        var stop = false;
        void Busy() { var x = 0UL; while (!Volatile.Read(ref stop)) x = x * 6364136223846793005UL + 1; GC.KeepAlive(x); }
        var pressure = new[]
        {
            new Thread(() => { while (!Volatile.Read(ref stop)) { GC.Collect(); GC.WaitForPendingFinalizers(); } }),
            new Thread(Busy),
            new Thread(Busy),
        };
        foreach (var thread in pressure) { thread.IsBackground = true; thread.Start(); }
        try
        {
            for (var run = 0; run < 50; run++)
            {
                var vectors = encoder.Encode(texts, new EncodeOptions { BatchSize = 16 });
                Assert.True(expected.AsSpan().SequenceEqual(vectors.Data), $"run {run}: the vectors differ from the first encode");
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            foreach (var thread in pressure) thread.Join();
        }
    }
}
