using System.Text.Json;
using System.Text.Json.Serialization;

namespace Research.Lib.Training;

/// <summary>
/// <c>length_bucket</c> in a config: <c>"auto"</c> (<see cref="SupervisedTrainingOptions.AutoLengthBucket"/>), 0 (off) or
/// a number of texts; written back the same way, so a run's training_args.json reads as its config.
/// </summary>
internal sealed class LengthBucketJsonConverter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String when reader.GetString() == "auto" => SupervisedTrainingOptions.AutoLengthBucket,
        JsonTokenType.Number when reader.TryGetInt32(out var size) && size >= 0 => size,
        _ => throw new JsonException("length_bucket: expected \"auto\", 0 (off) or a number of texts per bucket."),
    };

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options)
    {
        if (value == SupervisedTrainingOptions.AutoLengthBucket) writer.WriteStringValue("auto");
        else writer.WriteNumberValue(value);
    }
}
