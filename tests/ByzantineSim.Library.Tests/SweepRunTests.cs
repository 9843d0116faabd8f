using System.Globalization;
using System.Text.Json.Nodes;
using ByzantineSim.Experiments.Reports;
using Microsoft.Data.Analysis;
using Plotly.NET;

namespace ByzantineSim.Library.Tests;

public class SweepRunTests(UserSweep sweep) : IClassFixture<UserSweep>
{
    private Results Results => sweep.Results;

    [Fact]
    public void RunAsync_UserAggregatorAndAttack_EveryRunCompletes()
    {
        Assert.Equal(16, sweep.Sweep.RunCount);
        Assert.Equal(16, Results.Complete);
        Assert.Equal(16, Results.Total);
        Assert.NotNull(Results.Outcome);
        Assert.Empty(Results.Outcome!.Failures);
    }

    [Fact]
    public void RunAsync_Progress_StartThenPerRunStartRoundsAndCompletionInOrder()
    {
        var events = sweep.Events;
        Assert.Equal(new SweepEvent.SweepStarted("user-sweep", 16, 0, 16), events[0]);
        Assert.DoesNotContain(events, e => e is SweepEvent.RunFailed);
        foreach (var run in sweep.Sweep.Plan.Runs)
        {
            var own = events.Where(e => e switch
            {
                SweepEvent.RunStarted s => s.RunId == run.Id,
                SweepEvent.RoundCompleted r => r.RunId == run.Id,
                SweepEvent.RunCompleted c => c.RunId == run.Id,
                _ => false,
            }).ToList();
            Assert.IsType<SweepEvent.RunStarted>(own[0]);
            var completed = Assert.IsType<SweepEvent.RunCompleted>(own[^1]);
            var rounds = own.OfType<SweepEvent.RoundCompleted>().ToList();
            Assert.NotEmpty(rounds);
            Assert.All(rounds, r => Assert.Equal(UserSweep.Rounds, r.Rounds));
            Assert.Equal(rounds.Select(r => r.Round).Order(), rounds.Select(r => r.Round));
            Assert.Equal(FinalAccuracyOnDisk(run.Id), completed.FinalAccuracy);
        }
    }

    [Fact]
    public void DataFrame_OneRowPerRunAndEvaluation_WithAxesSeedAndMetricsAsOnDisk()
    {
        var frame = Results.ToDataFrame();
        Assert.Equal(
            ["run_id", "aggregator", "attack", "partition", "seed", "n", "f", "round", "train_loss", "test_accuracy", "test_loss", "aggregated"],
            frame.Columns.Select(c => c.Name));
        // Evaluations at rounds 0, 4, 8 and 12 of each of the 16 runs.
        Assert.Equal(16 * 4, frame.Rows.Count);
        foreach (var run in sweep.Sweep.Plan.Runs)
        {
            string[] lines = File.ReadAllLines(Path.Combine(Results.Folder, run.Id, "metrics.csv"));
            string[] header = lines[0].Split(',');
            var rows = frame.Rows.Where(r => (string)r["run_id"] == run.Id).ToList();
            Assert.Equal(lines.Length - 1, rows.Count);
            for (int i = 0; i < rows.Count; i++)
            {
                string[] cells = lines[i + 1].Split(',');
                Assert.Equal(int.Parse(cells[Array.IndexOf(header, "round")], CultureInfo.InvariantCulture), rows[i]["round"]);
                Assert.Equal(double.Parse(cells[Array.IndexOf(header, "test_accuracy")], CultureInfo.InvariantCulture), rows[i]["test_accuracy"]);
                Assert.Equal(double.Parse(cells[Array.IndexOf(header, "train_loss")], CultureInfo.InvariantCulture), (double)rows[i]["train_loss"], 12);
                foreach (var label in run.Labels.Where(l => l.Axis != "seed"))
                {
                    Assert.Equal(label.Value, rows[i][label.Axis]);
                }

                Assert.Equal(long.Parse(run.Labels.Single(l => l.Axis == "seed").Value, CultureInfo.InvariantCulture), rows[i]["seed"]);
                Assert.Equal((7, 2), ((int)rows[i]["n"], (int)rows[i]["f"]));
            }
        }
    }

    [Fact]
    public void DataFrame_UserAttack_HurtsTheMeanButNotTheUserMedian()
    {
        var final = Results.ToDataFrame().Rows.Where(r => (int)r["round"] == UserSweep.Rounds).ToList();
        double Mean(string rule, string attack) => final
            .Where(r => (string)r["aggregator"] == rule && (string)r["attack"] == attack)
            .Average(r => (double)r["test_accuracy"]);
        Assert.True(Mean("mean", UserSweep.AttackLabel) < Mean("mean", "none") - 0.1, $"mean: {Mean("mean", UserSweep.AttackLabel)} under attack, {Mean("mean", "none")} without");
        Assert.True(Mean(UserPlugins.Median, UserSweep.AttackLabel) > Mean("mean", UserSweep.AttackLabel) + 0.1,
            $"user-median: {Mean(UserPlugins.Median, UserSweep.AttackLabel)} under attack, {Mean(UserPlugins.Median, "none")} without; mean {Mean("mean", UserSweep.AttackLabel)} under attack");
    }

    [Fact]
    public void AccuracyTable_EachCell_IsTheMeanOverSeedsOfTheFinalAccuracyInTheTidyFrame()
    {
        var table = Results.AccuracyTable();
        Assert.Equal(["setting", "rule", "none", UserSweep.AttackLabel, "worst_case", "worst_attack"], table.Columns.Select(c => c.Name));
        Assert.Equal(4, table.Rows.Count);
        var final = Results.ToDataFrame().Rows.Where(r => (int)r["round"] == UserSweep.Rounds).ToList();
        foreach (var row in table.Rows)
        {
            string partition = ((string)row["setting"]).Replace("partition=", "", StringComparison.Ordinal);
            foreach (string attack in new[] { "none", UserSweep.AttackLabel })
            {
                double expected = final
                    .Where(r => (string)r["partition"] == partition && (string)r["aggregator"] == (string)row["rule"] && (string)r["attack"] == attack)
                    .Average(r => (double)r["test_accuracy"]);
                Assert.Equal(Math.Round(100 * expected, 2), (double)row[attack], 9);
            }

            Assert.Equal(Math.Min((double)row["none"], (double)row[UserSweep.AttackLabel]), (double)row["worst_case"], 9);
        }
    }

    [Fact]
    public void Charts_AreTheReportsFiguresWithTheSameTracesAndLayout()
    {
        var charts = Results.Charts();
        Assert.Equal(["accuracy-partition-iid", "loss-partition-iid", "accuracy-partition-dirichlet-alpha-0.3", "loss-partition-dirichlet-alpha-0.3", "worst-heterogeneity", "cost"],
            charts.Select(c => c.Id).Where(id => id != "participation"));
        var figures = SweepReport.Build(new SweepAnalysis(SweepResults.Load(Results.Folder))).Figures;
        foreach (var chart in charts)
        {
            var expected = PlotlyRenderer.Render(figures.Single(f => f.Id == chart.Id));
            var actual = JsonNode.Parse(GenericChart.toFigureJson(chart.Chart))!.AsObject();
            Assert.True(SameJson(expected["data"], actual["data"]), $"{chart.Id}: traces differ:\n{expected["data"]}\n{actual["data"]}");
            Assert.True(SameJson(expected["layout"], actual["layout"]), $"{chart.Id}: layouts differ");
        }
    }

    [Fact]
    public void Chart_UnknownId_ThrowsListingTheIds()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => Results.Chart("acuracy"));
        Assert.Contains("figures: accuracy-partition-iid, loss-partition-iid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_WritesTheHtmlReportIntoTheResultsFolder()
    {
        string html = Results.Report();
        Assert.Equal(Path.Combine(Results.Folder, "report.html"), html);
        string page = File.ReadAllText(html);
        Assert.Contains("Worst case over attacks", page, StringComparison.Ordinal);
        Assert.Contains(UserPlugins.Median, page, StringComparison.Ordinal);
        Assert.Contains("aggregator: [user-median, mean]", File.ReadAllText(Path.Combine(Results.Folder, "sweep.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhileTheSweepRuns_ReadsTheRunsCompleteSoFar()
    {
        // Taken in the first RunCompleted event: at most the 4 runs in flight (Parallel: 4) were done.
        var partial = sweep.MidRun;
        Assert.NotNull(partial);
        Assert.Equal(16, partial!.Total);
        Assert.InRange(partial.Complete, 1, 4);
        Assert.Equal(partial.Complete * 4, partial.ToDataFrame().Rows.Count);
    }

    [Fact]
    public void Load_ExistingFolder_SameFrameAsTheRunReturned()
    {
        var loaded = Results.Load(Results.Folder);
        Assert.Null(loaded.Outcome);
        Assert.Equal(Results.ToDataFrame().ToString(), loaded.ToDataFrame().ToString());
    }

    [Fact]
    public async Task RunAsync_Again_SkipsCompleteRuns()
    {
        var again = await UserSweep.Build("user-sweep").RunAsync(new SweepRunOptions(sweep.Root, Trainers: 1));
        Assert.Equal(16, again.Outcome!.Census.Complete);
        Assert.Equal(0, again.Outcome.Completed);
    }

    [Fact]
    public async Task RunAsync_Cancelled_ThrowsAndLeavesAReadableFolder()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        var built = UserSweep.Build("cancelled");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => built.RunAsync(new SweepRunOptions(sweep.Root, Trainers: 1), null, cancel.Token));
        var partial = Results.Load(Path.Combine(sweep.Root, "cancelled"));
        Assert.Equal((0, 16), (partial.Complete, partial.Total));
    }

    private double FinalAccuracyOnDisk(string runId)
    {
        string[] lines = File.ReadAllLines(Path.Combine(Results.Folder, runId, "metrics.csv"));
        int column = Array.IndexOf(lines[0].Split(','), "test_accuracy");
        return double.Parse(lines[^1].Split(',')[column], CultureInfo.InvariantCulture);
    }

    // Plotly.NET writes numbers its own way (1 as 1.0, 1e-5 as 1E-05): compare values, not text.
    private static bool SameJson(JsonNode? a, JsonNode? b) => (a, b) switch
    {
        (null, null) => true,
        (JsonObject x, JsonObject y) => x.Count == y.Count && x.All(e => y.ContainsKey(e.Key) && SameJson(e.Value, y[e.Key])),
        (JsonArray x, JsonArray y) => x.Count == y.Count && x.Zip(y).All(p => SameJson(p.First, p.Second)),
        (JsonValue x, JsonValue y) when x.GetValueKind() == System.Text.Json.JsonValueKind.Number && y.GetValueKind() == System.Text.Json.JsonValueKind.Number =>
            double.Parse(x.ToJsonString(), CultureInfo.InvariantCulture) == double.Parse(y.ToJsonString(), CultureInfo.InvariantCulture),
        (JsonValue x, JsonValue y) => JsonNode.DeepEquals(x, y),
        _ => false,
    };
}
