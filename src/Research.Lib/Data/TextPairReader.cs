using System.Globalization;
using Research.Lib.IO;

namespace Research.Lib.Data;

/// <summary>
/// Streams sentence pairs from <c>s1&lt;TAB&gt;s2&lt;TAB&gt;label-or-score</c> files (LCQMC, AFQMC, Chinese STS-B).
/// The first line is taken as a header when its third column is not a number. Blank lines are skipped.
/// </summary>
public static class TextPairReader
{
    public static IEnumerable<TextPair> Read(string path, ReadOptions? options = null)
    {
        options ??= ReadOptions.Strict;
        options.Validate();
        return Iterate(path, Utf8LineReader.ReadLines(path, options.BytesRead), options, binary: false);
    }

    /// <summary>Pairs labelled 0 or 1 (LCQMC, AFQMC): any other label is an error naming its line (an STS file has graded scores).</summary>
    public static IEnumerable<TextPair> ReadBinary(string path, ReadOptions? options = null)
    {
        options ??= ReadOptions.Strict;
        options.Validate();
        return Iterate(path, Utf8LineReader.ReadLines(path, options.BytesRead), options, binary: true);
    }

    private static IEnumerable<TextPair> Iterate(string path, IEnumerable<TextLine> lines, ReadOptions options, bool binary)
    {
        var firstContent = true;
        foreach (var line in lines)
        {
            if (line.IsBlank) continue;
            TextPair? pair = null;
            try
            {
                var text = Utf8LineReader.TryDecode(line.Bytes.Span, out var err)
                    ?? throw new DataFormatException(path, line.Number, null, err!);
                var cols = text.Split('\t');
                if (cols.Length != 3)
                    throw new DataFormatException(path, line.Number, null,
                        $"expected 3 tab-separated columns (sentence1, sentence2, label or score), found {cols.Length}");
                var isNumber = double.TryParse(cols[2].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var score);
                var isHeader = firstContent && !isNumber;
                firstContent = false;
                if (isHeader) continue;
                if (!isNumber)
                    throw new DataFormatException(path, line.Number, "label", $"'{cols[2]}' is not a number");
                if (!double.IsFinite(score))
                    throw new DataFormatException(path, line.Number, "label", $"'{cols[2]}' is not a finite number");
                if (binary && score is not (0 or 1))
                    throw new DataFormatException(path, line.Number, "label", $"'{cols[2].Trim()}' is not 0 or 1; pair classification needs binary labels (graded scores are STS data: use 'research eval sts')");
                if (string.IsNullOrWhiteSpace(cols[0]))
                    throw new DataFormatException(path, line.Number, "sentence1", "is empty");
                if (string.IsNullOrWhiteSpace(cols[1]))
                    throw new DataFormatException(path, line.Number, "sentence2", "is empty");
                pair = new TextPair(cols[0].Trim(), cols[1].Trim(), score);
            }
            catch (DataFormatException e)
            {
                options.Fail(e);
            }
            if (pair is not null)
                yield return pair;
        }
    }
}
