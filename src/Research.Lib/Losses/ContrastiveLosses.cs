namespace Research.Lib.Losses;

/// <summary>
/// The supervised losses by the name a configuration gives (<c>"loss": "info_nce"</c>): names are matched ignoring case
/// and underscores, so the older spellings <c>InfoNce</c> and <c>MarginScale</c> still work (<c>distill</c> is
/// distillation). Matryoshka is not a loss of its own but wraps the chosen one when
/// <see cref="LossSettings.MatryoshkaDimensions"/> is set, or is written as an object (<see cref="LossSpec"/>).
/// </summary>
public static class ContrastiveLosses
{
    public const string InfoNce = "info_nce";
    public const string MarginScale = "margin_scale";
    public const string CoSent = "cosent";
    public const string Triplet = "triplet";
    public const string Distillation = "distillation";
    public const string MarginMse = "margin_mse";
    public const string Gist = "gist";

    /// <summary>Every name <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> Names { get; } = [InfoNce, MarginScale, CoSent, Triplet, Distillation, MarginMse, Gist];

    /// <summary>The canonical (snake_case) name of <paramref name="name"/>, or an error listing the names there are.</summary>
    public static string Canonical(string? name)
    {
        var key = (name ?? "").Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (string.Equals(key, "distill", StringComparison.OrdinalIgnoreCase)) return Distillation; // the issue's and FlagEmbedding's short name
        return Names.FirstOrDefault(n => string.Equals(n.Replace("_", "", StringComparison.Ordinal), key, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"loss '{name}': expected one of {string.Join(", ", Names)}.");
    }

    /// <summary>The loss named <paramref name="name"/> with <paramref name="settings"/>' numbers, wrapped in Matryoshka when it lists sizes.</summary>
    public static IContrastiveLoss Create(string name, LossSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        IContrastiveLoss loss = Canonical(name) switch
        {
            MarginScale => new MarginScaleLoss(settings.Margin, settings.MarginScale),
            CoSent => new CoSentLoss(settings.CosentScale),
            Triplet => new TripletLoss(settings.TripletDistance, settings.TripletMargin),
            Distillation => new DistillationLoss(settings.InfoNce.Temperature, settings.TeacherTemperature),
            MarginMse => new MarginMseLoss(),
            Gist => throw new ArgumentException("loss gist needs its guide model: write the loss as an object, {\"type\": \"gist\", \"guide\": \"MODEL_DIR\"}."),
            _ => new InfoNceLoss(settings.InfoNce),
        };
        return settings.MatryoshkaDimensions is { } dims ? new MatryoshkaLoss(loss, dims, settings.MatryoshkaWeights) : loss;
    }
}
