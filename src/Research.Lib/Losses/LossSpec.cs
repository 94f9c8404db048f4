using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Research.Lib.Losses;

/// <summary>
/// The <c>"loss"</c> of a configuration: a name (<c>"info_nce"</c>, whose numbers then come from the configuration's
/// top-level keys such as <c>info_nce</c>, <c>margin</c>, <c>cosent_scale</c>), or an object with a <c>"type"</c> and the
/// loss's own options, nested for a wrapper:
/// <c>{"type": "matryoshka", "dims": [384, 256, 128, 64], "inner": {"type": "info_nce", "scale": 20}}</c>.
/// Object keys per type (defaults in <see cref="LossSettings"/>): info_nce <c>temperature | scale, in_batch_negatives,
/// symmetric</c>; margin_scale <c>margin, scale</c>; cosent <c>scale, gold_scores</c>; triplet <c>distance (euclidean | cosine),
/// margin</c>; distillation (or <c>distill</c>) <c>temperature, teacher_temperature</c>; matryoshka <c>dims, weights,
/// inner</c>. An unknown type or key is an error naming it. A string converts to a spec, so code writes
/// <c>Loss = "cosent"</c>.
/// </summary>
[JsonConverter(typeof(LossSpecConverter))]
public sealed record LossSpec
{
    private LossSpec(string type, JsonObject? options)
    {
        Type = type;
        Options = options;
    }

    /// <summary>The loss's name as given.</summary>
    public string Type { get; }

    /// <summary>The object form's options (null for the name form).</summary>
    public JsonObject? Options { get; }

    public static implicit operator LossSpec(string name) => Named(name);

    /// <summary>The name form.</summary>
    public static LossSpec Named(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return new LossSpec(name, null);
    }

    /// <summary>The object form (its "type" names the loss).</summary>
    public static LossSpec FromObject(JsonObject spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec["type"] is not JsonValue t || t.GetValueKind() != JsonValueKind.String)
            throw new JsonException("loss: an object loss needs \"type\" (a name such as \"info_nce\" or \"matryoshka\").");
        return new LossSpec(t.GetValue<string>(), (JsonObject)spec.DeepClone());
    }

    /// <summary>The canonical name of the loss (for a Matryoshka object, its inner loss's).</summary>
    public string Canonical => Options is null ? ContrastiveLosses.Canonical(Type)
        : IsMatryoshka(Type) ? (Options["inner"] is JsonObject inner ? FromObject(inner).Canonical : ContrastiveLosses.InfoNce)
        : ContrastiveLosses.Canonical(Type);

    /// <summary>The loss: by name with <paramref name="settings"/>' numbers, or from the object's own options.</summary>
    public IContrastiveLoss Create(LossSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Options is null ? ContrastiveLosses.Create(Type, settings) : Build(Options, "loss");
    }

    /// <summary>The canonical name, or the object form's JSON: what a checkpoint's fingerprint records.</summary>
    public override string ToString() => Options?.ToJsonString() ?? ContrastiveLosses.Canonical(Type);

    private static bool IsMatryoshka(string type) => string.Equals(type.Replace("_", "", StringComparison.Ordinal), "matryoshka", StringComparison.OrdinalIgnoreCase);

    private static IContrastiveLoss Build(JsonObject o, string path)
    {
        var type = o["type"]?.GetValue<string>() ?? throw new ArgumentException($"{path}: no \"type\".");
        double Number(string key, double fallback) => o[key] is null ? fallback : Read(() => o[key]!.GetValue<double>(), path, key, "a number");
        bool Flag(string key, bool fallback) => o[key] is null ? fallback : Read(() => o[key]!.GetValue<bool>(), path, key, "true or false");
        void Allow(params string[] keys)
        {
            if (o.Select(kv => kv.Key).FirstOrDefault(k => k != "type" && !keys.Contains(k)) is { } unknown)
                throw new ArgumentException($"{path}.{unknown}: not an option of loss {type} (it takes {(keys.Length == 0 ? "none" : string.Join(", ", keys))}).");
        }
        if (IsMatryoshka(type))
        {
            Allow("dims", "weights", "inner");
            var dims = Read(() => o["dims"]?.AsArray().Select(d => d!.GetValue<int>()).ToList(), path, "dims", "a list of sizes")
                ?? throw new ArgumentException($"{path}.dims: matryoshka needs its sizes, e.g. [384, 256, 128, 64].");
            var weights = Read(() => o["weights"]?.AsArray().Select(w => w!.GetValue<double>()).ToList(), path, "weights", "a list of numbers");
            var inner = o["inner"] switch
            {
                null => new InfoNceLoss(),
                JsonObject spec => Build(spec, path + ".inner"),
                JsonValue v when v.GetValueKind() == JsonValueKind.String => ContrastiveLosses.Create(v.GetValue<string>(), new LossSettings()),
                _ => throw new ArgumentException($"{path}.inner: expected a loss name or object."),
            };
            return new MatryoshkaLoss(inner, dims, weights);
        }
        var d = new LossSettings();
        switch (ContrastiveLosses.Canonical(type))
        {
            case ContrastiveLosses.MarginScale:
                Allow("margin", "scale");
                return new MarginScaleLoss(Number("margin", d.Margin), Number("scale", d.MarginScale));
            case ContrastiveLosses.CoSent:
                Allow("scale", "gold_scores");
                return new CoSentLoss(Number("scale", d.CosentScale), Flag("gold_scores", false));
            case ContrastiveLosses.Triplet:
                Allow("distance", "margin");
                var distance = o["distance"] is null ? d.TripletDistance
                    : Enum.TryParse<TripletDistance>(Read(() => o["distance"]!.GetValue<string>(), path, "distance", "euclidean or cosine"), ignoreCase: true, out var parsed) ? parsed
                    : throw new ArgumentException($"{path}.distance {o["distance"]!.ToJsonString()}: expected euclidean or cosine.");
                return new TripletLoss(distance, Number("margin", d.TripletMargin));
            case ContrastiveLosses.MarginMse:
                Allow();
                return new MarginMseLoss();
            case ContrastiveLosses.Gist:
                Allow("guide", "temperature", "margin");
                var guide = o["guide"] is null ? throw new ArgumentException($"{path}.guide: loss gist needs its guide model's folder (e.g. the model you start from).")
                    : Read(() => o["guide"]!.GetValue<string>(), path, "guide", "a model folder");
                return new GistLoss(guide, Number("temperature", 0.01), Number("margin", 0));
            case ContrastiveLosses.Distillation:
                Allow("temperature", "teacher_temperature");
                return new DistillationLoss(Number("temperature", d.InfoNce.Temperature), Number("teacher_temperature", d.TeacherTemperature));
            default:
                Allow("temperature", "scale", "in_batch_negatives", "symmetric");
                if (o["temperature"] is not null && o["scale"] is not null)
                    throw new ArgumentException($"{path}: give temperature or scale (its inverse), not both.");
                var temperature = o["scale"] is not null ? 1 / Number("scale", 1 / d.InfoNce.Temperature) : Number("temperature", d.InfoNce.Temperature);
                return new InfoNceLoss(new InfoNceOptions { Temperature = temperature, InBatchNegatives = Flag("in_batch_negatives", true), Symmetric = Flag("symmetric", false) });
        }
    }

    private static T Read<T>(Func<T> read, string path, string key, string expected)
    {
        try { return read(); }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            throw new ArgumentException($"{path}.{key}: expected {expected}.", e);
        }
    }

    private sealed class LossSpecConverter : JsonConverter<LossSpec>
    {
        public override LossSpec Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => Named(reader.GetString()!),
            JsonTokenType.StartObject => FromObject(JsonNode.Parse(ref reader)!.AsObject()),
            _ => throw new JsonException("loss: expected a name (\"info_nce\") or an object with a \"type\"."),
        };

        public override void Write(Utf8JsonWriter writer, LossSpec value, JsonSerializerOptions options)
        {
            if (value.Options is null) writer.WriteStringValue(value.Type);
            else value.Options.WriteTo(writer);
        }
    }
}
