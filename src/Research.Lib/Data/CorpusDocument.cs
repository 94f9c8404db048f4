namespace Research.Lib.Data;

/// <summary>A document of a retrieval corpus. <see cref="Title"/> is empty when the source has none.</summary>
public sealed record CorpusDocument(string Id, string Title, string Text)
{
    /// <summary>Title and text joined by a space, as BEIR's baselines index them.</summary>
    public string FullText => Title.Length == 0 ? Text : $"{Title} {Text}";
}
