using Research.Lib.IO;
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

    /// <summary>
    /// Every line as one text, in order, for outputs whose rows must match the input's lines (encoding): a blank line
    /// is an error naming it, not skipped, since skipping would shift every later row; an empty file is an error too.
    /// </summary>
    public static List<string> ReadEveryLine(string path)
    {
        var texts = new List<string>();
        foreach (var line in Utf8LineReader.ReadLines(path))
        {
            if (line.IsBlank)
                throw new DataFormatException(path, line.Number, null, "blank line; every line becomes one vector row, so a blank line would shift the rows after it (remove it or put text on it)");
            var text = Utf8LineReader.TryDecode(line.Bytes.Span, out var err) ?? throw new DataFormatException(path, line.Number, null, err!);
            texts.Add(text.Trim());
        }
        if (texts.Count == 0)
            throw new DataFormatException(path, 0, null, "no lines to encode; the file is empty");
        return texts;
    }
}
