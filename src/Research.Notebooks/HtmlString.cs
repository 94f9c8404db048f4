namespace Research.Notebooks;

/// <summary>Markup to show as it is (the counterpart of Polyglot's <c>HTML("...")</c>).</summary>
public sealed class HtmlString(string html)
{
    public override string ToString() => html;
}
