using ByzantineSim.Experiments.Validation;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// Validation cells that measure a detecting rule: precision and recall pooled over a run's
/// rounds, counted by hand from fabricated rounds.csv and clients.csv files; and the at_least claim.
/// </summary>
public sealed class DetectionMeasureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("byzsim-detection-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private DetectionCounts? Read(string rounds, string clients)
    {
        File.WriteAllText(Path.Combine(_folder, "rounds.csv"), rounds);
        File.WriteAllText(Path.Combine(_folder, "clients.csv"), clients);
        return DetectionCounts.Read(Path.Combine(_folder, "rounds.csv"), Path.Combine(_folder, "clients.csv"));
    }

    private const string Clients =
        "client,byzantine,role,byzantine_rounds,samples,class_histogram\n" +
        "0,0,honest,0,10,5 5\n1,0,unreliable,0,10,5 5\n2,0,unreliable,0,10,5 5\n3,1,byzantine:sign-flip,3,10,5 5\n4,1,byzantine:gaussian,3,10,5 5\n";

    [Fact]
    public void Read_PoolsRoundsWithAVerdict_AgainstRolesAndTheRoundsTruth()
    {
        // Round 0 has no verdict (warm-up left empty); round 1 flags 3 and 0 malicious, 1 unreliable;
        // round 2 flags 3 and 4 malicious, 0 and 2 unreliable.
        var counts = Read(
            "round,flagged,true_positives,false_positives,false_negatives,flagged_unreliable\n" +
            "0,,,,,\n" +
            "1,0 3,1,1,1,1\n" +
            "2,3 4,2,0,0,0 2\n",
            Clients);
        Assert.Equal(new DetectionCounts(3, 1, 1, 3, 2, 4), counts);
        var run = new RunRecord("r", System.Collections.Immutable.ImmutableDictionary<string, string>.Empty, [], 1) { Detection = counts };
        Assert.Equal(75.0, run.DetectionPercent("malicious_precision"));
        Assert.Equal(75.0, run.DetectionPercent("malicious_recall"));
        Assert.Equal(100.0 * 2 / 3, run.DetectionPercent("unreliable_precision"), 12);
        Assert.Equal(50.0, run.DetectionPercent("unreliable_recall"));
    }

    [Fact]
    public void Read_RuleThatNeverFlags_OrNoRoles_GivesNoDetection()
    {
        Assert.Null(Read("round,flagged,true_positives,false_positives,false_negatives,flagged_unreliable\n0,,,,,\n1,,,,,\n", Clients));
        Assert.Null(Read("round,flagged,true_positives,false_positives,false_negatives,flagged_unreliable\n1,3,1,0,0,\n", "client,byzantine,samples\n0,0,10\n"));
        var run = new RunRecord("r", System.Collections.Immutable.ImmutableDictionary<string, string>.Empty, [], 1);
        Assert.True(double.IsNaN(run.DetectionPercent("malicious_recall")));
    }

    [Fact]
    public void AtLeast_HoldsOnlyWhenEveryCellReachesTheBound()
    {
        var claim = new ClaimCheck("at_least", "detects", Cells: ["a", "b"], Points: 50);
        var values = new Dictionary<string, double> { ["a"] = 50, ["b"] = 80 };
        Assert.Equal(ClaimOutcome.Holds, claim.Evaluate(id => values[id], _ => double.NaN).Outcome);
        values["b"] = 49.9;
        var failed = claim.Evaluate(id => values[id], _ => double.NaN);
        Assert.Equal(ClaimOutcome.Fails, failed.Outcome);
        Assert.Equal(["ok: a 50.0 (at least 50.0)", "NO: b 49.9 (at least 50.0)"], failed.Details.ToArray());
    }
}
