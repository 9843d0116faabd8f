using System.Globalization;
using ByzantineSim.Experiments.Validation;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// Cells with <c>at_seconds</c>: asynchronous runs compared at the same simulated time, reading
/// only the evaluations made at or before the budget (metrics.csv's <c>simulated_seconds</c>).
/// </summary>
public sealed class ValidationTimeBudgetTests() : TempFolderTest("byzsim-validation-time-")
{
    private const string Published = """
        {
          "studies": [{
            "id": "t", "title": "Time", "paper": "Nobody, 2099", "spec": "experiments/t.yaml", "sweep": "t",
            "protocol": "p", "published_source": "made up", "published_seeds": 0,
            "last_evaluations": 1, "match_points": 3, "likely_reason": "r",
            "cells": [
              { "id": "sync-10", "group": "G", "label": "sync", "where": { "asynchrony.mode": "sync" }, "at_seconds": 10 },
              { "id": "buff-10", "group": "G", "label": "fedbuff", "where": { "asynchrony.mode": "fedbuff" }, "at_seconds": 10 },
              { "id": "buff-all", "group": "G", "label": "fedbuff", "where": { "asynchrony.mode": "fedbuff" } }
            ],
            "checks": [
              { "kind": "raises", "claim": "fedbuff faster", "pairs": [["sync-10", "buff-10"]], "points": 5 }
            ],
            "figures": []
          }]
        }
        """;

    // A run whose evaluations are (simulated seconds, accuracy) pairs.
    private void Run(string id, string mode, (double Time, double Accuracy)[] evaluations, bool withTime = true)
    {
        string header = withTime ? "round,test_accuracy,simulated_seconds" : "round,test_accuracy";
        var rows = evaluations.Select((e, i) => withTime
            ? string.Create(CultureInfo.InvariantCulture, $"{i},{e.Accuracy},{e.Time}")
            : string.Create(CultureInfo.InvariantCulture, $"{i},{e.Accuracy}"));
        FabricatedStudy.WriteRun(Path.Combine(Folder, "results", "t", id), $"seed: 1\nasynchrony:\n  mode: {mode}\n", header, rows, 1.0);
    }

    private StudyResult Evaluate()
    {
        var study = FabricatedStudy.Load(Folder, "published.json", Published).Studies.Single();
        return StudyResult.Evaluate(study, RunRecord.ReadSweep(Path.Combine(Folder, "results", "t")));
    }

    [Fact]
    public void AtSeconds_ReadsTheLastEvaluationAtOrBeforeTheBudget()
    {
        Run("sync", "sync", [(0, 0.1), (6, 0.5), (12, 0.7)]);
        Run("buff", "fedbuff", [(0, 0.1), (4, 0.6), (10, 0.8), (16, 0.9)]);
        var result = Evaluate();
        Assert.Equal(50.0, result.Cell("sync-10").Mean, 6);   // 12 s is past the budget: the 6 s evaluation
        Assert.Equal(80.0, result.Cell("buff-10").Mean, 6);   // exactly at 10 s counts
        Assert.Equal(90.0, result.Cell("buff-all").Mean, 6);  // no budget: the last evaluation
        Assert.Equal(ClaimOutcome.Holds, result.Claims.Single().Outcome);
    }

    [Fact]
    public void AtSeconds_RunEndingBeforeTheBudget_CountsAsNotRun()
    {
        Run("sync", "sync", [(0, 0.1), (6, 0.5)]);
        Run("buff", "fedbuff", [(0, 0.1), (16, 0.9)]);
        var result = Evaluate();
        Assert.True(double.IsNaN(result.Cell("sync-10").Mean)); // not the 6 s accuracy: the run never reached 10 s
        Assert.Equal(ClaimOutcome.NotRun, result.Claims.Single().Outcome);
    }

    [Fact]
    public void AtSeconds_RunWithoutSimulatedTime_ThrowsNamingTheRun()
    {
        Run("sync", "sync", [(0, 0.1), (12, 0.5)], withTime: false);
        Run("buff", "fedbuff", [(0, 0.1), (16, 0.9)]);
        var error = Assert.Throws<InvalidDataException>(Evaluate);
        Assert.Contains("run sync: a cell at 10 simulated seconds needs an asynchronous run", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NonPositiveAtSeconds_IsAProblem() => FabricatedStudy.AssertEditRejected(
        Folder, Published, "\"sync\" }, \"at_seconds\": 10", "\"sync\" }, \"at_seconds\": 0", "t.sync-10: at_seconds must be a finite number > 0, got 0");
}
