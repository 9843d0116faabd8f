using System.Globalization;
using System.Text.Json.Nodes;

namespace ByzantineSim.Experiments.Reports;

/// <summary>
/// Turns report figures into plotly.js figure objects (<c>{data, layout}</c>), and supplies the
/// plotly.js bundle that ships inside the Plotly.NET assembly, so that a report needs no network.
/// </summary>
public static class PlotlyRenderer
{
    private const string Font = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

    /// <summary>The plotly.js version bundled in reports.</summary>
    public static string Version => global::Globals.PLOTLYJS_VERSION;

    /// <summary>The minified plotly.js embedded in Plotly.NET, with its licence header.</summary>
    public static string Script()
    {
        var assembly = typeof(global::Globals).Assembly;
        string resource = $"Plotly.NET.plotly-{Version}.min.js";
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{resource} is not embedded in {assembly.GetName().Name}; resources: {string.Join(", ", assembly.GetManifestResourceNames())}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The plotly.js figure of <paramref name="figure"/>.</summary>
    public static JsonObject Render(Figure figure) => figure switch
    {
        LineFigure line => Line(line),
        HeatmapFigure heatmap => Heatmap(heatmap),
        BarFigure bar => Bar(bar),
        GraphFigure graph => Graph(graph),
        _ => throw new ArgumentException($"no plotly rendering for {figure.GetType().Name}", nameof(figure)),
    };

    /// <summary>The figure's height in pixels in the page.</summary>
    public static int Height(Figure figure) => figure switch
    {
        LineFigure line => 160 + (310 * Rows(line.Panels.Length)),
        HeatmapFigure heatmap => 160 + (34 * heatmap.Rows.Length),
        GraphFigure => 520,
        _ => 440,
    };

    // At least one column: a setting whose runs are all missing or corrupt has no panel yet.
    private static int Columns(int panels) => Math.Clamp(panels, 1, 3);

    private static int Rows(int panels) => (panels + Columns(panels) - 1) / Columns(panels);

    private static JsonObject Line(LineFigure figure)
    {
        var data = new JsonArray();
        var annotations = new JsonArray();
        var layout = BaseLayout(figure.Title);
        int columns = Columns(figure.Panels.Length), rows = Rows(figure.Panels.Length);
        layout["grid"] = new JsonObject { ["rows"] = rows, ["columns"] = columns, ["pattern"] = "independent", ["ygap"] = 0.32, ["xgap"] = 0.08 };
        var shown = new HashSet<string>(StringComparer.Ordinal);
        for (int p = 0; p < figure.Panels.Length; p++)
        {
            var panel = figure.Panels[p];
            string suffix = p == 0 ? "" : (p + 1).ToString(CultureInfo.InvariantCulture);
            foreach (var series in panel.Series)
            {
                var points = series.Curve.Rounds.Zip(series.Curve.Values)
                    .Where(v => double.IsFinite(v.Second.Mean) && (figure.Scale != LineScale.Log || v.Second.Mean > 0))
                    .ToList();
                // A JSON node has one parent: every trace gets its own arrays.
                JsonArray X() => new([.. points.Select(v => (JsonNode?)v.First)]);
                JsonArray Ys(Func<(double Low, double Mean, double High), double> f) =>
                    new([.. points.Select(v => (JsonNode?)Math.Round(f(figure.Band(v.Second)), 5))]);
                string group = series.Name;
                if (points.Any(v => v.Second.Count > 1))
                {
                    // The band: upper edge, then the lower edge filled up to it ("tonexty" fills to the trace before).
                    data.Add(Trace(X(), Ys(b => b.High), suffix, group, new JsonObject { ["width"] = 0, ["color"] = Palette.Colour(series.Colour) }));
                    var lower = Trace(X(), Ys(b => b.Low), suffix, group, new JsonObject { ["width"] = 0, ["color"] = Palette.Colour(series.Colour) });
                    lower["fill"] = "tonexty";
                    lower["fillcolor"] = Palette.Translucent(series.Colour, 0.18);
                    data.Add(lower);
                }

                var mean = Trace(X(), Ys(b => b.Mean), suffix, group, new JsonObject
                {
                    ["width"] = 2,
                    ["color"] = Palette.Colour(series.Colour),
                    ["dash"] = Palette.Dash(series.Colour),
                });
                mean["name"] = series.Name;
                mean["showlegend"] = shown.Add(series.Name);
                mean.Remove("hoverinfo");
                mean["hovertemplate"] = $"{Escape(series.Name)}<br>{Escape(figure.XLabel)} %{{x}}: %{{y:{(figure.Scale == LineScale.Percent ? ".1f" : ".4g")}}}<extra></extra>";
                data.Add(mean);
            }

            layout["xaxis" + suffix] = Axis(figure.XLabel);
            var yAxis = Axis(p % columns == 0 ? figure.YLabel : "");
            if (figure.Scale == LineScale.Log)
            {
                yAxis["type"] = "log";
            }

            layout["yaxis" + suffix] = yAxis;
            annotations.Add(new JsonObject
            {
                ["text"] = $"<b>{Escape(panel.Title)}</b>",
                ["xref"] = $"x{suffix} domain",
                ["yref"] = $"y{suffix} domain",
                ["x"] = 0.5,
                ["y"] = 1.0,
                ["yanchor"] = "bottom",
                ["showarrow"] = false,
                ["font"] = new JsonObject { ["size"] = 13 },
            });
        }

        layout["annotations"] = annotations;
        // The legend sits below the bottom row's axis title: a fixed pixel gap, in units of the plotting area's height.
        const int bottom = 110;
        double plotting = Height(figure) - 70 - bottom;
        layout["legend"] = new JsonObject { ["orientation"] = "h", ["y"] = -60 / plotting, ["yanchor"] = "top", ["x"] = 0 };
        layout["margin"] = new JsonObject { ["l"] = 70, ["r"] = 20, ["t"] = 70, ["b"] = bottom };
        layout["hovermode"] = "closest";
        return new JsonObject { ["data"] = data, ["layout"] = layout };
    }

    private static JsonObject Trace(JsonArray x, JsonArray y, string suffix, string group, JsonObject line) => new()
    {
        ["type"] = "scatter",
        ["mode"] = "lines",
        ["x"] = x,
        ["y"] = y,
        ["xaxis"] = "x" + suffix,
        ["yaxis"] = "y" + suffix,
        ["legendgroup"] = group,
        ["showlegend"] = false,
        ["hoverinfo"] = "skip",
        ["line"] = line,
    };

    private static JsonObject Heatmap(HeatmapFigure figure)
    {
        var z = new JsonArray();
        var text = new JsonArray();
        for (int row = 0; row < figure.Rows.Length; row++)
        {
            z.Add(new JsonArray([.. figure.Values[row].Select(v => double.IsFinite(v) ? (JsonNode?)Math.Round(100 * v, 2) : null)]));
            text.Add(new JsonArray([.. figure.Values[row].Select((v, column) =>
                (JsonNode?)(!double.IsFinite(v) ? "no runs"
                : figure.BestRow(column) == row ? string.Create(CultureInfo.InvariantCulture, $"<b>★ {100 * v:F1}</b>")
                : string.Create(CultureInfo.InvariantCulture, $"{100 * v:F1}")))]));
        }

        var trace = new JsonObject
        {
            ["type"] = "heatmap",
            ["x"] = new JsonArray([.. figure.Columns.Select(c => (JsonNode?)c)]),
            ["y"] = new JsonArray([.. figure.Rows.Select(r => (JsonNode?)r)]),
            ["z"] = z,
            ["text"] = text,
            ["texttemplate"] = "%{text}",
            ["zmin"] = 0,
            ["zmax"] = 100,
            ["colorscale"] = "Viridis",
            ["colorbar"] = new JsonObject { ["title"] = new JsonObject { ["text"] = "accuracy (%)" } },
            ["hovertemplate"] = "%{y} at %{x}<br>worst-case accuracy %{z:.1f}%<extra></extra>",
            ["xgap"] = 2,
            ["ygap"] = 2,
        };
        var layout = BaseLayout(figure.Title);
        layout["xaxis"] = Axis(figure.XLabel);
        layout["xaxis"]!["type"] = "category";
        var y = Axis("");
        y["autorange"] = "reversed";
        y["type"] = "category";
        layout["yaxis"] = y;
        return new JsonObject { ["data"] = new JsonArray(trace), ["layout"] = layout };
    }

    private static JsonObject Bar(BarFigure figure)
    {
        var data = new JsonArray();
        for (int s = 0; s < figure.Series.Length; s++)
        {
            var series = figure.Series[s];
            data.Add(new JsonObject
            {
                ["type"] = "bar",
                ["name"] = series.Name,
                ["x"] = new JsonArray([.. figure.Categories.Select(c => (JsonNode?)c)]),
                ["y"] = new JsonArray([.. series.Values.Select(v => double.IsFinite(v) ? (JsonNode?)Math.Round(v, 4) : null)]),
                ["marker"] = new JsonObject { ["color"] = Palette.Colour(s) },
                ["hovertemplate"] = $"{Escape(series.Name)}<br>%{{x}}: %{{y:.3g}}<extra></extra>",
            });
        }

        var layout = BaseLayout(figure.Title);
        layout["barmode"] = figure.Stacked ? "stack" : "group";
        layout["xaxis"] = Axis("");
        layout["yaxis"] = Axis(figure.YLabel);
        // Stacked bars list their legend bottom-up by default; keep the series order of the table.
        layout["legend"] = new JsonObject { ["orientation"] = "h", ["y"] = 1.02, ["yanchor"] = "bottom", ["x"] = 0, ["traceorder"] = "normal" };
        return new JsonObject { ["data"] = data, ["layout"] = layout };
    }

    // Edges as one line trace (segments separated by nulls), then honest and Byzantine peers as markers.
    private static JsonObject Graph(GraphFigure figure)
    {
        JsonArray Segments(Func<GraphNode, double> coordinate) =>
            new([.. figure.Edges.SelectMany(e => new JsonNode?[] { Math.Round(coordinate(figure.Nodes[e.A]), 4), Math.Round(coordinate(figure.Nodes[e.B]), 4), null })]);
        JsonObject Peers(bool byzantine, string name, string colour)
        {
            var nodes = figure.Nodes.Where(n => n.Byzantine == byzantine).ToList();
            return new JsonObject
            {
                ["type"] = "scatter",
                ["mode"] = "markers",
                ["name"] = name,
                ["x"] = new JsonArray([.. nodes.Select(n => (JsonNode?)Math.Round(n.X, 4))]),
                ["y"] = new JsonArray([.. nodes.Select(n => (JsonNode?)Math.Round(n.Y, 4))]),
                ["text"] = new JsonArray([.. nodes.Select(n => (JsonNode?)Escape(n.Label))]),
                ["hovertemplate"] = "%{text}<extra></extra>",
                ["marker"] = new JsonObject { ["size"] = 11, ["color"] = colour, ["line"] = new JsonObject { ["width"] = 1, ["color"] = "#ffffff" } },
            };
        }

        var data = new JsonArray(
            new JsonObject
            {
                ["type"] = "scatter",
                ["mode"] = "lines",
                ["name"] = "edges",
                ["x"] = Segments(n => n.X),
                ["y"] = Segments(n => n.Y),
                ["line"] = new JsonObject { ["width"] = 1, ["color"] = "#9aa5b1" },
                ["hoverinfo"] = "skip",
            },
            Peers(false, "honest peer", Palette.Colour(0)),
            Peers(true, "Byzantine peer", Palette.Colour(1)));
        var layout = BaseLayout(figure.Title);
        var hidden = new JsonObject { ["visible"] = false, ["range"] = new JsonArray(-1.15, 1.15) };
        layout["xaxis"] = hidden;
        layout["yaxis"] = hidden.DeepClone();
        layout["yaxis"]!["scaleanchor"] = "x";
        return new JsonObject { ["data"] = data, ["layout"] = layout };
    }

    private static JsonObject BaseLayout(string title) => new()
    {
        ["title"] = new JsonObject { ["text"] = Escape(title), ["x"] = 0, ["xanchor"] = "left", ["font"] = new JsonObject { ["size"] = 16 } },
        ["font"] = new JsonObject { ["family"] = Font, ["size"] = 12, ["color"] = "#1f2933" },
        ["paper_bgcolor"] = "#ffffff",
        ["plot_bgcolor"] = "#ffffff",
        ["margin"] = new JsonObject { ["l"] = 70, ["r"] = 20, ["t"] = 70, ["b"] = 60 },
    };

    private static JsonObject Axis(string title) => new()
    {
        ["title"] = new JsonObject { ["text"] = title },
        ["showgrid"] = true,
        ["gridcolor"] = "#e4e7eb",
        ["zeroline"] = false,
        ["linecolor"] = "#9aa5b1",
        ["showline"] = true,
        ["automargin"] = true,
    };

    // plotly.js renders titles and names as (a subset of) HTML: keep labels literal.
    private static string Escape(string text) => System.Net.WebUtility.HtmlEncode(text);
}
