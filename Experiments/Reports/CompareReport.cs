using System.Collections.Immutable;
using System.Globalization;

namespace ByzantineSim.Experiments.Reports;

/// <summary>
/// Two results folders side by side, "before" (A) and "after" (B): their specs, the worst case
/// of each rule, every cell's final accuracy with the change, and the cost per round. Cells are
/// matched by their labels (setting, attack, rule), so the two sweeps need not have the same axes.
/// </summary>
public static class CompareReport
{
    /// <summary>Changes smaller than this (in accuracy, 0.5 points) are not coloured.</summary>
    public const double Threshold = 0.005;

    /// <summary>Writes the comparison of <paramref name="before"/> and <paramref name="after"/> to <paramref name="output"/>.</summary>
    public static ReportOutput Write(string before, string after, string output, FigureSize size)
    {
        var a = new SweepAnalysis(SweepResults.Load(before));
        var b = new SweepAnalysis(SweepResults.Load(after));
        var page = Build(a, b);
        string folder = Path.GetDirectoryName(Path.GetFullPath(output))!;
        Directory.CreateDirectory(folder);
        string figures = Path.Combine(folder, Path.GetFileNameWithoutExtension(output) + "-figures");
        var files = StaticFigures.Write(page.Figures, figures, size);
        page.Section("files", "Figures for papers");
        page.Links(files.Select(f => ($"{Path.GetFileName(figures)}/{Path.GetFileName(f)}", Path.GetFileName(f))));
        Results.AtomicFile.Default.Write(output, page.Render());
        return new ReportOutput(output, page.Figures.Count, files, a.Results.Runs.Length + b.Results.Runs.Length, a.Results.Total + b.Results.Total);
    }

    /// <summary>The comparison page.</summary>
    public static HtmlPage Build(SweepAnalysis before, SweepAnalysis after)
    {
        string nameA = Label(before, after, isBefore: true), nameB = Label(before, after, isBefore: false);
        var page = new HtmlPage($"Comparison: {nameA} → {nameB}", $"before: {before.Results.Folder} · after: {after.Results.Folder}");

        page.Section("overview", "Overview");
        page.Paragraph($"Before (A): {nameA}, {before.Results.Runs.Length} of {before.Results.Total} runs complete. After (B): {nameB}, {after.Results.Runs.Length} of {after.Results.Total} runs complete.");
        if (!before.Results.Missing.IsEmpty || !after.Results.Missing.IsEmpty)
        {
            page.Callout("At least one side is partial: only cells with complete runs on both sides are compared; the others are listed as missing.", "warning");
        }

        var keys = Keys(before).Union(Keys(after)).ToList();
        var both = keys.Where(k => Has(before, k) && Has(after, k)).ToList();
        var deltas = both.Select(k => after.Final(k.Setting, k.Attack, k.Rule).Mean - before.Final(k.Setting, k.Attack, k.Rule).Mean).Where(double.IsFinite).ToList();
        string changes = deltas.Count == 0
            ? "No cell can be compared yet."
            : string.Create(CultureInfo.InvariantCulture,
                $"Final accuracy went up by more than {100 * Threshold:F1} points in {deltas.Count(d => d > Threshold)} cells and down in {deltas.Count(d => d < -Threshold)}; the mean change is {100 * deltas.Average():+0.0;-0.0;0.0} points.");
        page.Paragraph($"{both.Count} rule x attack x setting cells have results on both sides, {keys.Count - both.Count} on one side only. {changes}");

        page.Section("specification", "Specifications");
        page.CodeColumns([
            ($"A: {nameA}", before.Results.SpecText ?? $"(no {SweepResults.SpecFile} in this results folder)"),
            ($"B: {nameB}", after.Results.SpecText ?? $"(no {SweepResults.SpecFile} in this results folder)"),
        ]);

        page.Section("worst-case", "Worst case per rule");
        page.Paragraph("Each rule's lowest mean final accuracy over the attacks, before and after, per setting.");
        var settings = before.Settings.Concat(after.Settings).Distinct().ToList();
        foreach (string setting in settings)
        {
            var rules = before.Rules.Concat(after.Rules).Distinct().ToImmutableArray();
            var worstA = rules.Select(r => before.Worst(setting, r).Accuracy).ToImmutableArray();
            var worstB = rules.Select(r => after.Worst(setting, r).Accuracy).ToImmutableArray();
            string suffix = setting.Length == 0 ? "" : $" ({setting})";
            string id = settings.Count > 1 ? $"compare-worst-{StaticFigures.Slug(setting)}" : "compare-worst";
            page.Figure(
                new BarFigure(id, $"Worst-case accuracy{suffix}", "worst-case test accuracy (%)", rules,
                    [new BarSeries($"A: {nameA}", [.. worstA.Select(v => 100 * v)]), new BarSeries($"B: {nameB}", [.. worstB.Select(v => 100 * v)])],
                    Stacked: false),
                $"Worst-case final accuracy over attacks per rule, before (A) and after (B){suffix}.");
            page.Table(
                ["rule", "A (%)", "B (%)", "change (points)"],
                rules.Select((r, i) => new List<HtmlCell> { r, Percent(worstA[i]), Percent(worstB[i]), Change(worstA[i], worstB[i]) }),
                setting.Length == 0 ? null : setting);
        }

        page.Section("cells", "Final accuracy, cell by cell");
        page.Paragraph("Mean ± std over seeds; the change is B - A in percentage points (green up, orange down).");
        page.Table(
            ["setting · attack · rule", "A (%)", "B (%)", "change (points)"],
            keys.Select(k =>
            {
                var fa = before.Final(k.Setting, k.Attack, k.Rule);
                var fb = after.Final(k.Setting, k.Attack, k.Rule);
                string name = string.Join(" · ", new[] { k.Setting, k.Attack, k.Rule }.Where(s => s.Length > 0));
                return new List<HtmlCell>
                {
                    name,
                    Has(before, k) ? fa.Percent() : new HtmlCell("missing", "muted"),
                    Has(after, k) ? fb.Percent() : new HtmlCell("missing", "muted"),
                    Has(before, k) && Has(after, k) ? Change(fa.Mean, fb.Mean) : new HtmlCell("–", "muted"),
                };
            }));

        page.Section("cost", "Cost");
        page.Paragraph("Wall-clock and aggregation time per round in milliseconds, mean over each rule's runs.");
        var allRules = before.Rules.Concat(after.Rules).Distinct().ToList();
        static double PerRound(SweepAnalysis s, string rule, Func<RunTimes, double> part) =>
            Stat.Of(s.Results.Runs.Where(r => s.Rule(r) == rule).Select(r => 1000 * part(r.Times) / Math.Max(1, r.Rounds))).Mean;
        page.Table(
            ["rule", "A wall (ms)", "B wall (ms)", "A aggregation (ms)", "B aggregation (ms)"],
            allRules.Select(r => new List<HtmlCell>
            {
                r,
                Milliseconds(PerRound(before, r, t => t.Seconds)),
                Milliseconds(PerRound(after, r, t => t.Seconds)),
                Milliseconds(PerRound(before, r, t => t.Aggregation)),
                Milliseconds(PerRound(after, r, t => t.Aggregation)),
            }));
        return page;
    }

    private static string Label(SweepAnalysis before, SweepAnalysis after, bool isBefore)
    {
        // Two folders of the same sweep name (e.g. results-old/default and results/default) need their parents to tell them apart.
        var self = isBefore ? before : after;
        if (before.Results.Name != after.Results.Name)
        {
            return self.Results.Name;
        }

        string parent = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(self.Results.Folder)) ?? "") ?? "";
        return $"{parent}/{self.Results.Name}";
    }

    private static IEnumerable<(string Setting, string Attack, string Rule)> Keys(SweepAnalysis s) =>
        s.Results.Runs.Select(r => (s.Setting(r), s.Attack(r), s.Rule(r))).Distinct();

    private static bool Has(SweepAnalysis s, (string Setting, string Attack, string Rule) k) => !s.Cell(k.Setting, k.Attack, k.Rule).IsEmpty;

    private static HtmlCell Percent(double value) =>
        double.IsFinite(value) ? (100 * value).ToString("F1", CultureInfo.InvariantCulture) : new HtmlCell("–", "muted");

    private static HtmlCell Milliseconds(double value) =>
        double.IsFinite(value) ? value.ToString("F3", CultureInfo.InvariantCulture) : new HtmlCell("–", "muted");

    private static HtmlCell Change(double before, double after)
    {
        if (!double.IsFinite(before) || !double.IsFinite(after))
        {
            return new HtmlCell("–", "muted");
        }

        double delta = after - before;
        return new HtmlCell(
            (100 * delta).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture),
            delta > Threshold ? "better" : delta < -Threshold ? "poorer" : null);
    }
}
