using System.Collections.Immutable;
using ScottPlot;

namespace ByzantineSim.Experiments.Validation;

/// <summary>
/// Accuracy-vs-rounds figures of a study (ScottPlot PNGs): one line per cell, the mean test
/// accuracy over its seeds at every evaluated round. Colours come from the Okabe-Ito palette
/// (safe for the common colour-vision deficiencies) and follow the cell's label, so a rule keeps
/// its colour across figures; cells listed as dashed (e.g. with bucketing) share their partner's
/// colour and differ by line pattern, which stays readable without colour.
/// </summary>
public static class ValidationFigures
{
    /// <summary>Okabe and Ito (2008), "Color Universal Design": black first, then the seven colours.</summary>
    private static readonly ImmutableArray<string> OkabeIto =
        ["#000000", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442"];

    /// <summary>Writes every figure of <paramref name="result"/> into <paramref name="folder"/>; returns the paths written.</summary>
    public static ImmutableArray<string> Write(StudyResult result, string folder)
    {
        Directory.CreateDirectory(folder);
        var written = ImmutableArray.CreateBuilder<string>();
        var labels = result.Cells.Select(c => c.Spec.Label).Distinct().ToList();
        foreach (var figure in result.Study.Figures)
        {
            var plot = new Plot();
            plot.Font.Set("DejaVu Sans");
            foreach (var id in figure.Cells)
            {
                var cell = result.Cell(id);
                var curve = MeanCurve(cell);
                if (curve.IsEmpty)
                {
                    continue;
                }

                var colour = Color.FromHex(OkabeIto[labels.IndexOf(cell.Spec.Label) % OkabeIto.Length]);
                var line = plot.Add.ScatterLine(curve.Select(p => (double)p.Round).ToArray(), curve.Select(p => p.Accuracy).ToArray(), colour);
                line.LineWidth = 2.5f;
                bool dashed = figure.Dashed.Contains(id);
                line.LinePattern = dashed ? LinePattern.Dashed : LinePattern.Solid;
                string label = cell.Spec.Label + (dashed ? figure.DashedLabel : "");
                line.LegendText = cell.Values.Length > 1 ? $"{label} ({cell.Values.Length} seeds)" : label;
            }

            plot.Title(figure.Title, 16);
            plot.XLabel("round", 14);
            bool success = figure.Cells.Any(id => result.Cell(id).Spec.Metric != RunRecord.Accuracy);
            plot.YLabel(success ? "test accuracy or attack success rate (%)" : "test accuracy (%)", 14);
            plot.Axes.SetLimitsY(0, 100);
            plot.ShowLegend(Edge.Right);
            string path = Path.Combine(folder, figure.File);
            Results.AtomicFile.Default.Write(path, plot.GetImageBytes(1200, 620, ImageFormat.Png));
            written.Add(path);
        }

        return written.ToImmutable();
    }

    /// <summary>Mean of the cell's metric (percent) over its runs at each round every run evaluated.</summary>
    public static ImmutableArray<(int Round, double Accuracy)> MeanCurve(CellResult cell)
    {
        if (cell.Runs.IsEmpty)
        {
            return [];
        }

        string metric = cell.Spec.Metric;
        var rounds = cell.Runs.Select(r => r.CurveOf(metric).Select(p => p.Round).ToHashSet()).Aggregate((a, b) => { a.IntersectWith(b); return a; });
        return [.. rounds.Order().Select(round => (round, 100 * cell.Runs.Average(r =>
        {
            double a = r.CurveOf(metric).First(p => p.Round == round).Accuracy;
            return double.IsFinite(a) ? a : 0;
        })))];
    }
}
