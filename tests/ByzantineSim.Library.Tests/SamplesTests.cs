using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ByzantineSim.Library.Tests;

/// <summary>
/// The C# scripts under samples/ run as a user runs them (<c>dotnet run samples/x.cs</c>, the
/// library referenced from the clone through <c>#:project</c>), and print the tables and write
/// the figures they promise.
/// </summary>
public partial class SamplesTests
{
    [Fact]
    public async Task Quickstart_RunsTheDefaultSweepSmall_PrintsTheTablesAndWritesTheFigures()
    {
        using var folder = new TempFolder();
        var (exit, output) = await RunScriptAsync("quickstart.cs", folder.Path);
        Assert.True(exit == 0, output);
        Assert.Contains("results of 'default': 84 of 84 runs complete", output, StringComparison.Ordinal);
        // 84 runs (7 rules x 6 attacks x 2 partitions, one seed), evaluated at rounds 0, 2, ..., 10.
        Assert.Contains("tidy frame: 504 rows; columns: run_id, aggregator, attack, partition, seed, n, f, round, train_loss, test_accuracy, test_loss, aggregated", output, StringComparison.Ordinal);
        AssertAccuracyTable(output, ["mean", "median", "trimmed-mean", "geometric-median", "krum", "cge", "centered-clipping(tau=0.1)"], "min-max");
        string results = Path.Combine(folder.Path, "default");
        AssertFigure(Path.Combine(results, "accuracy-partition-iid.html"), "scatter");
        AssertFigure(Path.Combine(results, "worst-heterogeneity.html"), "heatmap");
        Assert.True(File.Exists(Path.Combine(results, "report.html")));
    }

    [Fact]
    public async Task CustomAggregator_PassesTheLawsAndIsComparedWithKrumAndMedianUnderAlie()
    {
        using var folder = new TempFolder();
        var (exit, output) = await RunScriptAsync("custom-aggregator.cs", folder.Path);
        Assert.True(exit == 0, output);
        Assert.Matches(@"middle-mean: every law holds on \d+ of 300 populations", output);
        Assert.Contains("results of 'custom-aggregator': 24 of 24 runs complete", output, StringComparison.Ordinal);
        AssertAccuracyTable(output, ["middle-mean", "krum", "median"], "alie");
        string results = Path.Combine(folder.Path, "custom-aggregator");
        AssertFigure(Path.Combine(results, "accuracy-partition-iid.html"), "scatter");
        AssertFigure(Path.Combine(results, "worst-heterogeneity.html"), "heatmap");
    }

    private static void AssertAccuracyTable(string output, string[] rules, string attack)
    {
        var lines = output.Split('\n');
        int start = Array.IndexOf(lines, "accuracy table:");
        Assert.True(start >= 0, output);
        var header = Columns().Split(lines[start + 1].Trim());
        Assert.Equal(["setting", "rule"], header[..2]);
        Assert.Contains(attack, header);
        Assert.Equal(["worst_case", "worst_attack"], header[^2..]);
        foreach (string rule in rules)
        {
            // One row per partition, with a percentage against every attack and the worst case.
            var rows = lines.Skip(start + 2).TakeWhile(l => l.Length > 0).Select(l => Columns().Split(l.Trim())).Where(cells => cells.Length > 2 && cells[1] == rule).ToList();
            Assert.Equal(2, rows.Count);
            Assert.All(rows, cells => Assert.All(cells[2..^1], value => Assert.InRange(double.Parse(value, System.Globalization.CultureInfo.InvariantCulture), 0, 100)));
        }
    }

    private static void AssertFigure(string file, string traceType)
    {
        Assert.True(File.Exists(file), file);
        string html = File.ReadAllText(file);
        Assert.Contains("Plotly.newPlot(\"figure\"", html, StringComparison.Ordinal);
        Assert.Contains($"\"type\":\"{traceType}\"", html, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output)> RunScriptAsync(string script, string resultsRoot)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = resultsRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The build goes under the clone's artifacts/ (ignored by git): by default .NET keeps a
        // file-based app's build (about 1.2 GB here) in ~/.local/share/dotnet/runfile under a hash
        // of the script's path, so every clone that ran these tests left its own copy behind.
        string artifacts = Path.Combine(RepositoryRoot(), "artifacts", "samples", Path.GetFileNameWithoutExtension(script));
        foreach (string arg in new[] { "run", "-c", "Release", "--artifacts-path", artifacts, Path.Combine(RepositoryRoot(), "samples", script), "--", resultsRoot })
        {
            start.ArgumentList.Add(arg);
        }

        // The test host's MSBuild variables would point the child's build at this process's SDK state.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "MSBUILD_EXE_PATH").ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ByzantineSim.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    // Cells are two spaces apart; a label has at most one space in a row (none in these sweeps).
    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex Columns();

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("byzsim-samples-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
