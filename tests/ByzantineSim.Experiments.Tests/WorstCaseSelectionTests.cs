using System.Collections.Immutable;
using System.Text.Json;
using ByzantineSim.Experiments.Reports;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// Hyperparameter selection against the worst case (ByzFL's evaluation protocol): hand-derived
/// choices on made-up curves, and <c>byzsim select</c> on a real sweep checked against its files.
/// </summary>
public sealed class WorstCaseSelectionTests() : TempFolderTest("byzsim-select-")
{
    private static SelectionRun Run(string candidate, string attack, double[] validation, double[] test, string rule = "median") =>
        new("", rule, candidate, attack, [.. Enumerable.Range(0, validation.Length).Select(i => 10.0 * i)], [.. validation], [.. test]);

    [Fact]
    public void Select_MaximisesTheWorstAttackNotTheAverage_AndReportsTestAtEachAttacksValidationPeak()
    {
        // lr=0.1: peaks 0.9 (sign-flip) and 0.3 (alie): worst 0.3, average 0.6.
        // lr=0.01: peaks 0.6 (round 10) and 0.5 (round 20): worst 0.5, average 0.55. Chosen: 0.01.
        var runs = new[]
        {
            Run("lr=0.1", "sign-flip", [0.1, 0.9, 0.8], [0.1, 0.85, 0.8]),
            Run("lr=0.1", "alie", [0.1, 0.3, 0.2], [0.1, 0.25, 0.2]),
            Run("lr=0.01", "sign-flip", [0.1, 0.6, 0.55], [0.1, 0.62, 0.5]),
            Run("lr=0.01", "alie", [0.1, 0.4, 0.5], [0.1, 0.7, 0.45]),
        };

        var selection = Assert.Single(WorstCaseSelection.Select(runs));

        Assert.Equal("lr=0.01", selection.Candidate);
        Assert.Equal(0.5, selection.WorstValidation);
        // Test accuracy at each attack's validation peak: sign-flip round 10 -> 0.62, alie round 20 -> 0.45.
        Assert.Equal([("sign-flip", 10.0, 0.62), ("alie", 20.0, 0.45)], selection.Attacks.Select(a => (a.Attack, a.Round, a.Test)));
        Assert.Equal(0.45, selection.WorstTest);
        Assert.Equal("alie", selection.WorstAttack);
        Assert.Equal(new (string, double)[] { ("lr=0.1", 0.3), ("lr=0.01", 0.5) }, selection.Scores.Select(c => (c.Candidate, c.WorstValidation)).ToArray());
    }

    [Fact]
    public void Select_AveragesSeedsBeforeThePeak_TiesKeepTheFirstCandidate_AndNaNCountsAsZero()
    {
        // Two seeds of lr=a under sign-flip: validation means 0.5 at round 0 and 0.75 at round 10 ->
        // peak 0.75, test mean there (0.5 + 0.5) / 2. lr=b has the same worst case 0.75 -> the first
        // (a) is kept. lr=c diverged (NaN) -> 0. Dyadic values: every mean is exact.
        var runs = new[]
        {
            Run("lr=a", "sign-flip", [0.25, 1.0], [0.25, 0.5]),
            Run("lr=a", "sign-flip", [0.75, 0.5], [0.5, 0.5]),
            Run("lr=b", "sign-flip", [0.75, 0.75], [1.0, 1.0]),
            Run("lr=c", "sign-flip", [double.NaN, double.NaN], [double.NaN, double.NaN]),
        };

        var selection = Assert.Single(WorstCaseSelection.Select(runs));

        Assert.Equal("lr=a", selection.Candidate);
        Assert.Equal(0.75, selection.WorstValidation);
        Assert.Equal(0.5, selection.WorstTest);
        Assert.Equal(10.0, selection.Attacks.Single().Round);
        Assert.Equal(0.0, selection.Scores.Single(s => s.Candidate == "lr=c").WorstValidation);
    }

    [Fact]
    public void Select_CandidateMissingAnAttack_IsNotChosenAndRulesAreSelectedApart()
    {
        var runs = new[]
        {
            Run("lr=1", "sign-flip", [0.9], [0.9], rule: "krum"),
            Run("lr=2", "sign-flip", [0.5], [0.5], rule: "krum"),
            Run("lr=2", "alie", [0.5], [0.5], rule: "krum"),
            Run("lr=1", "sign-flip", [0.2], [0.2], rule: "mean"),
            Run("lr=2", "sign-flip", [0.7], [0.7], rule: "mean"),
        };

        var selections = WorstCaseSelection.Select(runs).ToDictionary(s => s.Rule);

        Assert.Equal("lr=2", selections["krum"].Candidate); // lr=1 has no alie run
        Assert.Equal("lr=2", selections["mean"].Candidate);
        Assert.Equal(0.7, selections["mean"].WorstTest);
    }

    [Fact]
    public async Task SelectCommand_RealSweep_ChoosesFromTheMetricsFilesAndRefusesRunsWithoutValidation()
    {
        await File.WriteAllTextAsync(Path.Combine(Folder, "tune.yaml"), """
            sweep: tune
            base:
              data: { name: synthetic, classes: 4, features: 8, train_size: 600, test_size: 100, validation_fraction: 0.2 }
              model: { name: mlp, hidden: [8] }
              clients: { n: 7, f: 1 }
              aggregator: median
              training: { rounds: 4, batch_size: 16, eval_every: 2 }
            grid:
              training.learning_rate: [0.001, 0.3]
              attack: [sign-flip, alie]
            """);
        var run = await CliProcess.RunAsync(Folder, "run", "tune.yaml", "--plain", "--no-report");
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        string results = Path.Combine(Folder, "results", "tune");

        var select = await CliProcess.RunAsync(Folder, "select", results, "--tune", "training.learning_rate", "--json");
        Assert.True(select.ExitCode == 0, select.Output + select.Error);
        using var json = JsonDocument.Parse(select.Output);
        var selection = Assert.Single(json.RootElement.EnumerateArray().ToList());

        // The witness: each run's metrics.csv, read here without the selection code.
        var peaks = new Dictionary<(string Lr, string Attack), (double Validation, double Test)>();
        var index = (await File.ReadAllLinesAsync(Path.Combine(results, "runs.csv"))).Select(l => l.Split(',')).ToList();
        foreach (var row in index.Skip(1))
        {
            string Cell(string column) => row[Array.IndexOf(index[0], column)];
            var lines = (await File.ReadAllLinesAsync(Path.Combine(results, Cell("run_id"), "metrics.csv"))).ToList();
            var header = lines[0].Split(',').ToList();
            var rows = lines.Skip(1).Select(l => l.Split(',')).Select(f => (
                Validation: double.Parse(f[header.IndexOf("validation_accuracy")], System.Globalization.CultureInfo.InvariantCulture),
                Test: double.Parse(f[header.IndexOf("test_accuracy")], System.Globalization.CultureInfo.InvariantCulture))).ToList();
            peaks[(Cell("training.learning_rate"), Cell("attack"))] = rows.First(r => r.Validation == rows.Max(x => x.Validation));
        }

        double Worst(string lr) => Math.Min(peaks[(lr, "sign-flip")].Validation, peaks[(lr, "alie")].Validation);
        string chosen = Worst("0.3") > Worst("0.001") ? "0.3" : "0.001";
        Assert.Equal($"training.learning_rate={chosen}", selection.GetProperty("chosen").GetString());
        Assert.Equal(Worst(chosen), selection.GetProperty("worst_validation_accuracy").GetDouble(), 12);
        Assert.Equal(Math.Min(peaks[(chosen, "sign-flip")].Test, peaks[(chosen, "alie")].Test), selection.GetProperty("worst_test_accuracy").GetDouble(), 12);

        var table = await CliProcess.RunAsync(Folder, "select", results, "--tune", "training.learning_rate");
        Assert.True(table.ExitCode == 0, table.Error);
        Assert.Contains($"  chosen training.learning_rate={chosen}: worst validation ", table.Output, StringComparison.Ordinal);

        var wrongAxis = await CliProcess.RunAsync(Folder, "select", results, "--tune", "training.momentum");
        Assert.Equal(2, wrongAxis.ExitCode);
        Assert.Contains("--tune training.momentum: not a tunable axis of", wrongAxis.Error, StringComparison.Ordinal);
        Assert.Contains("its axes: training.learning_rate", wrongAxis.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_ResultsWithoutValidation_AreRefusedWithTheSetting()
    {
        var metrics = ImmutableArray.Create(new CsvRow(["round", "test_accuracy"], ImmutableDictionary<string, string>.Empty.Add("round", "0").Add("test_accuracy", "0.5")));
        var record = new RunRecord("r", ImmutableDictionary<string, string>.Empty.Add("training.learning_rate", "0.1"), 7, 1, 2, 0.5, 0.5,
            new RunTimes(0, 0, 0, 0, 0), metrics, [], [], new Experiments.Results.RunState(Experiments.Results.RunStatus.Complete, null, null));
        var results = new SweepResults("results/x", "x", ["training.learning_rate"], null, [record], [], null);

        var error = Assert.Throws<Cli.InputException>(() => Cli.SelectCommand.Runs(results, "results/x", ["training.learning_rate"]).ToList());

        Assert.Equal("results/x: the runs have no validation_accuracy in metrics.csv; give the data set a validation_fraction (docs/experiments.md) and run the sweep again", error.Message);
    }
}
