using System.Collections.Immutable;
using System.Globalization;
using ByzantineSim.Experiments.Results;

namespace ByzantineSim.Experiments.Reports;

/// <summary>
/// The report's part on targeted and backdoor attacks: which attacks of the sweep are targeted
/// (their runs' metrics.csv has an attack success rate), the success rate against rounds, and
/// clean accuracy next to the success rate per rule with each rule's worst (highest) success
/// rate. A sweep without targeted attacks gets nothing, so its report is unchanged.
/// </summary>
public static class AttackSuccessReport
{
    /// <summary>The metrics column read (see <see cref="ResultsStore.AttackSuccessColumn"/>).</summary>
    public const string Column = ResultsStore.AttackSuccessColumn;

    /// <summary>The attacks whose runs measured a success rate, in the analysis' order.</summary>
    public static ImmutableArray<string> TargetedAttacks(SweepAnalysis analysis) =>
        [.. analysis.Attacks.Where(attack => analysis.Results.Runs.Any(r => analysis.Attack(r) == attack && Measured(r)))];

    /// <summary>The final success rate of each run of a cell, mean ± std over seeds.</summary>
    public static Stat Final(SweepAnalysis analysis, string setting, string attack, string rule) =>
        Stat.Of(analysis.Cell(setting, attack, rule).Where(Measured).Select(r => r.Metrics[^1].Number(Column)));

    /// <summary>Writes the section when the sweep has targeted attacks.</summary>
    public static void Section(HtmlPage page, SweepAnalysis analysis)
    {
        var targeted = TargetedAttacks(analysis);
        if (targeted.IsEmpty)
        {
            return;
        }

        page.Section("attack-success", "Targeted attacks: attack success rate");
        page.Callout(
            $"Targeted runs: {string.Join(", ", targeted)}. Their attack success rate (ASR) is the share of poisoned test samples (trigger stamped, or of a source class; " +
            "true label not the target) that the model classifies as the attacker's label. Unlike accuracy, lower is better for the defence.");
        SettingSections.ForEach(page, analysis, (setting, slug, suffix) =>
        {
            var panels = targeted
                .Select(attack => new LinePanel(attack, [.. analysis.Rules
                    .Select((rule, index) => new LineSeries(rule, index, analysis.MetricCurve(setting, attack, rule, Column)))
                    .Where(s => !s.Curve.Rounds.IsEmpty)]))
                .Where(p => !p.Series.IsEmpty)
                .ToImmutableArray();
            page.Figure(new LineFigure($"asr{slug}", $"Attack success rate{suffix}", "attack success rate (%)", LineScale.Percent, panels),
                $"Attack success rate against rounds, one panel per targeted attack{suffix}.");

            var rows = analysis.Rules.Select(rule =>
            {
                var cells = new List<HtmlCell> { rule };
                (double Rate, string? Attack) worst = (double.NaN, null);
                foreach (string attack in targeted)
                {
                    var accuracy = analysis.Final(setting, attack, rule);
                    var rate = Final(analysis, setting, attack, rule);
                    cells.Add(accuracy.Count == 0 ? new HtmlCell("no runs", "muted") : new HtmlCell(accuracy.Percent()));
                    cells.Add(rate.Count == 0 ? new HtmlCell("–", "muted") : new HtmlCell(rate.Percent()));
                    if (rate.Count > 0 && !(rate.Mean <= worst.Rate))
                    {
                        worst = (rate.Mean, attack);
                    }
                }

                cells.Add(worst.Attack is null ? new HtmlCell("–", "muted") : new HtmlCell((100 * worst.Rate).ToString("F1", CultureInfo.InvariantCulture), "worst", worst.Attack));
                return cells;
            });
            page.Table(["rule", .. targeted.SelectMany(a => new[] { $"{a}: accuracy", $"{a}: ASR" }), "worst ASR"], rows, setting.Length == 0 ? null : setting);
        });
    }

    private static bool Measured(RunRecord run) => !run.Metrics.IsEmpty && run.Metrics[0].Header.Contains(Column);
}
