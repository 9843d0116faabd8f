using System.Collections.Immutable;
using System.Globalization;
using ByzantineSim.Experiments.Validation;

namespace ByzantineSim.Experiments.Tests;

/// <summary>The validation report generator on a fabricated results folder with known numbers.</summary>
public sealed class ValidationReportTests() : TempFolderTest("byzsim-validation-")
{
    private static readonly string Published = StudyHead("toy", "Toy study", "Toy protocol.", publishedSeeds: 3, likelyReason: "toy reason") + """
            "cells": [
              { "id": "mean", "group": "G", "label": "mean", "where": { "aggregator.name": "mean", "pre_aggregators": "[]" }, "published": 90, "reference": "mean" },
              { "id": "gm", "group": "G", "label": "gm", "where": { "aggregator.name": "geometric-median", "pre_aggregators": "[]" }, "published": 80, "reference": "mean" },
              { "id": "median", "group": "G", "label": "median", "where": { "aggregator.name": "median", "pre_aggregators": "[]" }, "published": 70, "reference": "mean", "note": "median note" },
              { "id": "krum", "group": "G", "label": "krum", "where": { "aggregator.name": "krum", "pre_aggregators": "[]" }, "published": 60, "reference": "mean" },
              { "id": "cge", "group": "G", "label": "cge", "where": { "aggregator.name": "cge", "pre_aggregators": "[]" }, "published": 50 },
              { "id": "x", "group": "H", "label": "x", "where": { "aggregator.name": "mean", "pre_aggregators.0.name": "bucketing" }, "published": 80 },
              { "id": "y", "group": "H", "label": "y", "where": { "aggregator.name": "krum", "pre_aggregators.0.name": "bucketing" }, "published": 50 }
            ],
            "checks": [
              { "kind": "within", "claim": "median near mean", "cells": ["median"], "reference": "mean", "points": 3 },
              { "kind": "order", "claim": "mean > median > krum", "order": "mean > median > krum", "points": 3 },
              { "kind": "below", "claim": "krum far below", "cells": ["krum"], "reference": "mean", "points": 20 },
              { "kind": "raises", "claim": "bucketing raises krum", "pairs": [["krum", "y"]], "points": 1 },
              { "kind": "gap_shrinks", "claim": "gap halves", "pairs": [["krum", "median"]], "factor": 0.8, "points": 1 },
              { "kind": "near_best", "claim": "gm near best", "cells": ["gm"], "others": ["median", "krum"], "points": 3 },
              { "kind": "within", "claim": "cge near mean", "cells": ["cge"], "reference": "mean", "points": 3 }
            ],
            "discussion": "Toy discussion.",
            "figures": [{ "file": "toy.png", "title": "Toy", "cells": ["mean", "krum", "y"], "dashed": ["y"], "dashed_label": " + bucketing" }]
          }]
        }
        """;

    /// <summary>
    /// The opening of a fabricated published.json with one study <paramref name="id"/> (its spec
    /// experiments/id.yaml, sweep id, a made-up paper and source), up to its "cells" list.
    /// </summary>
    private static string StudyHead(string id, string title, string protocol, int publishedSeeds, string likelyReason) => $$"""
        {
          "studies": [{
            "id": "{{id}}", "title": "{{title}}", "paper": "Nobody, 2099", "spec": "experiments/{{id}}.yaml", "sweep": "{{id}}",
            "protocol": "{{protocol}}", "published_source": "made up", "published_seeds": {{publishedSeeds}},
            "last_evaluations": 2, "match_points": 3, "likely_reason": "{{likelyReason}}",

        """;

    /// <summary>Writes a completed run whose last two evaluations are <paramref name="last"/> (fractions).</summary>
    private void Run(string id, int seed, string aggregator, double[] last, bool bucketing = false)
    {
        string pre = bucketing ? "pre_aggregators:\n  - {name: bucketing, s: 2}\n" : "pre_aggregators: []\n";
        var rows = new[] { "0,NaN,0.1,2.3,0" }
            .Concat(last.Select((a, i) => string.Create(CultureInfo.InvariantCulture, $"{10 * (i + 1)},1.0,{a},1.0,9")));
        FabricatedStudy.WriteRun(
            Path.Combine(Folder, "results", "toy", id),
            $"seed: {seed}\nmodel:\n  name: mlp\n  hidden: [8]\n{pre}aggregator:\n  name: {aggregator}\n",
            "round,train_loss,test_accuracy,test_loss,aggregated",
            rows,
            30.0);
    }

    private void FabricateResults()
    {
        Run("mean-1", 1, "mean", [0.86, 0.88]);
        Run("mean-2", 2, "mean", [0.88, 0.90]);
        Run("gm-1", 1, "geometric-median", [0.30, 0.30]);
        Run("median-1", 1, "median", [0.50, 0.50]);
        Run("krum-1", 1, "krum", [0.40, 0.40]);
        Run("x-1", 1, "mean", [0.60, 0.60], bucketing: true);
        Run("y-1", 1, "krum", [0.30, 0.30], bucketing: true);
        // An unfinished run (no summary) must be ignored.
        Directory.CreateDirectory(Path.Combine(Folder, "results", "toy", "cge-1"));
        File.WriteAllText(Path.Combine(Folder, "results", "toy", "cge-1", "spec.yaml"), "seed: 1\naggregator:\n  name: cge\n");
    }

    private StudyResult Evaluate() => EvaluateStudy("published.json", Published, "toy");

    // Writes the published claims to the file, loads its single study and evaluates it on the sweep's fabricated runs.
    private StudyResult EvaluateStudy(string file, string published, string sweep)
    {
        var study = FabricatedStudy.Load(Folder, file, published).Studies.Single();
        return StudyResult.Evaluate(study, RunRecord.ReadSweep(Path.Combine(Folder, "results", sweep)));
    }

    [Fact]
    public void Evaluate_Cells_MeanAndStdOfLastEvaluationsOverSeeds()
    {
        FabricateResults();
        var result = Evaluate();
        Assert.Equal(7, result.RunCount);
        var mean = result.Cell("mean");
        Assert.Equal([87.0, 89.0], mean.Values.Select(v => Math.Round(v, 6)));
        Assert.Equal(88.0, mean.Mean, 6);
        Assert.Equal(Math.Sqrt(2), mean.Std, 6);
        Assert.Empty(result.Cell("cge").Values);
        Assert.Equal(48.0, result.Gap("krum"), 6);
    }

    [Fact]
    public void Verdict_MatchesSameOrderingDiffersNotRun()
    {
        FabricateResults();
        var result = Evaluate();
        Assert.Equal("matches", result.Verdict("mean"));          // 88 vs 90
        Assert.Equal("differs", result.Verdict("gm"));            // ours last of four, published second
        Assert.Equal("differs", result.Verdict("median"));        // ours second, published third
        Assert.Equal("differs", result.Verdict("krum"));          // ours third, published fourth
        Assert.Equal("not run", result.Verdict("cge"));
        Assert.Equal("same ordering", result.Verdict("x"));       // 60 vs 80, first in both
        Assert.Equal("same ordering", result.Verdict("y"));       // 30 vs 50, second in both
    }

    [Fact]
    public void Claims_EachKind_HoldsFailsOrNotRunAsTheNumbersSay()
    {
        FabricateResults();
        var outcomes = Evaluate().Claims.ToDictionary(c => c.Claim, c => c.Outcome);
        Assert.Equal(ClaimOutcome.Fails, outcomes["median near mean"]);   // 38 points apart
        Assert.Equal(ClaimOutcome.Holds, outcomes["mean > median > krum"]);
        Assert.Equal(ClaimOutcome.Holds, outcomes["krum far below"]);      // 48 below
        Assert.Equal(ClaimOutcome.Fails, outcomes["bucketing raises krum"]); // 40 -> 30
        Assert.Equal(ClaimOutcome.Holds, outcomes["gap halves"]);          // gap 48 -> 38, within 0.8x
        Assert.Equal(ClaimOutcome.Fails, outcomes["gm near best"]);        // 30 vs 50
        Assert.Equal(ClaimOutcome.NotRun, outcomes["cge near mean"]);
    }

    [Fact]
    public void Markdown_HasTablesVerdictReasonsClaimsAndFigure()
    {
        FabricateResults();
        var result = Evaluate();
        string markdown = ValidationReport.ToMarkdown([result], "validation", "byzsim validation");
        Assert.Contains("## Toy study", markdown, StringComparison.Ordinal);
        Assert.Contains("| [Toy study](#toy-study) | 7 | 3 of 7 | 1 matches, 2 same ordering, 3 differs, 1 not run |", markdown, StringComparison.Ordinal);
        Assert.Contains("| mean | 88.0 ± 1.4 | 90.0 | - | matches |", markdown, StringComparison.Ordinal);
        Assert.Contains("| krum | 40.0 | 60.0 | 48.0 / 30.0 | differs: toy reason |", markdown, StringComparison.Ordinal);
        Assert.Contains("| cge | not run | 50.0 | - | not run |", markdown, StringComparison.Ordinal);
        Assert.Contains("| median | 50.0 | 70.0 | 38.0 / 20.0 | differs: median note |", markdown, StringComparison.Ordinal);
        Assert.Contains("Seeds: ours 1-2 per cell, paper 3 (fewer than the paper: CPU time)", markdown, StringComparison.Ordinal);
        Assert.Contains("7 runs, 3.5 min", markdown, StringComparison.Ordinal);
        Assert.Contains("| krum far below | holds | ok: krum 48.0 below mean |", markdown, StringComparison.Ordinal);
        Assert.Contains("| bucketing raises krum | **does not hold** |", markdown, StringComparison.Ordinal);
        Assert.Contains("Discussion: Toy discussion.\n\n![Toy](validation/toy.png)", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_ClosingNote_ListsClaimsByOutcome()
    {
        FabricateResults();
        string markdown = ValidationReport.ToMarkdown([Evaluate()], "validation", "byzsim validation");
        Assert.EndsWith("## Closing note: which claims hold\n\n- **Toy study**. holds: mean > median > krum; krum far below; gap halves. "
            + "does not hold: median near mean; bucketing raises krum; gm near best. not run: cge near mean.\n", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Figures_WritesOnePngPerFigure()
    {
        FabricateResults();
        var written = ValidationFigures.Write(Evaluate(), Path.Combine(Folder, "figures"));
        string png = Assert.Single(written);
        Assert.Equal("toy.png", Path.GetFileName(png));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);
    }

    [Fact]
    public void MeanCurve_AveragesSeedsPerRound()
    {
        FabricateResults();
        var curve = ValidationFigures.MeanCurve(Evaluate().Cell("mean"));
        Assert.Equal([0, 10, 20], curve.Select(p => p.Round));
        Assert.Equal([10.0, 87.0, 89.0], curve.Select(p => Math.Round(p.Accuracy, 6)));
    }

    [Fact]
    public void Evaluate_AmbiguousWhere_Throws()
    {
        FabricateResults();
        Run("mean-1-again", 1, "mean", [0.5, 0.5], bucketing: true);
        var study = FabricatedStudy.Load(Folder, "published.json", Published.Replace("\"where\": { \"aggregator.name\": \"mean\", \"pre_aggregators\": \"[]\" }", "\"where\": { \"aggregator.name\": \"mean\" }", StringComparison.Ordinal)).Studies.Single();
        var error = Assert.Throws<InvalidDataException>(() => StudyResult.Evaluate(study, RunRecord.ReadSweep(Path.Combine(Folder, "results", "toy"))));
        Assert.Contains("toy.mean: 'where' selects", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownCellsAndKinds_ReportsEveryProblem()
    {
        string problems = FabricatedStudy.LoadProblems(Folder, "bad.json", Published
            .Replace("\"order\": \"mean > median > krum\"", "\"order\": \"mean > nobody\"", StringComparison.Ordinal)
            .Replace("\"kind\": \"below\"", "\"kind\": \"beneath\"", StringComparison.Ordinal));
        Assert.Contains("toy.checks[1]: unknown cell 'nobody'", problems, StringComparison.Ordinal);
        Assert.Contains("toy.checks[2]: unknown kind 'beneath'", problems, StringComparison.Ordinal);
    }

    private static readonly string Backdoor = StudyHead("bd", "Backdoor toy", "Toy.", publishedSeeds: 0, likelyReason: "toy") + """
            "cells": [
              { "id": "mean-acc", "group": "G", "label": "mean, accuracy", "where": { "aggregator.name": "mean" } },
              { "id": "mean-asr", "group": "G", "label": "mean, ASR", "where": { "aggregator.name": "mean" }, "metric": "attack_success_rate" },
              { "id": "cc-asr", "group": "G", "label": "cc, ASR", "where": { "aggregator.name": "centered-clipping" }, "metric": "attack_success_rate" }
            ],
            "checks": [
              { "kind": "at_least", "claim": "mean backdoored", "cells": ["mean-asr"], "points": 90 },
              { "kind": "at_least", "claim": "cc backdoored", "cells": ["cc-asr"], "points": 90 },
              { "kind": "below", "claim": "cc lowers ASR", "cells": ["cc-asr"], "reference": "mean-asr", "points": 20 },
              { "kind": "at_most", "claim": "cc removes the backdoor", "cells": ["cc-asr"], "points": 20 },
              { "kind": "at_most", "claim": "mean removes the backdoor", "cells": ["mean-asr"], "points": 20 }
            ],
            "figures": [{ "file": "bd.png", "title": "Backdoor", "cells": ["mean-acc", "mean-asr"], "dashed": [], "dashed_label": "" }]
          }]
        }
        """;

    /// <summary>Writes a backdoor run whose last two evaluations have these accuracies and attack success rates (null: no ASR column).</summary>
    private void BackdoorRun(string id, string aggregator, double[] accuracy, double[]? success)
    {
        string header = "round,train_loss,test_accuracy,test_loss,aggregated" + (success is null ? "" : ",attack_success_rate");
        var rows = accuracy.Select((a, i) => string.Create(CultureInfo.InvariantCulture, $"{10 * (i + 1)},1.0,{a},1.0,9")
            + (success is null ? "" : "," + success[i].ToString(CultureInfo.InvariantCulture)));
        FabricatedStudy.WriteRun(Path.Combine(Folder, "results", "bd", id), $"seed: 1\naggregator:\n  name: {aggregator}\n", header, rows, 30.0);
    }

    private StudyResult EvaluateBackdoor(string? published = null) => EvaluateStudy("bd.json", published ?? Backdoor, "bd");

    [Fact]
    public void Evaluate_SuccessRateCells_ReadTheAsrColumnAndAtLeastChecksTheLevel()
    {
        BackdoorRun("mean", "mean", [0.80, 0.82], [0.95, 0.97]);
        BackdoorRun("cc", "centered-clipping", [0.78, 0.80], [0.10, 0.20]);
        var result = EvaluateBackdoor();
        Assert.Equal(81.0, result.Cell("mean-acc").Mean, 6);
        Assert.Equal(96.0, result.Cell("mean-asr").Mean, 6);
        Assert.Equal(15.0, result.Cell("cc-asr").Mean, 6);
        var outcomes = result.Claims.ToDictionary(c => c.Claim, c => c.Outcome);
        Assert.Equal(ClaimOutcome.Holds, outcomes["mean backdoored"]);   // 96 >= 90
        Assert.Equal(ClaimOutcome.Fails, outcomes["cc backdoored"]);     // 15 < 90
        Assert.Equal(ClaimOutcome.Holds, outcomes["cc lowers ASR"]);     // 81 points below
        Assert.Equal(ClaimOutcome.Holds, outcomes["cc removes the backdoor"]);   // 15 <= 20
        Assert.Equal(ClaimOutcome.Fails, outcomes["mean removes the backdoor"]); // 96 > 20
        Assert.Equal("ok: cc-asr 15.0 (at most 20.0)", result.Claims[3].Details.Single());
        Assert.Equal("ok: mean-asr 96.0 (at least 90.0)", result.Claims[0].Details.Single());
        Assert.Equal([95.0, 97.0], ValidationFigures.MeanCurve(result.Cell("mean-asr")).Select(p => Math.Round(p.Accuracy, 6)));
    }

    [Fact]
    public void Evaluate_SuccessRateCellOnARunWithoutIt_ThrowsNamingTheRun()
    {
        BackdoorRun("mean", "mean", [0.80, 0.82], [0.95, 0.97]);
        BackdoorRun("cc", "centered-clipping", [0.78, 0.80], null);
        var error = Assert.Throws<InvalidDataException>(() => EvaluateBackdoor());
        Assert.Contains("bd.cc-asr: reads attack_success_rate, which run cc did not record", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownMetric_IsAProblem() => FabricatedStudy.AssertEditRejected(
        Folder, Backdoor, "\"metric\": \"attack_success_rate\" }", "\"metric\": \"asr\" }", "bd.mean-asr: unknown metric 'asr'; known: test_accuracy, attack_success_rate");

    [Theory]
    [InlineData(-0.04, "0.0")]
    [InlineData(0.04, "0.0")]
    [InlineData(-0.06, "-0.1")]
    [InlineData(12.345, "12.3")]
    public void Number_OneDecimal_NoNegativeZero(double value, string expected) => Assert.Equal(expected, ClaimCheck.Number(value));

    [Fact]
    public void Matches_Tilde_SelectsRunsWhereTheSettingIsAbsent()
    {
        var full = RunRecord.Flatten("attack:\n  name: fang-trim\n");
        var partial = RunRecord.Flatten("attack:\n  name: fang-trim\n  knowledge: partial\n");
        var absent = new Dictionary<string, string> { ["attack.name"] = "fang-trim", ["attack.knowledge"] = RunRecord.Absent };
        var named = new Dictionary<string, string> { ["attack.name"] = "fang-trim", ["attack.knowledge"] = "partial" };
        Assert.True(RunRecord.Matches(full, absent));
        Assert.False(RunRecord.Matches(partial, absent));
        Assert.False(RunRecord.Matches(full, named));
        Assert.True(RunRecord.Matches(partial, named));
    }

    [Fact]
    public void Flatten_NestedMappingsSequencesAndEmptyLists()
    {
        var flat = RunRecord.Flatten("seed: 3\npre_aggregators: []\naggregator:\n  name: krum\nmodel:\n  hidden: [128, 64]\n");
        Assert.Equal(ImmutableDictionary.CreateRange(new Dictionary<string, string>
        {
            ["seed"] = "3", ["pre_aggregators"] = "[]", ["aggregator.name"] = "krum", ["model.hidden.0"] = "128", ["model.hidden.1"] = "64",
        }), flat);
    }
}
