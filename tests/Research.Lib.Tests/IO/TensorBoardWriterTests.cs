using System.Text.Json.Nodes;
using Research.Lib.IO;

namespace Research.Lib.Tests.IO;

public class TensorBoardWriterTests
{
    [Fact]
    public void Crc32CGivesTheStandardCheckValueAndTFRecordsMask()
    {
        Assert.Equal(0xE3069283u, TensorBoardWriter.Crc32C("123456789"u8));
        // ((c >> 15) | (c << 17)) + 0xa282ead8 for c = 0xE3069283: rotated 0x2507C60D, plus the offset 0xC78AB0E5 (mod 2^32).
        Assert.Equal(0xC78AB0E5u, TensorBoardWriter.MaskedCrc32C("123456789"u8));
        Assert.Equal(0u, TensorBoardWriter.Crc32C([]));
    }

    /// <summary>
    /// TensorBoard's reading, done by the reference script (both checksums of every record, Google's protobuf runtime
    /// decoding tensorflow.Event): the version event, then each scalar with its step, tag, float32 value and wall time.
    /// </summary>
    [SkippableFact]
    public void AnIndependentReaderReadsEveryEventBack()
    {
        var missing = ReferenceTools.PythonMissing("google.protobuf");
        Skip.If(missing is not null, missing);
        using var dir = new TempDir();
        var time = 1_700_000_000.25;
        string file;
        using (var writer = new TensorBoardWriter(Path.Combine(dir.Path, "run"), () => time += 0.5))
        {
            writer.AddScalar("train/loss", 0.5, 1);
            writer.AddScalar("eval/ndcg_at_10", 0.123456789, 10);
            writer.AddScalar("train/learning_rate", 2e-5, 3_000_000_000);
            file = writer.Path;
        }
        Assert.StartsWith("events.out.tfevents.1700000000.", Path.GetFileName(file));
        var events = Read(file);
        Assert.Equal(4, events.Count);
        Assert.Equal(("brain.Event:2", 0L, 1_700_000_001.25, 0), (Str(events[0], "file_version"), Long(events[0], "step"), Dbl(events[0], "wall_time"), events[0]["values"]!.AsArray().Count));
        (string, long, double, string, double) Scalar(JsonNode e) => (Str(e, "file_version"), Long(e, "step"), Dbl(e, "wall_time"),
            Str(e["values"]![0]!, "tag"), Dbl(e["values"]![0]!, "simple_value"));
        Assert.Equal(("", 1L, 1_700_000_001.75, "train/loss", 0.5), Scalar(events[1]));
        Assert.Equal(("", 10L, 1_700_000_002.25, "eval/ndcg_at_10", (double)0.123456789f), Scalar(events[2]));
        Assert.Equal(("", 3_000_000_000L, 1_700_000_002.75, "train/learning_rate", (double)2e-5f), Scalar(events[3]));
    }

    [SkippableFact]
    public void ATornOrAlteredRecordFailsItsChecksum()
    {
        var missing = ReferenceTools.PythonMissing("google.protobuf");
        Skip.If(missing is not null, missing);
        using var dir = new TempDir();
        string file;
        using (var writer = new TensorBoardWriter(dir.Path))
        {
            writer.AddScalar("train/loss", 0.25, 5);
            file = writer.Path;
        }
        var bytes = File.ReadAllBytes(file);
        var altered = (byte[])bytes.Clone();
        altered[^6] ^= 0x01; // a bit of the last record's data (its value)
        File.WriteAllBytes(file, altered);
        var (code, _, err) = ReferenceTools.Run("/usr/bin/python3", Path.Combine(ReferenceTools.Dir, "tfevents_reference.py"), file);
        Assert.Equal((1, "record 2: data checksum mismatch"), (code, err.Trim()));
        File.WriteAllBytes(file, bytes[..^3]);
        (code, _, err) = ReferenceTools.Run("/usr/bin/python3", Path.Combine(ReferenceTools.Dir, "tfevents_reference.py"), file);
        Assert.Equal((1, "record 2: the file ends inside its data"), (code, err.Trim()));
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        using var dir = new TempDir();
        using var writer = new TensorBoardWriter(dir.Path);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.AddScalar("loss", 1, -1));
        Assert.Throws<ArgumentException>(() => writer.AddScalar(" ", 1, 0));
        var blocker = Path.Combine(dir.Path, "a-file");
        File.WriteAllText(blocker, "");
        var e = Assert.Throws<IOException>(() => new TensorBoardWriter(Path.Combine(blocker, "run")));
        Assert.StartsWith($"--tensorboard {Path.Combine(blocker, "run")}: cannot write an event file there", e.Message);
    }

    /// <summary>The events the reference script reads from an event file, in order.</summary>
    internal static List<JsonNode> Read(string file)
    {
        var (code, output, err) = ReferenceTools.Run("/usr/bin/python3", Path.Combine(ReferenceTools.Dir, "tfevents_reference.py"), file);
        Assert.True(code == 0, err);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!).ToList();
    }

    private static string Str(JsonNode n, string key) => n[key]!.GetValue<string>();
    private static long Long(JsonNode n, string key) => n[key]!.GetValue<long>();
    private static double Dbl(JsonNode n, string key) => n[key]!.GetValue<double>();
}
