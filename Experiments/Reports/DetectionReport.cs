using System.Collections.Immutable;
using System.Globalization;

namespace ByzantineSim.Experiments.Reports;

/// <summary>
/// The report's section on detecting rules (FLTrust, FoolsGold, MUD-HoG): from the detection
/// columns of rounds.csv, the precision TP / (TP + FP) and recall TP / (TP + FN) of the clients
/// each rule flagged as malicious, against the run's Byzantine ids, over rounds and overall.
/// Runs of rules that do not detect leave those columns empty and are not shown.
/// </summary>
internal static class DetectionReport
{
    /// <summary>The section, when some run of the sweep detected.</summary>
    public static void Section(HtmlPage page, SweepAnalysis analysis)
    {
        var rules = analysis.Rules
            .Where(rule => analysis.Results.Runs.Any(r => analysis.Rule(r) == rule && Detects(r)))
            .ToImmutableArray();
        if (rules.IsEmpty)
        {
            return;
        }

        page.Section("detection", "Detection");
        page.Paragraph(
            "For rules that flag clients: each round, the clients flagged as malicious are compared with the Byzantine clients (known only to the simulator). " +
            "Precision is the share of flagged clients that are Byzantine (undefined in a round that flags nobody), recall the share of the Byzantine updates the rule saw that it flagged " +
            "(undefined without Byzantine clients). The curves show them per round, mean ± standard deviation over seeds; the table pools every round of every seed. " +
            "Unreliable: clients flagged as benign but unreliable (MUD-HoG), mean per round. rounds.csv has the flagged ids per round.");
        SettingSections.ForEach(page, analysis, (setting, slug, suffix) =>
        {
            page.Figure(Figure(analysis, setting, rules, Precision, $"detection-precision{slug}", $"Detection precision{suffix}", "precision (%)"),
                $"Precision of the malicious flags against rounds{suffix}.");
            page.Figure(Figure(analysis, setting, rules, Recall, $"detection-recall{slug}", $"Detection recall{suffix}", "recall (%)"),
                $"Recall of the malicious flags against rounds{suffix}.");
            page.Table(
                ["rule", "attack", "precision (%)", "recall (%)", "flagged per round", "unreliable per round"],
                from rule in rules
                from attack in analysis.Attacks
                let cell = analysis.Cell(setting, attack, rule).Where(Detects).ToList()
                where cell.Count > 0
                select Row(rule, attack, cell),
                setting.Length == 0 ? null : setting);
        });
    }

    private static IEnumerable<HtmlCell> Row(string rule, string attack, List<RunRecord> runs)
    {
        var rows = runs.SelectMany(r => r.RoundRows).Where(row => double.IsFinite(row.Number("true_positives"))).ToList();
        double tp = rows.Sum(r => r.Number("true_positives"));
        double fp = rows.Sum(r => r.Number("false_positives"));
        double fn = rows.Sum(r => r.Number("false_negatives"));
        double unreliable = rows.Sum(r => Ids(r.Text("flagged_unreliable")));
        return [rule, attack, Percent(tp, tp + fp), Percent(tp, tp + fn), Mean(tp + fp, rows.Count), Mean(unreliable, rows.Count)];
    }

    private static LineFigure Figure(SweepAnalysis analysis, string setting, ImmutableArray<string> rules, Func<CsvRow, double> measure, string id, string title, string yLabel)
    {
        var panels = analysis.Attacks
            .Select(attack => new LinePanel(
                analysis.VariesAttack ? attack : "all runs",
                [.. rules
                    .Select((rule, index) => new LineSeries(rule, index, Over(analysis.Cell(setting, attack, rule).Where(Detects), measure)))
                    .Where(s => !s.Curve.Rounds.IsEmpty)]))
            .Where(p => !p.Series.IsEmpty)
            .ToImmutableArray();
        return new LineFigure(id, title, yLabel, LineScale.Percent, panels);
    }

    /// <summary>A per-round measure over the seeds of a cell; rounds where it is undefined in every seed are left out.</summary>
    private static Curve Over(IEnumerable<RunRecord> runs, Func<CsvRow, double> measure)
    {
        var byRound = runs
            .Select(r => r.RoundRows
                .Where(row => double.IsFinite(row.Number("round")))
                .DistinctBy(row => row.Number("round"))
                .ToDictionary(row => row.Number("round") + 1, measure))
            .ToList();
        var rounds = byRound.SelectMany(r => r.Where(p => double.IsFinite(p.Value)).Select(p => p.Key)).Distinct().Order().ToImmutableArray();
        return new Curve(rounds, [.. rounds.Select(round => Stat.Of(byRound.Select(r => r.GetValueOrDefault(round, double.NaN))))]);
    }

    /// <summary>True when the run's rule reported detections (its detection columns are filled).</summary>
    public static bool Detects(RunRecord run) => run.RoundRows.Any(row => double.IsFinite(row.Number("true_positives")));

    /// <summary>TP / (TP + FP) of one round, NaN when nothing was flagged.</summary>
    public static double Precision(CsvRow row) => Ratio(row.Number("true_positives"), row.Number("true_positives") + row.Number("false_positives"));

    /// <summary>TP / (TP + FN) of one round, NaN when the rule saw no Byzantine update.</summary>
    public static double Recall(CsvRow row) => Ratio(row.Number("true_positives"), row.Number("true_positives") + row.Number("false_negatives"));

    private static double Ratio(double part, double whole) => whole > 0 ? part / whole : double.NaN;

    private static int Ids(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    private static string Percent(double part, double whole) =>
        whole > 0 ? (100 * part / whole).ToString("F1", CultureInfo.InvariantCulture) : "–";

    private static string Mean(double total, int rounds) =>
        rounds > 0 ? (total / rounds).ToString("F2", CultureInfo.InvariantCulture) : "–";
}
