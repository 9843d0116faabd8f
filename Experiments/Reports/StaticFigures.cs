using System.Collections.Immutable;
using System.Globalization;
using ScottPlot;

namespace ByzantineSim.Experiments.Reports;

/// <summary>Pixel size of the static figures.</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
public sealed record FigureSize(int Width, int Height)
{
    /// <summary>The default: 800 x 500, legible at a column's width in a paper.</summary>
    public static FigureSize Default { get; } = new(800, 500);

    /// <summary>Parses <c>WIDTHxHEIGHT</c>, e.g. <c>800x500</c>.</summary>
    public static FigureSize Parse(string text)
    {
        var parts = text.Split('x', 'X');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int width)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int height)
            && width is >= 200 and <= 8000 && height is >= 150 and <= 8000)
        {
            return new FigureSize(width, height);
        }

        throw new FormatException($"figure size must be WIDTHxHEIGHT in pixels (200..8000 x 150..8000), e.g. 800x500; got '{text}'");
    }
}

/// <summary>
/// Draws report figures as PNG and SVG files with ScottPlot, for papers: one file per panel of a
/// line figure (<c>&lt;id&gt;-&lt;panel&gt;</c>), one per heatmap or bar figure.
/// </summary>
public static class StaticFigures
{
    /// <summary>Writes every figure into <paramref name="folder"/>, each file atomically; returns the paths written, PNG and SVG alternating.</summary>
    public static ImmutableArray<string> Write(IEnumerable<Figure> figures, string folder, FigureSize size)
    {
        Directory.CreateDirectory(folder);
        var written = ImmutableArray.CreateBuilder<string>();
        foreach (var figure in figures)
        {
            foreach (var (stem, plot) in Plots(figure))
            {
                string png = Path.Combine(folder, stem + ".png");
                string svg = Path.Combine(folder, stem + ".svg");
                Results.AtomicFile.Default.Write(png, plot.GetImageBytes(size.Width, size.Height, ImageFormat.Png));
                Results.AtomicFile.Default.Write(svg, plot.GetSvgXml(size.Width, size.Height));
                written.Add(png);
                written.Add(svg);
            }
        }

        return written.ToImmutable();
    }

    /// <summary>A file-name-safe form of a label: lowercase letters, digits and single dashes.</summary>
    public static string Slug(string text)
    {
        var slug = new System.Text.StringBuilder();
        foreach (char c in text.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c) || c == '.')
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        return slug.ToString().Trim('-');
    }

    private static IEnumerable<(string Stem, Plot Plot)> Plots(Figure figure) => figure switch
    {
        LineFigure line => line.Panels.Select(panel => (StemOf(line, panel), LinePlot(line, panel))),
        HeatmapFigure heatmap => [(heatmap.Id, HeatmapPlot(heatmap))],
        BarFigure bar => [(bar.Id, BarPlot(bar))],
        GraphFigure graph => [(graph.Id, GraphPlot(graph))],
        _ => throw new ArgumentException($"no static rendering for {figure.GetType().Name}", nameof(figure)),
    };

    private static string StemOf(LineFigure figure, LinePanel panel) =>
        figure.Panels.Length == 1 ? figure.Id : $"{figure.Id}-{Slug(panel.Title)}";

    private static Plot NewPlot(string title)
    {
        var plot = new Plot();
        // A sans-serif face like the HTML report's; ScottPlot falls back to another when it is not installed.
        plot.Font.Set("DejaVu Sans");
        plot.Title(title, size: 16);
        plot.Axes.Title.Label.Bold = false;
        plot.FigureBackground.Color = Colors.White;
        plot.Grid.MajorLineColor = Color.FromHex("#e4e7eb");
        return plot;
    }

    private static Plot LinePlot(LineFigure figure, LinePanel panel)
    {
        var plot = NewPlot(figure.Panels.Length == 1 ? figure.Title : $"{figure.Title}: {panel.Title}");
        bool log = figure.Scale == LineScale.Log;
        // ScottPlot has no log axis: plot log10 of the values and label the ticks with the values.
        double Y(double value) => log ? Math.Log10(value) : value;
        foreach (var series in panel.Series)
        {
            var points = series.Curve.Rounds.Zip(series.Curve.Values)
                .Where(v => double.IsFinite(v.Second.Mean) && (!log || v.Second.Mean > 0))
                .Select(v => (Round: v.First, Band: figure.Band(v.Second), v.Second.Count))
                .ToList();
            if (points.Count == 0)
            {
                continue;
            }

            double[] x = [.. points.Select(p => p.Round)];
            var colour = Palette.ScottColour(series.Colour);
            if (points.Any(p => p.Count > 1))
            {
                var band = plot.Add.FillY(x, [.. points.Select(p => Y(p.Band.Low))], [.. points.Select(p => Y(p.Band.High))]);
                band.FillStyle.Color = colour.WithAlpha(0.18);
                band.LineStyle.Width = 0;
            }

            var line = plot.Add.ScatterLine(x, [.. points.Select(p => Y(p.Band.Mean))]);
            line.Color = colour;
            line.LineWidth = 2;
            line.LinePattern = Palette.Dash(series.Colour) switch
            {
                "dash" => LinePattern.Dashed,
                "dot" => LinePattern.Dotted,
                "dashdot" => LinePattern.DenselyDashed,
                _ => LinePattern.Solid,
            };
            // A case that leaves the rule (or attack) axis unset runs the base spec's: an empty label.
            // ScottPlot draws nothing at all when the only legend entry is empty, so name it.
            line.LegendText = series.Name.Length > 0 ? series.Name : "(base)";
        }

        plot.XLabel(figure.XLabel);
        plot.YLabel(figure.YLabel);
        if (figure.Scale == LineScale.Percent)
        {
            plot.Axes.SetLimitsY(0, 100);
        }
        else
        {
            var values = panel.Series.SelectMany(s => s.Curve.Values).Where(v => double.IsFinite(v.Mean) && v.Mean > 0).Select(figure.Band).ToList();
            if (values.Count > 0)
            {
                var ticks = LogTicks(values.Min(v => v.Low), values.Max(v => v.High));
                plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                    [.. ticks.Select(Math.Log10)], [.. ticks.Select(t => t.ToString("0.###", CultureInfo.InvariantCulture))]);
            }
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    // 1-2-5 steps of each decade within [low, high], e.g. 0.5, 1, 2 for losses from 0.4 to 2.3.
    private static List<double> LogTicks(double low, double high)
    {
        var ticks = new List<double>();
        for (int decade = (int)Math.Floor(Math.Log10(low)); decade <= (int)Math.Ceiling(Math.Log10(high)); decade++)
        {
            foreach (double mantissa in (double[])[1, 2, 5])
            {
                double tick = mantissa * Math.Pow(10, decade);
                if (tick >= low && tick <= high)
                {
                    ticks.Add(tick);
                }
            }
        }

        return ticks.Count >= 2 ? ticks : [low, high];
    }

    private static Plot GraphPlot(GraphFigure figure)
    {
        var plot = NewPlot(figure.Title);
        foreach (var (a, b) in figure.Edges)
        {
            var edge = plot.Add.Line(figure.Nodes[a].X, figure.Nodes[a].Y, figure.Nodes[b].X, figure.Nodes[b].Y);
            edge.LineColor = Color.FromHex("#9aa5b1");
            edge.LineWidth = 1;
        }

        foreach (var (byzantine, name, colour) in new[] { (false, "honest peer", 0), (true, "Byzantine peer", 1) })
        {
            var nodes = figure.Nodes.Where(n => n.Byzantine == byzantine).ToList();
            if (nodes.Count == 0)
            {
                continue;
            }

            double[] xs = [.. nodes.Select(n => n.X)], ys = [.. nodes.Select(n => n.Y)];
            var markers = plot.Add.Markers(xs, ys, MarkerShape.FilledCircle, 9, Palette.ScottColour(colour));
            markers.LegendText = name;
        }

        plot.Axes.SetLimits(-1.15, 1.15, -1.15, 1.15);
        plot.Axes.SquareUnits();
        plot.HideGrid();
        foreach (var axis in new IAxis[] { plot.Axes.Left, plot.Axes.Right, plot.Axes.Bottom, plot.Axes.Top })
        {
            axis.IsVisible = false;
        }

        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Plot HeatmapPlot(HeatmapFigure figure)
    {
        var plot = NewPlot(figure.Title);
        int rows = figure.Rows.Length, columns = figure.Columns.Length;
        var grid = new double[rows, columns];
        for (int row = 0; row < rows; row++)
        {
            for (int column = 0; column < columns; column++)
            {
                grid[row, column] = 100 * figure.Values[row][column];
            }
        }

        var heatmap = plot.Add.Heatmap(grid);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, 100);
        // Cell (row, column) spans [column, column + 1] x [rows - row - 1, rows - row]: row 0 on top.
        heatmap.Extent = new CoordinateRect(0, columns, 0, rows);
        for (int column = 0; column < columns; column++)
        {
            int best = figure.BestRow(column);
            for (int row = 0; row < rows; row++)
            {
                double value = grid[row, column];
                string text = !double.IsFinite(value) ? "–"
                    : string.Create(CultureInfo.InvariantCulture, $"{(row == best ? "best " : "")}{value:F1}");
                var label = plot.Add.Text(text, column + 0.5, rows - row - 0.5);
                label.LabelAlignment = Alignment.MiddleCenter;
                label.LabelFontSize = 13;
                label.LabelBold = row == best;
                // Viridis is dark below about 55% and light above.
                label.LabelFontColor = double.IsFinite(value) && value > 55 ? Colors.Black : Colors.White;
            }
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, columns).Select(c => c + 0.5)], [.. figure.Columns]);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, rows).Select(r => rows - r - 0.5)], [.. figure.Rows]);
        plot.Axes.SetLimits(0, columns, 0, rows);
        plot.XLabel(figure.XLabel);
        plot.YLabel("aggregation rule");
        plot.Grid.IsVisible = false;
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = "worst-case accuracy (%)";
        return plot;
    }

    private static Plot BarPlot(BarFigure figure)
    {
        var plot = NewPlot(figure.Title);
        int groups = figure.Categories.Length, count = figure.Series.Length;
        double width = figure.Stacked ? 0.7 : 0.8 / count;
        var bars = new List<Bar>();
        var bases = new double[groups];
        for (int s = 0; s < count; s++)
        {
            var colour = Palette.ScottColour(s);
            for (int c = 0; c < groups; c++)
            {
                double value = figure.Series[s].Values[c];
                if (!double.IsFinite(value))
                {
                    continue;
                }

                double position = figure.Stacked ? c : c - 0.4 + (width * (s + 0.5));
                double start = figure.Stacked ? bases[c] : 0;
                bars.Add(new Bar { Position = position, ValueBase = start, Value = start + value, FillColor = colour, Size = width, LineWidth = 0 });
                if (figure.Stacked)
                {
                    bases[c] += value;
                }
            }

            plot.Legend.ManualItems.Add(new LegendItem { LabelText = figure.Series[s].Name, FillColor = colour });
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, groups).Select(c => (double)c)], [.. figure.Categories]);
        int longest = figure.Categories.Select(c => c.Length).DefaultIfEmpty(0).Max();
        if (groups > 4 || longest > 14)
        {
            // Slanted labels, with room below the axis for the longest one (about 7 px per character at 45 degrees).
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = (float)Math.Min(300, 20 + (longest * 7 * Math.Sqrt(0.5)));
        }

        plot.Axes.Margins(bottom: 0);
        plot.YLabel(figure.YLabel);
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
