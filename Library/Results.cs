using System.Collections.Immutable;
using ByzantineSim.Experiments.Reports;
using ByzantineSim.Experiments.Running;
using Microsoft.Data.Analysis;
using Plotly.NET;

namespace ByzantineSim;

/// <summary>One figure of a sweep's report, as a Plotly.NET chart.</summary>
/// <param name="Id">The figure's id, also the stem of its PNG/SVG files (e.g. <c>accuracy</c>, <c>worst-heterogeneity</c>).</param>
/// <param name="Title">Its title.</param>
/// <param name="Chart">The chart: the very plotly.js figure <c>report.html</c> draws.</param>
public sealed record ReportChart(string Id, string Title, GenericChart Chart)
{
    /// <summary>The plotly.js figure object (<c>{data, layout}</c>) the chart was made from, or null.</summary>
    public System.Text.Json.Nodes.JsonObject? Figure { get; init; }

    /// <summary>
    /// The chart under its title, as HTML for a notebook's output cell (<see cref="PlotlyCharts.ToNotebookHtml"/>),
    /// drawn from <see cref="Figure"/> when there is one: that needs no Plotly.NET serializer, which
    /// fails inside .NET Interactive (its own Giraffe.ViewEngine and FSharp.Core are older than
    /// the ones Plotly.NET 6 was built against).
    /// </summary>
    public string ToNotebookHtml() =>
        $"<h4>{System.Net.WebUtility.HtmlEncode(Title)}</h4>" +
        PlotlyCharts.ToNotebookHtml(Figure?.ToJsonString() ?? GenericChart.toFigureJson(Chart), Id);
}

/// <summary>
/// The results of a sweep, read from its results folder as <c>byzsim report</c> reads it (so a
/// sweep that is still running, was interrupted or is partly damaged reads as partial), as data
/// frames and charts. A snapshot: load again to see runs finished since.
/// </summary>
public sealed class Results
{
    private readonly Lazy<HtmlPage> _page;

    private Results(SweepResults raw, SweepOutcome? outcome)
    {
        Raw = raw;
        Outcome = outcome;
        _page = new Lazy<HtmlPage>(() => SweepReport.Build(new SweepAnalysis(raw)));
    }

    /// <summary>The results folder (<c>results/&lt;sweep&gt;</c>).</summary>
    public string Folder => Raw.Folder;

    /// <summary>The sweep's name.</summary>
    public string Name => Raw.Name;

    /// <summary>The sweep's axes, in document order.</summary>
    public IReadOnlyList<string> Axes => Raw.Axes;

    /// <summary>Runs with complete results.</summary>
    public int Complete => Raw.Runs.Length;

    /// <summary>Runs in the sweep.</summary>
    public int Total => Raw.Total;

    /// <summary>What the reader found: every complete run's files and the runs still missing.</summary>
    public SweepResults Raw { get; }

    /// <summary>What the run that produced these results did (runs completed, failures, time), or null when loaded from a folder.</summary>
    public SweepOutcome? Outcome { get; }

    /// <summary>Reads a sweep's results folder (the one holding <c>runs.csv</c>); throws <see cref="FileNotFoundException"/> when it has none.</summary>
    public static Results Load(string folder) => new(SweepResults.Load(folder), null);

    /// <summary>Reads the folder a run just wrote.</summary>
    internal static Results Load(string folder, SweepOutcome outcome) => new(SweepResults.Load(folder), outcome);

    /// <summary>
    /// The tidy table of the sweep: one row per complete run and evaluation, with the run id,
    /// every axis value (text, as in <c>runs.csv</c>), the run's seed, n and f, and every column of
    /// its <c>metrics.csv</c> (round, train_loss, test_accuracy, test_loss, aggregated, and the
    /// validation metrics when held out).
    /// </summary>
    public DataFrame ToDataFrame() => ResultsFrame.Tidy(Raw);

    /// <summary>
    /// The report's accuracy table: per setting and rule, the mean final test accuracy (%) over
    /// seeds against each attack, the worst of them and the attack that gives it.
    /// </summary>
    public DataFrame AccuracyTable() => ResultsFrame.Accuracy(new SweepAnalysis(Raw));

    /// <summary>
    /// Every figure of the report (learning curves, worst-case heatmaps, cost, participation), in
    /// the report's order, built by the report's own builders and turned into Plotly.NET charts.
    /// </summary>
    public IReadOnlyList<ReportChart> Charts() =>
        [.. _page.Value.Figures.Select(f =>
        {
            var figure = PlotlyRenderer.Render(f);
            return new ReportChart(f.Id, f.Title, PlotlyCharts.ToChart(figure)) { Figure = figure };
        })];

    /// <summary>The figure with id <paramref name="id"/>; throws <see cref="KeyNotFoundException"/> listing the ids when there is none.</summary>
    public GenericChart Chart(string id)
    {
        var figure = _page.Value.Figures.FirstOrDefault(f => f.Id == id)
            ?? throw new KeyNotFoundException($"no figure '{id}' in the report of {Name}; figures: {string.Join(", ", _page.Value.Figures.Select(f => f.Id))}");
        return PlotlyCharts.ToChart(PlotlyRenderer.Render(figure));
    }

    /// <summary>
    /// Saves each figure whose id starts with one of <paramref name="idPrefixes"/> (every figure
    /// when none is given) as a self-contained HTML page <c>&lt;id&gt;.html</c> in the results folder,
    /// for a script with no notebook to show them inline; returns the files' paths, in the report's order.
    /// </summary>
    public IReadOnlyList<string> SaveCharts(params string[] idPrefixes)
    {
        var files = new List<string>();
        foreach (var chart in Charts().Where(c => idPrefixes.Length == 0 || idPrefixes.Any(p => c.Id.StartsWith(p, StringComparison.Ordinal))))
        {
            string file = Path.Combine(Folder, $"{chart.Id}.html");
            File.WriteAllText(file, PlotlyCharts.ToStandaloneHtml(chart.Chart, chart.Title));
            files.Add(file);
        }

        return files;
    }

    /// <summary>Writes <c>report.html</c> and <c>figures/</c> into the results folder, as <c>byzsim report</c>; returns the HTML file's path.</summary>
    public string Report() => SweepReport.Write(Folder, FigureSize.Default).Html;

    /// <inheritdoc />
    public override string ToString() => $"results of '{Name}': {Complete} of {Total} runs complete ({Folder})";
}
