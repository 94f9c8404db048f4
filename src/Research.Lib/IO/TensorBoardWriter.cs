using System.Buffers.Binary;
using System.Numerics;

namespace Research.Lib.IO;

/// <summary>
/// Writes scalars as a TensorBoard event file (<c>events.out.tfevents.TIME.HOST.PID.N</c> in a log folder), the format
/// TensorFlow's and PyTorch's <c>SummaryWriter</c> write and TensorBoard reads: TFRecord framing (little-endian length,
/// masked CRC-32C of the length, the record, masked CRC-32C of the record) around <c>tensorflow.Event</c> protobufs —
/// first a <c>file_version "brain.Event:2"</c> event, then one event per scalar with its wall time (seconds since the
/// Unix epoch, fractional), step and a <c>Summary.Value</c> of <c>tag</c> and <c>simple_value</c> (float32).
/// Each event is flushed as it is written, so TensorBoard shows a run as it trains and a killed run keeps every event
/// written before the kill (a reader stops at a torn last record, whose checksum fails).
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    private static int s_files;
    private readonly FileStream _stream;
    private readonly Func<double> _clock;

    /// <param name="directory">the log folder (created when missing); TensorBoard's <c>--logdir</c> or a run under it</param>
    /// <param name="clock">wall time in seconds since the Unix epoch (default: now)</param>
    public TensorBoardWriter(string directory, Func<double>? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _clock = clock ?? (() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        var time = (long)Math.Floor(_clock());
        var name = $"events.out.tfevents.{time}.{Environment.MachineName}.{Environment.ProcessId}.{Interlocked.Increment(ref s_files)}";
        Path = System.IO.Path.Combine(directory, name);
        try
        {
            Directory.CreateDirectory(directory);
            _stream = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--tensorboard {directory}: cannot write an event file there ({e.Message}).", e);
        }
        var first = new ProtobufWriter();
        first.Double(1, _clock());
        first.String(3, "brain.Event:2");
        Write(first.ToArray());
    }

    /// <summary>The event file this writer appends to.</summary>
    public string Path { get; }

    /// <summary>One scalar at a step (TensorBoard's scalar dashboard plots a tag's values against the steps).</summary>
    /// <exception cref="ArgumentException">an empty tag or a negative step</exception>
    public void AddScalar(string tag, double value, long step)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var ev = new ProtobufWriter();
        ev.Double(1, _clock());
        ev.Varint(2, step);
        ev.Message(5, summary => summary.Message(1, v =>
        {
            v.String(1, tag);
            v.Float(2, (float)value);
        }));
        Write(ev.ToArray());
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>TFRecord framing: length, its masked CRC-32C, the data, its masked CRC-32C; then flushed.</summary>
    private void Write(byte[] data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc32C(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc32C(data));
        _stream.Write(header);
        _stream.Write(data);
        _stream.Write(footer);
        _stream.Flush();
    }

    /// <summary>CRC-32C (Castagnoli) of the bytes, rotated right by 15 and offset by 0xa282ead8, as TFRecord stores it.</summary>
    internal static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);
    }

    /// <summary>CRC-32C (Castagnoli; "123456789" gives 0xE3069283).</summary>
    internal static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
