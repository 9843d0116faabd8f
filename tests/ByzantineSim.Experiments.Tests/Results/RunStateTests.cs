namespace ByzantineSim.Experiments.Tests.Results;

/// <summary>Run folders written by hand, in the shape <see cref="ResultsStore.Render"/> gives them, then damaged.</summary>
public sealed class RunStateTests() : TempFolderTest("byzsim-state-")
{
    private const string Hash = "0123456789ab";
    private const string Metrics = "round,train_loss,test_accuracy,test_loss,aggregated\n0,NaN,0.25,1.4,0\n4,1.1,0.5,1.2,7\n8,0.9,0.625,1.0,7\n";

    private static string Summary(int failed = 0) =>
        $$"""{ "run_id": "mean-{{Hash}}", "spec_hash": "{{Hash}}", "status": "complete", "rounds": 8, "final_test_accuracy": 0.625, "best_test_accuracy": 0.625, "failed_aggregations": {{failed}}, "seconds": 0.5 }""";

    private RunState Write(string summary, string? metrics = Metrics)
    {
        File.WriteAllText(Path.Combine(Folder, ResultsStore.SpecFile), "clients:\n  n: 9\n  f: 2\n");
        File.WriteAllText(Path.Combine(Folder, ResultsStore.SummaryFile), summary);
        if (metrics is not null)
        {
            File.WriteAllText(Path.Combine(Folder, ResultsStore.MetricsFile), metrics);
        }

        return RunState.Read(Folder, Hash);
    }

    [Fact]
    public void Read_WholeRun_Complete()
    {
        var state = Write(Summary());
        Assert.Equal("complete", state.ToString());
        Assert.Equal(0.625, state.Summary!.FinalAccuracy);
    }

    [Fact]
    public void Read_AttackFailures_CompleteSayingTheAttackFailed_NotSilent()
    {
        var state = Write(Summary(failed: 2).Replace(" }", """, "attack_failures": 8, "attack_failure": "InvalidOperationException: bug" }""", StringComparison.Ordinal));
        Assert.Equal("complete (2 of 8 aggregations failed; the attack failed in 8 of 8 rounds)", state.ToString());
        Assert.Equal("InvalidOperationException: bug", state.Summary!.AttackFailure);
    }

    [Fact]
    public void Read_HonestUpdatesLostToTheMachine_CompleteSayingItIsNotReproducible()
    {
        var state = Write(Summary().Replace(" }", """, "lost_honest_updates": 1, "lost_honest_update": "round 0, client 1: IOException: disk" }""", StringComparison.Ordinal));
        Assert.Equal("complete (not reproducible: 1 honest update lost)", state.ToString());
        Assert.Equal("first lost update: round 0, client 1: IOException: disk", state.Reason);
        Assert.Equal(1, state.Summary!.LostHonestUpdates);
    }

    [Fact]
    public void Read_NoSummary_IncompleteWithoutCorruption()
    {
        File.WriteAllText(Path.Combine(Folder, ResultsStore.MetricsFile), Metrics);
        Assert.Equal("incomplete", RunState.Read(Folder, Hash).ToString());
        Assert.Equal("pending", RunState.Read(Path.Combine(Folder, "never"), Hash).ToString());
    }

    [Fact]
    public void Read_FailureWithoutSummary_IncompleteSayingWhyItFailed()
    {
        File.WriteAllText(Path.Combine(Folder, ResultsStore.FailureFile), "cannot give 7 clients at least one of 5 samples\n\nSystem.ArgumentException: ...\n   at Partition\n");
        var state = RunState.Read(Folder, Hash);
        Assert.Equal(RunStatus.Incomplete, state.Status);
        Assert.Null(state.Corruption);
        Assert.Equal("incomplete (failed: cannot give 7 clients at least one of 5 samples)", state.ToString());
    }

    [Theory]
    [InlineData("\"spec_hash\": \"0123456789ab\"", "\"spec_hash\": 12345", "summary.json: spec_hash is the number 12345, expected a string")]
    [InlineData("\"rounds\": 8", "\"rounds\": \"8\"", "summary.json: rounds is the string \"8\", expected an integer")]
    [InlineData("\"final_test_accuracy\": 0.625", "\"final_test_accuracy\": [0.625]", "summary.json: final_test_accuracy is an array, expected a number")]
    [InlineData("\"spec_hash\": \"0123456789ab\"", "\"spec_hash\": \"fedcba987654\"", "summary.json is of another spec (fedcba987654)")]
    public void Read_IllTypedSummary_IncompleteCorruptNamingTheField(string field, string damaged, string reason)
    {
        string summary = Summary();
        Assert.Contains(field, summary, StringComparison.Ordinal);
        var state = Write(summary.Replace(field, damaged, StringComparison.Ordinal));
        Assert.Equal(RunStatus.Incomplete, state.Status);
        Assert.Equal($"incomplete (corrupt: {reason})", state.ToString());
    }

    [Fact]
    public void Read_SummaryNotJson_IncompleteCorrupt()
    {
        var state = Write("{ \"spec_hash\": ");
        Assert.StartsWith("incomplete (corrupt: summary.json is not valid JSON (", state.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "metrics.csv is missing")]
    [InlineData("", "metrics.csv is empty")]
    [InlineData("round,train_loss,test_accuracy,test_loss,aggregated\n", "metrics.csv has no rows")]
    [InlineData("round,train_loss,test_accuracy,test_loss,aggregated\n0,NaN,0.25,1.4,0\n4,1.1,0.", "metrics.csv: line 3 is not 5 numbers")]
    [InlineData("round,train_loss,test_accuracy,test_loss,aggregated\n0,NaN,0.25,1.4,0\n4,1.1,0.5,1.2,7\n", "metrics.csv ends at round 4 of 8")]
    [InlineData("\0\0\0\0", "metrics.csv does not start with the header round,train_loss,test_accuracy,test_loss")]
    public void Read_DamagedMetrics_IncompleteCorrupt(string? metrics, string reason)
    {
        Assert.Equal($"incomplete (corrupt: {reason})", Write(Summary(), metrics).ToString());
    }

    /// <summary>Some of the 8 aggregations failed: complete with the count; all of them: degenerate.</summary>
    [Theory]
    [InlineData(3, false, "complete (3 of 8 aggregations failed)")]
    [InlineData(8, true, "degenerate")]
    public void Read_FailedAggregations_CompleteWithTheCount_OrDegenerateWhenAllFailed(int failed, bool degenerate, string shown)
    {
        var state = Write(Summary(failed: failed));
        Assert.Equal(RunStatus.Complete, state.Status);
        Assert.Equal(degenerate, state.Degenerate);
        Assert.Equal(shown, state.ToString());
    }
}
