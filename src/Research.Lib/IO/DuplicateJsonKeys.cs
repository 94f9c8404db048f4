using System.Text.Json;

namespace Research.Lib.IO;

/// <summary>
/// Finds a key given twice in one JSON object. System.Text.Json (and most parsers) keep the last value without a word,
/// so a configuration that sets <c>learning_rate</c> twice would silently train with the second; the kit refuses it.
/// </summary>
public static class DuplicateJsonKeys
{
    /// <summary>Throws <see cref="InvalidDataException"/> naming the file, the line, the key and its JSON path at the first repeat.</summary>
    public static void Check(string path, byte[] json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var objects = new Stack<(HashSet<string> Keys, string Path)>();
        var pending = "$";     // the path of the value about to be read
        var arrays = new Stack<(string Path, int Index)>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        objects.Push(([], NextPath(ref pending, arrays)));
                        break;
                    case JsonTokenType.EndObject:
                        objects.Pop();
                        break;
                    case JsonTokenType.StartArray:
                        arrays.Push((NextPath(ref pending, arrays), 0));
                        break;
                    case JsonTokenType.EndArray:
                        arrays.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var (keys, objectPath) = objects.Peek();
                        var key = reader.GetString()!;
                        pending = objectPath + "." + key;
                        if (!keys.Add(key))
                        {
                            var line = 1 + json.AsSpan(0, (int)reader.TokenStartIndex).Count((byte)'\n');
                            throw new InvalidDataException($"{path}:{line}: key '{key}' appears twice in one object (at {pending}); give each setting once.");
                        }
                        break;
                    default:
                        NextPath(ref pending, arrays);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed JSON is reported by the parser that reads the file, with its own position.
        }
    }

    /// <summary>The path of the value being read: a property's (set by its name) or the next element of the array it is in.</summary>
    private static string NextPath(ref string pending, Stack<(string Path, int Index)> arrays)
    {
        if (pending.Length > 0)
        {
            var p = pending;
            pending = "";
            return p;
        }
        if (arrays.Count == 0) return "$";
        var (arrayPath, index) = arrays.Pop();
        arrays.Push((arrayPath, index + 1));
        return $"{arrayPath}[{index}]";
    }

    /// <summary>Reads <paramref name="path"/> and checks it.</summary>
    public static void CheckFile(string path) => Check(path, File.ReadAllBytes(path));
}
