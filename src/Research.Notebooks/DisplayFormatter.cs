using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace Research.Notebooks;

/// <summary>
/// Turns a value into the mime bundle Polyglot would show: text/plain and text/html from
/// Microsoft.DotNet.Interactive.Formatting (the formatter Polyglot uses); Plotly.NET charts as the plotly figure
/// JSON (application/vnd.plotly.v1+json) plus an HTML fragment that draws it with a plotly.js the report embeds
/// once (no CDN), so charts render offline.
/// </summary>
internal static class DisplayFormatter
{
    public const string PlotlyMime = "application/vnd.plotly.v1+json";

    public static Dictionary<string, string> Format(object? value)
    {
        if (value is GenericChart chart)
        {
            var id = "chart-" + Guid.NewGuid().ToString("N")[..12];
            var json = GenericChart.toFigureJson(chart);
            return new Dictionary<string, string>
            {
                [PlotlyMime] = json,
                ["text/html"] = $"<div id=\"{id}\" class=\"plotly-chart\" style=\"width:100%\"></div>\n"
                    + $"<script>(function(){{var f={json};Plotly.newPlot('{id}',f.data,f.layout,{{responsive:true}});}})();</script>",
                ["text/plain"] = "Plotly chart",
            };
        }
        if (value is HtmlString html)
            return new Dictionary<string, string> { ["text/html"] = html.ToString(), ["text/plain"] = html.ToString() };
        return new Dictionary<string, string>
        {
            ["text/plain"] = value.ToDisplayString(PlainTextFormatter.MimeType),
            ["text/html"] = value.ToDisplayString(HtmlFormatter.MimeType),
        };
    }
}
