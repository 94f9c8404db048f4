using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Newtonsoft.Json.Linq;
using Plotly.NET;

namespace Research.Lib.Notebooks;

/// <summary>
/// A plotly.js figure as notebooks show it: an HTML fragment (a div and a script that draws the figure with
/// plotly.js) that renders the same in Polyglot, dotnet-repl output and the kit's HTML reports. The script uses the
/// page's plotly.js when there is one (the reports embed it once, so they work offline) and loads it from the
/// Plotly CDN otherwise (VS Code). The div is found by a content hash, not a random id, so a notebook run twice
/// gives identical outputs. A chart converts to Plotly.NET's <see cref="GenericChart"/> (<see cref="ToGenericChart"/>:
/// restyle it with Plotly.NET's API, combine it with your own charts) and back (<see cref="FromGenericChart"/>: any
/// Plotly.NET chart shown the kit's way, offline in its reports).
/// </summary>
[TypeFormatterSource(typeof(NotebookFormatterSource), PreferredMimeTypes = ["text/html"])]
public sealed class PlotlyChart
{
    /// <summary>plotly.js loaded where the page has none (the version the kit's reports embed).</summary>
    public const string CdnUrl = "https://cdn.plot.ly/plotly-2.28.0.min.js";

    /// <param name="data">plotly.js traces</param>
    /// <param name="layout">plotly.js layout</param>
    /// <param name="title">what the plain-text form says</param>
    public PlotlyChart(JsonArray data, JsonObject layout, string title)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(layout);
        Title = title;
        FigureJson = new JsonObject { ["data"] = data, ["layout"] = layout }.ToJsonString();
    }

    public string Title { get; }

    /// <summary>The figure ({data, layout}) as plotly.js takes it.</summary>
    public string FigureJson { get; }

    public string ToHtml()
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(FigureJson)))[..16].ToLowerInvariant();
        // The script draws into the first not-yet-drawn div with its key (plotly marks drawn divs js-plotly-plot),
        // so two identical charts in one page each get drawn.
        return $"<div class=\"research-chart\" data-chart=\"{key}\" style=\"width:100%;min-height:420px\"></div>\n"
            + "<script>(function(){var f=" + FigureJson + ";"
            + $"function draw(){{var d=document.querySelector('div[data-chart=\"{key}\"]:not(.js-plotly-plot)');if(d)Plotly.newPlot(d,f.data,f.layout,{{responsive:true}});}}"
            + $"if(window.Plotly){{draw();}}else{{var s=document.createElement('script');s.src='{CdnUrl}';s.onload=draw;document.head.appendChild(s);}}}})();</script>";
    }

    /// <summary>
    /// This figure as a Plotly.NET chart: every trace and layout property carried over as it is (no Plotly.NET
    /// template added), so <c>GenericChart.toJson</c> gives back this figure's data and layout.
    /// </summary>
    public GenericChart ToGenericChart()
    {
        var figure = JsonNode.Parse(FigureJson)!;
        var traces = new List<Trace>();
        foreach (var node in figure["data"]!.AsArray())
        {
            var source = node!.AsObject();
            var trace = new Trace2D(source["type"]?.GetValue<string>() ?? "scatter");
            foreach (var (name, value) in source)
                if (name != "type") trace.SetProperty(name, ToNewtonsoft(value));
            traces.Add(trace);
        }
        var layout = new Layout();
        foreach (var (name, value) in figure["layout"]!.AsObject())
            layout.SetProperty(name, ToNewtonsoft(value));
        return GenericChart.setLayout(layout, GenericChart.ofTraceObjects(false, traces));
    }

    /// <summary>
    /// A Plotly.NET chart as the kit shows it (its data and layout, from <c>GenericChart.toJson</c>); the title is the
    /// layout's title, or <paramref name="title"/> when given.
    /// </summary>
    public static PlotlyChart FromGenericChart(GenericChart chart, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var figure = JsonNode.Parse(GenericChart.toJson(chart))!.AsObject();
        var data = figure["data"]?.DeepClone().AsArray() ?? [];
        var layout = figure["layout"]?.DeepClone().AsObject() ?? [];
        var layoutTitle = layout["title"] switch
        {
            JsonValue text when text.TryGetValue<string>(out var s) => s,
            JsonObject o when o["text"] is JsonValue text && text.TryGetValue<string>(out var s) => s,
            _ => null,
        };
        return new PlotlyChart(data, layout, title ?? layoutTitle ?? "Plotly.NET chart");
    }

    /// <summary>Plotly.NET serializes with Newtonsoft.Json: a JSON value becomes the token it writes as the same JSON.</summary>
    private static JToken ToNewtonsoft(JsonNode? value) => value is null ? JValue.CreateNull() : JToken.Parse(value.ToJsonString());

    public override string ToString() => $"Plotly chart: {Title}";
}
