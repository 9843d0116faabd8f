namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// The three rules that need identities, history or server data, through the CLI on a tiny
/// config: every run completes, rounds.csv ends with the detection columns (filled for the
/// flagging rules, empty for median), metrics.csv keeps its columns, and the report has the
/// detection section with a precision and a recall figure.
/// </summary>
public sealed class DetectionSweepTests() : TempFolderTest("byzsim-detection-")
{
    private static readonly string Spec = TinySpec.Head("detection", train: 1000, test: 200, n: 9, f: 2, rounds: 6, evalEvery: 3) + """
          attack: sign-flip
          server_data: { size: 50, source: train }
        grid:
          aggregator: [fltrust, foolsgold, mud-hog, median]
        """;

    [Fact]
    public async Task Run_FlaggingRules_DetectionInRoundsCsvAndReport()
    {
        await File.WriteAllTextAsync(Path.Combine(Folder, "detection.yaml"), Spec);
        var outcome = await CliProcess.RunAsync(Folder, "run", "detection.yaml", "--plain", "--parallel", "2", "--trainers", "2");
        Assert.True(outcome.ExitCode == 0, outcome.Output + outcome.Error);
        Assert.Contains("4 runs completed", outcome.Output, StringComparison.Ordinal);

        string results = Path.Combine(Folder, "results", "detection");
        foreach (string rule in new[] { "fltrust", "foolsgold", "mud-hog", "median" })
        {
            string run = Directory.GetDirectories(results, rule + "-*").Single();
            var rounds = File.ReadAllLines(Path.Combine(run, "rounds.csv"));
            Assert.EndsWith(",attack_failed,flagged,true_positives,false_positives,false_negatives,flagged_unreliable", rounds[0], StringComparison.Ordinal);
            Assert.Equal("round,train_loss,test_accuracy,test_loss,aggregated", File.ReadLines(Path.Combine(run, "metrics.csv")).First());
            var last = rounds[^1].Split(',');
            if (rule == "median")
            {
                Assert.All(last[^5..], cell => Assert.Equal("", cell));
            }
            else
            {
                // The sign-flippers are ids 7 and 8: FLTrust and FoolsGold flag them from the start,
                // MUD-HoG once its warm-up (3 rounds) and delay (2) have passed.
                Assert.Contains("7 8", last[^5], StringComparison.Ordinal);
                Assert.Equal("2", last[^4]);
                Assert.Equal("0", last[^2]);
            }
        }

        string report = File.ReadAllText(Path.Combine(results, "report.html"));
        Assert.Contains("id=\"detection\"", report, StringComparison.Ordinal);
        Assert.Contains("Detection precision", report, StringComparison.Ordinal);
        Assert.Contains("Detection recall", report, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(results, "figures", "detection-precision.png")));
        Assert.True(File.Exists(Path.Combine(results, "figures", "detection-recall.svg")));
    }
}
