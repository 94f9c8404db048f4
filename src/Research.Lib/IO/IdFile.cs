using System.Globalization;

namespace Research.Lib.IO;

/// <summary>Vector ids from a text file: one integer per line (blank lines skipped), each once, one per vector.</summary>
public static class IdFile
{
    public static long[] Read(string path, int rows)
    {
        var ids = new List<long>();
        var seen = new Dictionary<long, long>();
        foreach (var line in Utf8LineReader.ReadLines(path))
        {
            if (line.IsBlank) continue;
            var text = (Utf8LineReader.TryDecode(line.Bytes.Span, out var err) ?? throw new DataFormatException(path, line.Number, null, err!)).Trim();
            if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                throw new DataFormatException(path, line.Number, "id", $"'{text}' is not an integer");
            if (seen.TryGetValue(id, out var first))
                throw new DataFormatException(path, line.Number, "id", $"{id} already appears on line {first}; ids must be unique");
            seen[id] = line.Number;
            ids.Add(id);
        }
        if (ids.Count != rows)
            throw new InvalidDataException($"--ids {path}: {ids.Count} ids for {rows} vectors; give one id per vector.");
        return [.. ids];
    }
}
