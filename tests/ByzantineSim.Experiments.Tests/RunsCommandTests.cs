namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// Honest statuses end to end (CLI processes): failed aggregations and degenerate runs in
/// <c>run</c>, <c>runs</c> and <c>report</c>; damaged run files read as incomplete and rerun.
/// </summary>
public sealed class RunsCommandTests() : TempFolderTest("byzsim-runs-")
{
    // f = 1: every aggregation succeeds; f = 2 with message loss: one of 8 fails (cge needs more
    // inputs than arrive); f = 5 and a silent attack: 6 inputs, every aggregation fails.
    private const string Health = """
        sweep: health
        base:
          data: { name: synthetic, classes: 4, features: 8, train_size: 1000, test_size: 200 }
          model: { name: mlp, hidden: [8] }
          aggregator: cge
          attack: silent
          faults: { message_loss: 0.3 }
          server: { deadline: 10 }
          training: { rounds: 8, batch_size: 16, learning_rate: 0.2, eval_every: 4 }
        grid:
          clients: [{ n: 11, f: 1 }, { n: 11, f: 2 }, { n: 11, f: 5 }]
        """;

    private string Results => Path.Combine(Folder, "results", "health");

    private async Task<CliProcess.Outcome> RunAsync(params string[] args)
    {
        var outcome = await CliProcess.RunAsync(Folder, args);
        Assert.True(outcome.ExitCode == 0, outcome.Output + outcome.Error);
        return outcome;
    }

    private string RunFolder(string prefix) => Directory.GetDirectories(Results, prefix + "*").Single();

    [Fact]
    public async Task Run_FailedAggregations_ShownAsCompleteWithCountOrDegenerateEverywhere()
    {
        await File.WriteAllTextAsync(Path.Combine(Folder, "health.yaml"), Health);
        var run = await RunAsync("run", "health.yaml", "--plain");
        Assert.Matches(@"done  n-11-f-1-\w+  accuracy [\d.]+%  [\d.]+ s\n", run.Output);
        Assert.Matches(@"done  n-11-f-2-\w+  accuracy [\d.]+%  [\d.]+ s  complete \(1 of 8 aggregations failed\)", run.Output);
        Assert.Matches(@"DEGENERATE n-11-f-5-\w+: all 8 aggregations failed, the model never moved \(accuracy [\d.]+% is the initial model's\)", run.Output);
        Assert.Matches(@"  degenerate n-11-f-5-\w+ \(clients=n=11, f=5\)", run.Output);
        Assert.Contains("3 of 3 runs complete, 1 of them degenerate: every aggregation failed", run.Output, StringComparison.Ordinal);

        var runs = await RunAsync("runs", Results);
        Assert.Matches(@"n-11-f-2-\w+ .*│ complete \(1 of 8 aggregations failed\) *│", runs.Output);
        Assert.Matches(@"n-11-f-5-\w+ .*│ degenerate *│", runs.Output);
        Assert.Contains("2 complete, 1 degenerate, 0 incomplete, 0 pending", runs.Output, StringComparison.Ordinal);

        string index = await File.ReadAllTextAsync(Path.Combine(Results, "runs.csv"));
        Assert.Matches(@"n-11-f-2-\w+,complete,.*,1 of 8 aggregations failed\n", index);
        Assert.Matches(@"n-11-f-5-\w+,degenerate,", index);
        Assert.Contains("\"status\": \"degenerate\"", await File.ReadAllTextAsync(Path.Combine(RunFolder("n-11-f-5-"), "summary.json")), StringComparison.Ordinal);
        // rounds.csv, written by the simulator, is the independent witness of the counts.
        Assert.Equal(1, (await File.ReadAllLinesAsync(Path.Combine(RunFolder("n-11-f-2-"), "rounds.csv"))).Skip(1).Count(l => l.Split(',')[6] == "1"));

        string html = await File.ReadAllTextAsync(Path.Combine(Results, "report.html"));
        Assert.Contains("<div class=\"callout danger\">1 run is degenerate", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"danger\">degenerate</td>", html, StringComparison.Ordinal);
        Assert.Contains(">complete (1 of 8 aggregations failed)</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_HonestUpdatesLostToTheWallClock_NotReproducibleInRunRunsAndReport()
    {
        // Fifty clients' gradients of a wide MLP take far longer than a microsecond of wall clock
        // (the safety net's timer fires on Akka's next tick, about 10 ms): every round closes without some.
        await File.WriteAllTextAsync(Path.Combine(Folder, "lost.yaml"), """
            sweep: health
            base:
              data: { name: synthetic, classes: 4, features: 2000, train_size: 2000, test_size: 100 }
              model: { name: mlp, hidden: [512] }
              aggregator: mean
              clients: { n: 50, f: 0 }
              server: { round_timeout: 0.000001 }
              training: { rounds: 2, batch_size: 32, eval_every: 2 }
            """);
        var run = await RunAsync("run", "lost.yaml", "--plain");
        // Complete, or degenerate when no update of any round came in time.
        const string Status = @"(complete|degenerate) \(not reproducible: \d+ honest updates lost\)", First = @"first lost update: round 0, client \d+: no reply within server.round_timeout \(1E-06 s of wall-clock time\)";
        Assert.Matches($"  {Status} \\w+ \\(\\); {First}\n", run.Output); // the sweep's closing list (the log line may wrap)
        Assert.Matches(Status + " *│", (await RunAsync("runs", Results)).Output);
        string summary = await File.ReadAllTextAsync(Directory.GetFiles(Results, "summary.json", SearchOption.AllDirectories).Single());
        Assert.Matches(First.Replace("first lost update: ", "\"lost_honest_update\": \"", StringComparison.Ordinal), summary);
        Assert.Matches("\"lost_honest_updates\": [1-9]", summary);
        Assert.Contains("<div class=\"callout danger\">1 run lost honest updates to the machine", await File.ReadAllTextAsync(Path.Combine(Results, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_IllTypedSummaryAndEmptyMetrics_IncompleteCorruptInRunsAndReportThenRerun()
    {
        await File.WriteAllTextAsync(Path.Combine(Folder, "health.yaml"), Health);
        await RunAsync("run", "health.yaml", "--plain", "--no-report");
        string summary = Path.Combine(RunFolder("n-11-f-1-"), "summary.json");
        string metrics = Path.Combine(RunFolder("n-11-f-2-"), "metrics.csv");
        var original = (Summary: await File.ReadAllBytesAsync(summary), Metrics: await File.ReadAllBytesAsync(metrics));
        string text = await File.ReadAllTextAsync(summary);
        await File.WriteAllTextAsync(summary, System.Text.RegularExpressions.Regex.Replace(text, "\"spec_hash\": \"\\w+\"", "\"spec_hash\": 12345"));
        await File.WriteAllTextAsync(metrics, "");
        const string IllTyped = "incomplete (corrupt: summary.json: spec_hash is the number 12345, expected a string)";
        const string Empty = "incomplete (corrupt: metrics.csv is empty)";

        var runs = await RunAsync("runs", Results);
        Assert.Contains(IllTyped, runs.Output, StringComparison.Ordinal);
        Assert.Contains(Empty, runs.Output, StringComparison.Ordinal);
        Assert.Contains("0 complete, 1 degenerate, 2 incomplete, 0 pending", runs.Output, StringComparison.Ordinal);

        var report = await RunAsync("report", Results);
        Assert.Contains("1 of 3 runs complete", report.Output, StringComparison.Ordinal);
        string html = await File.ReadAllTextAsync(Path.Combine(Results, "report.html"));
        Assert.Contains(IllTyped, html, StringComparison.Ordinal);
        Assert.Contains(Empty, html, StringComparison.Ordinal);

        // A status too long for one line wraps instead of collapsing the table to an ellipsis.
        string degenerate = Path.Combine(RunFolder("n-11-f-5-"), "summary.json");
        await File.WriteAllTextAsync(degenerate, System.Text.RegularExpressions.Regex.Replace(await File.ReadAllTextAsync(degenerate), "\"spec_hash\": \"\\w+\"", $"\"spec_hash\": \"{new string('f', 300)}\""));
        var wrapped = await RunAsync("runs", Results);
        Assert.Matches(@"│ n-11-f-5-\w+ .*│ incomplete \(corrupt: summary.json is of another spec +│", wrapped.Output);
        Assert.Contains(IllTyped[..40], wrapped.Output, StringComparison.Ordinal);

        var rerun = await RunAsync("run", "health.yaml", "--plain", "--no-report");
        Assert.Contains(": " + IllTyped + "; it is run again", rerun.Output, StringComparison.Ordinal);
        Assert.Contains(": " + Empty + "; it is run again", rerun.Output, StringComparison.Ordinal);
        Assert.Contains("3 runs completed, 0 already complete, 0 failed", rerun.Output, StringComparison.Ordinal);
        Assert.Equal(original.Metrics, await File.ReadAllBytesAsync(metrics));
        Assert.Contains("\"spec_hash\": \"", await File.ReadAllTextAsync(summary), StringComparison.Ordinal);
    }
}
