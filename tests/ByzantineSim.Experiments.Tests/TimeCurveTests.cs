using System.Collections.Immutable;
using ByzantineSim.Experiments.Reports;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// Learning curves against simulated time (asynchronous sweeps): seeds evaluate at different
/// times, so each seed holds its last value until its next evaluation; hand-derived means.
/// </summary>
public sealed class TimeCurveTests
{
    private static RunRecord Run(string id, params (double Time, double Accuracy)[] evaluations)
    {
        ImmutableArray<string> header = ["round", "test_accuracy", ResultsStore.SimulatedTimeColumn];
        var rows = evaluations.Select((e, k) => new CsvRow(header, ImmutableDictionary<string, string>.Empty
            .Add("round", (3 * k).ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Add("test_accuracy", e.Accuracy.ToString("R", System.Globalization.CultureInfo.InvariantCulture))
            .Add(ResultsStore.SimulatedTimeColumn, e.Time.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        return new RunRecord(id, ImmutableDictionary<string, string>.Empty, 5, 0, 6, evaluations[^1].Accuracy, evaluations.Max(e => e.Accuracy),
            new RunTimes(0, 0, 0, 0, 0), [.. rows], [], [], new RunState(RunStatus.Complete, null, null));
    }

    [Fact]
    public void TimeCurve_HoldsEachSeedsLastEvaluation_UpToTheEarliestEnd()
    {
        // Seed a at t = 0, 2, 5; seed b at t = 0, 3, 4, 6. Points: every time either evaluated, up
        // to 5 (a's end). At t = 3: a holds 0.5 (from t = 2), b 0.75 -> 0.625. Dyadic: exact means.
        var runs = ImmutableArray.Create(
            Run("a", (0, 0.25), (2, 0.5), (5, 0.75)),
            Run("b", (0, 0.25), (3, 0.75), (4, 1.0), (6, 0.5)));
        var analysis = new SweepAnalysis(new SweepResults("", "s", [], null, runs, [], null));
        Assert.True(analysis.HasSimulatedTime);

        var curve = analysis.TimeCurve("", "all runs", "all runs", "test_accuracy");

        Assert.Equal([0.0, 2, 3, 4, 5], curve.Rounds.ToArray());
        Assert.Equal([0.25, 0.375, 0.625, 0.75, 0.875], curve.Values.Select(v => v.Mean));
        Assert.All(curve.Values, v => Assert.Equal(2, v.Count));

        // Against rounds the same runs pair evaluations by step, not by time.
        Assert.Equal([0.25, 0.625, 0.875, 0.5], analysis.MetricCurve("", "all runs", "all runs", "test_accuracy").Values.Select(v => v.Mean));
    }

    [Fact]
    public void SynchronousRuns_HaveNoTimeAxis()
    {
        var header = ImmutableArray.Create("round", "test_accuracy");
        var row = new CsvRow(header, ImmutableDictionary<string, string>.Empty.Add("round", "0").Add("test_accuracy", "0.5"));
        var run = new RunRecord("s", ImmutableDictionary<string, string>.Empty, 5, 0, 1, 0.5, 0.5, new RunTimes(0, 0, 0, 0, 0), [row], [], [], new RunState(RunStatus.Complete, null, null));
        var analysis = new SweepAnalysis(new SweepResults("", "s", [], null, [run], [], null));
        Assert.False(analysis.HasSimulatedTime);
        Assert.Empty(analysis.TimeCurve("", "all runs", "all runs", "test_accuracy").Rounds);
    }
}
