using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ByzantineSim.Library.Tests;

/// <summary>
/// The notebooks under samples/ run headless as CI runs them (<c>scripts/notebooks.sh --execute</c>:
/// Jupyter's nbconvert with the .NET Interactive kernel, both installed by scripts/setup.sh), and
/// their executed outputs hold the tables and Plotly figures they promise, without an error.
/// </summary>
public sealed class NotebookTests(NotebookTests.ExecutedNotebooks notebooks) : IClassFixture<NotebookTests.ExecutedNotebooks>
{
    [Fact]
    public void Quickstart_ShowsTheFrameTheAccuracyTableTheLearningCurvesAndTheHeatmap()
    {
        var outputs = ExecutedWithoutError("quickstart", "results of 'default': 84 of 84 runs complete");
        // The tidy frame: 84 runs evaluated at rounds 0, 2 and 4.
        Assert.Contains(outputs, o => o.StartsWith("<p>252 rows</p><table class=\"byzsim-frame\"><thead><tr><th>run_id</th>", StringComparison.Ordinal));
        AssertAccuracyTable(outputs, ["mean", "median", "trimmed-mean", "geometric-median", "krum", "cge", "centered-clipping(tau=0.1)"], "min-max");
        AssertFigures(outputs, ("accuracy-partition-iid", "scatter"), ("accuracy-partition-dirichlet-alpha-0.3", "scatter"), ("worst-heterogeneity", "heatmap"));
    }

    [Fact]
    public void CustomAggregator_PassesTheLawsAndIsComparedWithKrumAndMedianUnderAlie()
    {
        var outputs = ExecutedWithoutError("custom-aggregator", "results of 'custom-aggregator': 12 of 12 runs complete");
        Assert.Contains(outputs, o => o.StartsWith("middle-mean: every law holds on ", StringComparison.Ordinal));
        AssertAccuracyTable(outputs, ["middle-mean", "krum", "median"], "alie");
        AssertFigures(outputs, ("accuracy-partition-iid", "scatter"), ("worst-heterogeneity", "heatmap"));
    }

    // The accuracy table: a header with the attack and the worst case, two rows per rule (one per
    // partition), each with a percentage in [0, 100] against every attack.
    private static void AssertAccuracyTable(IReadOnlyList<string> outputs, string[] rules, string attack)
    {
        string table = Assert.Single(outputs, o => o.StartsWith("<table class=\"byzsim-frame\"><thead><tr><th>setting</th><th>rule</th>", StringComparison.Ordinal));
        Assert.Contains($"<th>{attack}</th>", table, StringComparison.Ordinal);
        Assert.Contains("<th>worst_case</th><th>worst_attack</th></tr></thead>", table, StringComparison.Ordinal);
        var rows = table.Split("<tr>").Skip(2).Select(r => r.Split("<td>").Skip(1).Select(c => c[..c.IndexOf("</td>", StringComparison.Ordinal)]).ToArray()).ToList();
        foreach (string rule in rules)
        {
            var ruleRows = rows.Where(cells => System.Net.WebUtility.HtmlDecode(cells[1]) == rule).ToList();
            Assert.Equal(2, ruleRows.Count);
            Assert.All(ruleRows, cells => Assert.All(cells[2..^1], value => Assert.InRange(double.Parse(value, System.Globalization.CultureInfo.InvariantCulture), 0, 100)));
        }
    }

    // The notebook's outputs, after checking it raised no error and reported its runs complete.
    private IReadOnlyList<string> ExecutedWithoutError(string name, string runsComplete)
    {
        var outputs = notebooks.Outputs(name);
        Assert.Empty(notebooks.Errors(name));
        Assert.Contains(outputs, o => o.Contains(runsComplete, StringComparison.Ordinal));
        return outputs;
    }

    // Each figure: its div, drawn by Plotly from the report's figure object with traces of the type.
    private static void AssertFigures(IReadOnlyList<string> outputs, params (string Id, string TraceType)[] figures)
    {
        foreach (var (id, traceType) in figures)
        {
            string figure = Assert.Single(outputs, o => o.Contains($"<div id=\"byzsim-{id}-", StringComparison.Ordinal));
            Assert.Contains("Plotly.newPlot(\"byzsim-" + id + "-", figure, StringComparison.Ordinal);
            Assert.Contains($"\"type\":\"{traceType}\"", figure, StringComparison.Ordinal);
        }
    }

    /// <summary>Both notebooks executed once by <c>scripts/notebooks.sh --execute</c> into a temporary folder.</summary>
    public sealed class ExecutedNotebooks : IAsyncLifetime
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(30);

        private readonly string _folder = Directory.CreateTempSubdirectory("byzsim-notebooks-").FullName;

        /// <summary>Every text/plain, text/html and stream output of the executed notebook, in order.</summary>
        public IReadOnlyList<string> Outputs(string name) =>
            [.. Cells(name).SelectMany(o => o["output_type"]!.GetValue<string>() == "stream"
                ? [Text(o["text"])]
                : (o["data"] as JsonObject ?? []).Where(d => d.Key is "text/plain" or "text/html").Select(d => Text(d.Value)))];

        /// <summary>The error outputs of the executed notebook (name: message).</summary>
        public IReadOnlyList<string> Errors(string name) =>
            [.. Cells(name).Where(o => o["output_type"]!.GetValue<string>() == "error").Select(o => $"{o["ename"]}: {o["evalue"]}")];

        public async Task InitializeAsync()
        {
            string root = RepositoryRoot();
            var start = new ProcessStartInfo(Path.Combine(root, "scripts", "notebooks.sh"))
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add("--execute");
            start.ArgumentList.Add(Path.Combine(_folder, "executed"));
            start.Environment["BYZSIM_NOTEBOOK_RESULTS"] = Path.Combine(_folder, "results");
            var outcome = await ChildProcess.RunAsync(start, Timeout, "scripts/notebooks.sh --execute");
            if (outcome.ExitCode != 0)
            {
                throw new InvalidOperationException($"scripts/notebooks.sh --execute exited with {outcome.ExitCode}:\n{outcome.Output}\n{outcome.Error}");
            }
        }

        public Task DisposeAsync()
        {
            Directory.Delete(_folder, recursive: true);
            return Task.CompletedTask;
        }

        private IEnumerable<JsonObject> Cells(string name)
        {
            var notebook = JsonNode.Parse(File.ReadAllText(Path.Combine(_folder, "executed", name + ".ipynb")))!;
            return notebook["cells"]!.AsArray().SelectMany(c => c!["outputs"]?.AsArray() ?? []).OfType<JsonObject>();
        }

        // Jupyter stores text as one string or as a list of lines.
        private static string Text(JsonNode? node) =>
            node is JsonArray lines ? string.Concat(lines.Select(l => l!.GetValue<string>())) : node?.GetValue<string>() ?? "";

        private static string RepositoryRoot()
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ByzantineSim.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
        }
    }
}
