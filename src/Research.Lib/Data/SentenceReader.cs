namespace Research.Lib.Data;

/// <summary>
/// Streams plain text, one sentence per line (for unsupervised training such as SimCSE). Surrounding
/// whitespace is trimmed; blank lines are skipped; a line that is not valid UTF-8 is an error.
/// </summary>
public static class SentenceReader
{
    public static IEnumerable<string> Read(string path, ReadOptions? options = null)
    {
        options ??= ReadOptions.Strict;
        options.Validate();
        return Iterate(path, Utf8LineReader.ReadLines(path, options.BytesRead), options);
    }

    private static IEnumerable<string> Iterate(string path, IEnumerable<TextLine> lines, ReadOptions options)
    {
        foreach (var line in lines)
        {
            if (line.IsBlank) continue;
            var text = Utf8LineReader.TryDecode(line.Bytes.Span, out var err);
            if (text is null)
            {
                options.Fail(new DataFormatException(path, line.Number, null, err!));
                continue;
            }
            yield return text.Trim();
        }
    }
}
