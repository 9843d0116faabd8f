using System.Globalization;

namespace ByzantineSim.Experiments.Reports;

/// <summary>
/// The report's account of runs that completed without being sound: degenerate runs (every
/// aggregation failed, so their accuracy is the initial model's) in red, and runs in which some
/// aggregations failed. Their numbers stay in the figures and tables; this says which to distrust.
/// </summary>
internal static class RunHealth
{
    /// <summary>A callout for the overview, when any run is degenerate or had failed aggregations.</summary>
    public static void Callout(HtmlPage page, SweepResults results)
    {
        int degenerate = results.Runs.Count(r => r.State.Degenerate);
        int partial = results.Runs.Count(r => !r.State.Degenerate && r.State.Summary is { FailedAggregations: > 0 });
        if (degenerate > 0)
        {
            page.Callout(
                $"{Count(degenerate, "run is", "runs are")} degenerate: every aggregation failed (too few inputs for the rule), so the model never moved and the accuracy shown is the initial model's. See the section on failed aggregations.",
                "danger");
        }

        int attackFailed = results.Runs.Count(r => r.State.Summary is { AttackFailures: > 0 });
        if (attackFailed > 0)
        {
            page.Callout(
                $"In {Count(attackFailed, "run", "runs")} the attack itself failed (it threw), so its Byzantine clients sent nothing: these runs measure no attack, not a defence that held. See the section on failed aggregations and attacks.",
                "danger");
        }

        int lost = results.Runs.Count(r => r.State.Summary is { LostHonestUpdates: > 0 });
        if (lost > 0)
        {
            page.Callout(
                $"{Count(lost, "run", "runs")} lost honest updates to the machine (a computation that threw, or no reply within the wall-clock server.round_timeout) and went on without them: not reproducible. See the section on failed aggregations and attacks; delete a run's folder to run it again.",
                "danger");
        }

        if (partial > 0)
        {
            page.Callout($"{Count(partial, "run", "runs")} completed with some failed aggregations (the model was kept in those rounds). See the section on failed aggregations.", "warning");
        }
    }

    /// <summary>The section listing those runs, when there are any.</summary>
    public static void Section(HtmlPage page, SweepResults results)
    {
        var unsound = results.Runs.Where(r => r.State.Degenerate || r.State.Detail.Length > 0).ToList();
        if (unsound.Count == 0)
        {
            return;
        }

        page.Section("failed-aggregations", "Failed aggregations and attacks");
        page.Paragraph("An aggregation fails when the rule's condition on its inputs does not hold (for example, fewer updates arrived than the rule needs); the server then keeps the model for that round. rounds.csv marks each failed round in its aggregation_failed column. An attack fails when it throws: its Byzantine clients then send nothing that round, which rounds.csv counts in attack_failed (a chosen silence counts as missing instead). A run is not reproducible when honest updates were lost to the machine (a computation that threw, or no reply within the wall-clock server.round_timeout) rather than to a simulated fault: its status names the first; delete its folder to run it again.");
        page.Table(
            ["run id", "status", "attack failure", "first lost update", .. results.Axes],
            unsound.Select(r => new List<HtmlCell>
                {
                    r.Id,
                    new(r.State.ToString(), r.State.Degenerate || r.State.Summary is { AttackFailures: > 0 } or { LostHonestUpdates: > 0 } ? "danger" : "worst"),
                    r.State.Summary?.AttackFailure ?? "",
                    r.State.Summary?.LostHonestUpdate ?? "",
                }
                .Concat(results.Axes.Select(a => (HtmlCell)r.Label(a)))));
    }

    private static string Count(int count, string one, string many) => string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");
}
