using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.FSharp.Collections;
using Plotly.NET;

namespace ByzantineSim;

/// <summary>
/// Turns a plotly.js figure object (<c>{data, layout}</c>, as <see cref="Experiments.Reports.PlotlyRenderer"/>
/// writes it into <c>report.html</c>) into a Plotly.NET <see cref="GenericChart"/> holding exactly
/// those traces and that layout, so a chart shown in a notebook is the report's figure, not a
/// second drawing of the same data.
/// </summary>
public static class PlotlyCharts
{
    /// <summary>The chart of <paramref name="figure"/>: every trace and layout property copied as is.</summary>
    public static GenericChart ToChart(JsonObject figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        var traces = (figure["data"] as JsonArray ?? []).OfType<JsonObject>().Select(ToTrace).ToList();
        var layout = new Layout();
        foreach (var (key, value) in figure["layout"] as JsonObject ?? [])
        {
            layout.SetProperty(key, ToValue(value));
        }

        return GenericChart.NewMultiChart(ListModule.OfSeq(traces), layout, new Config(), new DisplayOptions());
    }

    /// <summary>
    /// A self-contained HTML page drawing <paramref name="chart"/>, with plotly.js inlined (the copy
    /// <c>report.html</c> inlines), so it opens offline; for scripts that save figures.
    /// </summary>
    public static string ToStandaloneHtml(GenericChart chart, string title)
    {
        ArgumentNullException.ThrowIfNull(chart);
        string figure = GenericChart.toFigureJson(chart);
        // "</" inside a script element would end it early; JSON allows "<\/" for "</".
        string json = figure.Replace("</", "<\\/", StringComparison.Ordinal);
        return $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{System.Net.WebUtility.HtmlEncode(title)}}</title>
            <script>{{Experiments.Reports.PlotlyRenderer.Script()}}</script></head>
            <body><div id="figure"></div>
            <script>const figure = {{json}}; Plotly.newPlot("figure", figure.data, figure.layout, { responsive: true });</script>
            </body></html>
            """;
    }

    /// <summary>
    /// An HTML fragment drawing the plotly.js figure <paramref name="figureJson"/> (<c>{data, layout}</c>)
    /// in a notebook's output cell: a <c>div</c> named after <paramref name="id"/> (unique per call)
    /// and plotly.js inlined (offline, like <see cref="ToStandaloneHtml"/>). Jupyter pages load
    /// require.js, whose <c>define</c> would make plotly.js register as a module instead of setting
    /// <c>window.Plotly</c>; the inlined copy runs with <c>define</c>, <c>module</c> and
    /// <c>exports</c> shadowed, so it always sets the global.
    /// </summary>
    public static string ToNotebookHtml(string figureJson, string id)
    {
        ArgumentNullException.ThrowIfNull(figureJson);
        ArgumentNullException.ThrowIfNull(id);
        // "</" inside a script element would end it early; JSON allows "<\/" for "</".
        string json = figureJson.Replace("</", "<\\/", StringComparison.Ordinal);
        string element = $"byzsim-{id}-{Guid.NewGuid():N}";
        return $$"""
            <div id="{{element}}"></div>
            <script>if (typeof window.Plotly === "undefined") { (function (define, module, exports) { {{Experiments.Reports.PlotlyRenderer.Script()}}
            }).call(window); }</script>
            <script>(function () { const figure = {{json}}; Plotly.newPlot("{{element}}", figure.data, figure.layout, { responsive: true }); })();</script>
            """;
    }

    private static Trace ToTrace(JsonObject json)
    {
        var trace = new Trace(json["type"]?.GetValue<string>() ?? "scatter");
        foreach (var (key, value) in json)
        {
            if (key != "type")
            {
                trace.SetProperty(key, ToValue(value));
            }
        }

        return trace;
    }

    /// <summary>A JSON node as plain values that Plotly.NET's serializer writes back unchanged.</summary>
    private static object? ToValue(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.ToDictionary(e => e.Key, e => ToValue(e.Value), StringComparer.Ordinal),
        JsonArray array => array.Select(ToValue).ToArray(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => value.TryGetValue(out int i) ? i : value.GetValue<double>(),
            _ => null,
        },
        _ => throw new ArgumentException($"unexpected JSON node {node.GetType().Name}", nameof(node)),
    };
}
