using Research.Lib.IO;
namespace Research.Lib.Data;

/// <summary>
/// Streams <see cref="TrainingExample"/>s from JSONL, one object per line, as FlagEmbedding writes them:
/// <c>{"query": str, "pos": [str], "neg": [str], "pos_scores": [num], "neg_scores": [num], "prompt": str, "type": str}</c>.
/// <c>pos_passage</c> / <c>neg_passage</c> are accepted as aliases of <c>pos</c> / <c>neg</c>. Unknown keys are
/// ignored, as FlagEmbedding ignores them. Blank lines are skipped; anything else that is wrong is an error.
/// </summary>
public static class TrainingExampleReader
{
    /// <summary>Reads records lazily: a file of any size is read in constant memory.</summary>
    public static IEnumerable<TrainingExample> Read(string path, ReadOptions? options = null)
    {
        options ??= ReadOptions.Strict;
        options.Validate();
        var lines = Utf8LineReader.ReadLines(path, options.BytesRead);
        return Iterate(path, lines, options);
    }

    private static IEnumerable<TrainingExample> Iterate(string path, IEnumerable<TextLine> lines, ReadOptions options)
    {
        foreach (var line in lines)
        {
            if (line.IsBlank)
                continue;
            TrainingExample? example = null;
            try
            {
                example = Parse(path, line);
            }
            catch (DataFormatException e)
            {
                options.Fail(e);
            }
            if (example is not null)
                yield return example;
        }
    }

    internal static TrainingExample Parse(string path, TextLine line)
    {
        using var document = JsonFields.ParseObject(path, line, out var f);
        var query = f.RequiredString("query");
        var pos = Alias(f, "pos", "pos_passage");
        if (pos is null)
            throw f.Error("pos", "missing (a training record needs \"pos\": [\"...\"], or \"pos_passage\")");
        if (pos.Value.List.Count == 0)
            throw f.Error(pos.Value.Name, "is an empty list; a training record needs at least one positive");
        var neg = Alias(f, "neg", "neg_passage");
        var negList = neg?.List ?? [];
        var posScores = f.NumberList("pos_scores");
        if (posScores is not null && posScores.Count != pos.Value.List.Count)
            throw f.Error("pos_scores", $"has {posScores.Count} values but {pos.Value.Name} has {pos.Value.List.Count}");
        var negScores = f.NumberList("neg_scores");
        if (negScores is not null && negScores.Count != negList.Count)
            throw f.Error("neg_scores", $"has {negScores.Count} values but {neg?.Name ?? "neg"} has {negList.Count}");
        return new TrainingExample(query, pos.Value.List, negList, posScores, negScores,
            f.OptionalString("prompt"), f.OptionalString("type"));
    }

    private static (string Name, List<string> List)? Alias(JsonFields f, string name, string alias)
    {
        var hasName = f.Has(name);
        if (hasName && f.Has(alias))
            throw f.Error(alias, $"both \"{name}\" and \"{alias}\" are present; use one of them");
        var used = hasName ? name : alias;
        var list = f.StringList(used);
        return list is null ? null : (used, list);
    }
}
