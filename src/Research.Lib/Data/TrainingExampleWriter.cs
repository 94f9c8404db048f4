using System.Text.Encodings.Web;
using System.Text.Json;
using Research.Lib.IO;

namespace Research.Lib.Data;

/// <summary>
/// Writes <see cref="TrainingExample"/>s as FlagEmbedding JSONL (keys query, pos, neg, then pos_scores,
/// neg_scores, prompt, type when present), UTF-8 without escaping non-ASCII text, atomically.
/// </summary>
public static class TrainingExampleWriter
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>Writes every example, one per line, to <paramref name="path"/> (temp file, then rename). Returns the count.</summary>
    public static long Write(string path, IEnumerable<TrainingExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        long count = 0;
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, WriterOptions);
            foreach (var example in examples)
            {
                WriteOne(json, example);
                json.Flush();
                stream.WriteByte((byte)'\n');
                json.Reset(stream);
                count++;
            }
        });
        return count;
    }

    internal static void WriteOne(Utf8JsonWriter json, TrainingExample e)
    {
        json.WriteStartObject();
        json.WriteString("query", e.Query);
        WriteStrings(json, "pos", e.Pos);
        WriteStrings(json, "neg", e.Neg);
        if (e.PosScores is not null) WriteNumbers(json, "pos_scores", e.PosScores);
        if (e.NegScores is not null) WriteNumbers(json, "neg_scores", e.NegScores);
        if (e.Prompt is not null) json.WriteString("prompt", e.Prompt);
        if (e.Type is not null) json.WriteString("type", e.Type);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values) json.WriteStringValue(v);
        json.WriteEndArray();
    }

    private static void WriteNumbers(Utf8JsonWriter json, string name, IReadOnlyList<double> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values) json.WriteNumberValue(v);
        json.WriteEndArray();
    }
}
