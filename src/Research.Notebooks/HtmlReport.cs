using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Markdig;
using Research.Lib.IO;

namespace Research.Notebooks;

/// <summary>
/// A self-contained HTML rendering of an executed notebook: markdown cells rendered, code with per-cell time,
/// outputs (HTML as it is, text in <c>pre</c>, errors in red), and plotly.js embedded once when a chart is shown,
/// so the file opens offline. The outputs of a code cell tagged <c>summary</c> (a notebook's headline figures, computed
/// at its end) also open the report, under its title.
/// </summary>
internal static class HtmlReport
{
    private static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    public static void Write(string path, NotebookDocument notebook, IReadOnlyList<(int Cell, TimeSpan Duration)> timings)
    {
        var body = new StringBuilder();
        var hasChart = false;
        // A code cell tagged "summary" (it runs last, when the figures it reports exist) opens the report.
        var summary = new StringBuilder();
        foreach (var cell in notebook.Cells.Where(c => c.Kind == "code" && c.Tags.Contains("summary")))
        {
            summary.Append("<section class=\"summary\"><div class=\"meta\">summary · cell ").Append(cell.Number).Append("</div>\n");
            hasChart |= AppendOutputs(summary, cell);
            summary.Append("</section>\n");
        }
        var times = timings.ToDictionary(t => t.Cell, t => t.Duration);
        foreach (var cell in notebook.Cells)
        {
            if (cell.IsMarkdown)
            {
                var text = cell.Kind == "code" ? string.Join('\n', cell.Source.Split('\n').Skip(1)) : cell.Source;
                body.Append("<section class=\"md\">").Append(Markdig.Markdown.ToHtml(text, Markdown)).Append("</section>\n");
                continue;
            }
            if (cell.Kind != "code") continue;
            var count = cell.Json["execution_count"]?.GetValue<int>();
            var time = times.TryGetValue(cell.Number, out var d) ? $"{d.TotalSeconds:0.00} s" : "not run";
            body.Append("<section class=\"cell\"><div class=\"meta\">cell ").Append(cell.Number)
                .Append(count is null ? "" : $" · [{count}]").Append(" · ").Append(time).Append("</div>\n<pre class=\"code\">")
                .Append(WebUtility.HtmlEncode(cell.Source)).Append("</pre>\n");
            hasChart |= AppendOutputs(body, cell);
            body.Append("</section>\n");
        }
        var title = WebUtility.HtmlEncode(Path.GetFileNameWithoutExtension(notebook.Path));
        var html = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(title).Append("</title>\n<style>")
            .Append("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}")
            .Append(".cell{border-left:3px solid #ccd;margin:1.2em 0;padding-left:.8em}.meta{color:#888;font-size:.8em}")
            .Append("pre{background:#f6f8fa;padding:.6em;overflow-x:auto;font-size:.85em}pre.code{background:#eef}")
            .Append("pre.error{background:#fee;color:#a00}pre.stderr{background:#fff4e5}table{border-collapse:collapse}")
            .Append("td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}")
            .Append(".summary{border:1px solid #ccd;background:#f8f9ff;margin:1em 0;padding:.4em .8em}</style>\n");
        if (hasChart)
            html.Append("<script>").Append(PlotlyJs.Value).Append("</script>\n");
        html.Append("</head><body>\n<h1 class=\"title\">").Append(title).Append("</h1>\n").Append(summary).Append(body).Append("</body></html>\n");
        AtomicFile.WriteAllText(path, html.ToString());
    }

    /// <summary>Appends a code cell's outputs; true when one of them is a kit chart (plotly.js is then embedded).</summary>
    private static bool AppendOutputs(StringBuilder body, NotebookCell cell)
    {
        var hasChart = false;
        foreach (var output in (cell.Json["outputs"] as JsonArray ?? []).OfType<JsonObject>())
        {
            switch (output["output_type"]?.GetValue<string>())
            {
                case "stream":
                    body.Append("<pre class=\"stream ").Append(output["name"]?.GetValue<string>()).Append("\">")
                        .Append(WebUtility.HtmlEncode(Text(output["text"]))).Append("</pre>\n");
                    break;
                case "error":
                    body.Append("<pre class=\"error\">").Append(WebUtility.HtmlEncode(
                        $"{output["ename"]}: {output["evalue"]}\n" + string.Join('\n', (output["traceback"] as JsonArray ?? []).Select(t => t!.GetValue<string>()))))
                        .Append("</pre>\n");
                    break;
                default:
                    var data = output["data"] as JsonObject;
                    if (data?["text/html"] is { } markup)
                    {
                        hasChart |= Text(markup).Contains("class=\"research-chart\"", StringComparison.Ordinal);
                        body.Append("<div class=\"output\">").Append(Text(markup)).Append("</div>\n");
                    }
                    else if (data?["text/plain"] is { } plain)
                    {
                        body.Append("<pre class=\"output\">").Append(WebUtility.HtmlEncode(Text(plain))).Append("</pre>\n");
                    }
                    break;
            }
        }
        return hasChart;
    }

    private static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l!.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };

    /// <summary>The plotly.js that Plotly.NET ships inside its assembly (no network needed).</summary>
    private static readonly Lazy<string> PlotlyJs = new(() =>
    {
        var assembly = typeof(Plotly.NET.GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().First(n => n.EndsWith(".min.js", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        // "</script" inside the library would end the script element early.
        return reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    });
}
