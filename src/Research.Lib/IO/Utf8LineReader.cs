using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Research.Lib.IO;

/// <summary>
/// Streams a file line by line as raw UTF-8 bytes, in constant memory (the longest line, not the file):
/// skips a UTF-8 byte-order mark, accepts LF and CRLF line ends and a missing final newline.
/// </summary>
public static class Utf8LineReader
{
    private const int ChunkSize = 1 << 16;

    /// <summary>Yields every line of <paramref name="path"/>, blank ones included, with 1-based numbers.</summary>
    public static IEnumerable<TextLine> ReadLines(string path, IProgress<long>? bytesRead = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
            throw new FileNotFoundException($"{path}: is a folder; expected a file.", path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: file not found.", path);
        return ReadLinesIterator(path, bytesRead);
    }

    private static IEnumerable<TextLine> ReadLinesIterator(string path, IProgress<long>? bytesRead)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize * 2);
        try
        {
            int start = 0, end = 0;
            long lineNumber = 0, consumed = 0;
            bool first = true, eof = false;
            while (true)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
                if (newline < 0)
                {
                    if (eof)
                    {
                        if (end > start)
                            yield return new TextLine(++lineNumber, Trim(buffer, start, end, ref first));
                        yield break;
                    }
                    // Move the partial line to the front, grow if one line is longer than the buffer, then refill.
                    var pending = end - start;
                    if (pending > 0 && start > 0)
                        Buffer.BlockCopy(buffer, start, buffer, 0, pending);
                    start = 0;
                    end = pending;
                    if (end == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        Buffer.BlockCopy(buffer, 0, bigger, 0, end);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                    var read = stream.Read(buffer, end, Math.Min(ChunkSize, buffer.Length - end));
                    if (read == 0)
                        eof = true;
                    end += read;
                    consumed += read;
                    bytesRead?.Report(consumed);
                    continue;
                }
                yield return new TextLine(++lineNumber, Trim(buffer, start, newline, ref first));
                start = newline + 1;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ReadOnlyMemory<byte> Trim(byte[] buffer, int start, int end, ref bool first)
    {
        if (first)
        {
            first = false;
            if (end - start >= 3 && buffer[start] == 0xEF && buffer[start + 1] == 0xBB && buffer[start + 2] == 0xBF)
                start += 3;
        }
        if (end > start && buffer[end - 1] == (byte)'\r')
            end--;
        return new ReadOnlyMemory<byte>(buffer, start, end - start);
    }

    /// <summary>
    /// Decodes a line strictly: returns null and sets <paramref name="error"/> (naming the byte offset) when
    /// the line is not valid UTF-8, instead of silently replacing bad bytes.
    /// </summary>
    public static string? TryDecode(ReadOnlySpan<byte> bytes, out string? error)
    {
        if (Utf8.IsValid(bytes))
        {
            error = null;
            return Encoding.UTF8.GetString(bytes);
        }
        error = $"invalid UTF-8 at byte {FirstInvalidByte(bytes) + 1} of the line (is the file in another encoding, such as GBK? convert it to UTF-8)";
        return null;
    }

    internal static int FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        Span<char> scratch = stackalloc char[256];
        var offset = 0;
        while (offset < bytes.Length)
        {
            var status = Utf8.ToUtf16(bytes[offset..], scratch, out var read, out _, replaceInvalidSequences: false, isFinalBlock: true);
            offset += read;
            if (status is OperationStatus.InvalidData or OperationStatus.NeedMoreData)
                return offset;
            if (status == OperationStatus.Done)
                break;
        }
        return offset;
    }
}
