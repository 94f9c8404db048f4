using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Research.Lib.IO;

namespace Research.Lib.Training;

/// <summary>
/// Training configurations as JSON: the options records with snake_case names (<c>batch_size</c>, <c>info_nce</c>),
/// enums by name, NaN/Infinity spelled out; a key the record does not have, a key given twice or malformed JSON is an
/// error naming the file and line. The same serializer writes <c>training_args.json</c>, so a run's arguments read back
/// as its configuration.
/// </summary>
public static class TrainingConfig
{
    /// <summary>The serializer options for configurations and training_args.json.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>One line per record (training_log.jsonl).</summary>
    public static JsonSerializerOptions JsonLine { get; } = new(Json) { WriteIndented = false };

    /// <summary>The options of a config file, or the defaults when <paramref name="path"/> is null; <paramref name="label"/> names it in errors (e.g. "--config").</summary>
    public static T Read<T>(string? path, string label = "config") where T : new()
    {
        if (path is null) return new T();
        if (!File.Exists(path)) throw new FileNotFoundException($"{label} {path}: file not found.", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..]; // a UTF-8 byte-order mark
        DuplicateJsonKeys.Check(path, bytes);
        return Parse<T>(bytes, path);
    }

    /// <summary>The options of a JSON object (e.g. a config with an experiment's overrides merged in); <paramref name="source"/> names it in errors.</summary>
    public static T FromJson<T>(JsonObject config, string source) where T : new()
    {
        ArgumentNullException.ThrowIfNull(config);
        return Parse<T>(JsonSerializer.SerializeToUtf8Bytes(config), source);
    }

    /// <summary>The options as a JSON object in the configuration's spelling.</summary>
    public static JsonObject ToJson<T>(T options) => JsonSerializer.SerializeToNode(options, Json)!.AsObject();

    private static T Parse<T>(byte[] bytes, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Json) ?? throw new InvalidDataException($"{source}: empty configuration.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}:{(e.LineNumber ?? 0) + 1}: {e.Message.Split(" Path:", 2)[0]} (at {e.Path ?? "$"})", e);
        }
    }
}
