using System.Collections.Immutable;
using System.Globalization;
using ByzantineSim.Experiments.Results;

namespace ByzantineSim.Experiments.Reports;

/// <summary>What a report wrote.</summary>
/// <param name="Html">Path of the HTML file.</param>
/// <param name="Figures">Interactive figures in the page.</param>
/// <param name="StaticFiles">PNG and SVG files written under <c>figures/</c>.</param>
/// <param name="Complete">Runs with results.</param>
/// <param name="Total">Runs in the sweep.</param>
/// <param name="Degenerate">Complete runs in which every aggregation failed.</param>
public sealed record ReportOutput(string Html, int Figures, ImmutableArray<string> StaticFiles, int Complete, int Total, int Degenerate = 0);

/// <summary>
/// The report of one sweep: <c>report.html</c> in the results folder, reading like a notebook
/// (specification, learning curves, worst case over attacks, accuracy table, cost, participation
/// and faults, robustness), and every figure as PNG and SVG under <c>figures/</c>.
/// Works on partial results and says what is missing.
/// </summary>
public static class SweepReport
{
    /// <summary>The report's file name inside the results folder.</summary>
    public const string FileName = "report.html";

    /// <summary>The folder of static figures inside the results folder.</summary>
    public const string FiguresFolder = "figures";

    /// <summary>Writes the report of <paramref name="folder"/>.</summary>
    public static ReportOutput Write(string folder, FigureSize size)
    {
        var results = SweepResults.Load(folder);
        var analysis = new SweepAnalysis(results);
        var page = Build(analysis);
        string html = Path.Combine(folder, FileName);
        string figures = Path.Combine(folder, FiguresFolder);
        AtomicFile.CleanStale(figures);
        var files = StaticFigures.Write(page.Figures, figures, size);
        // Figures of a sweep that has since changed must not linger beside the new ones; removed
        // only now, so that a failure or a kill while drawing leaves the old set whole.
        foreach (string stale in Directory.EnumerateFiles(figures)
            .Where(f => f.EndsWith(".png", StringComparison.Ordinal) || f.EndsWith(".svg", StringComparison.Ordinal))
            .Except(files, StringComparer.Ordinal))
        {
            File.Delete(stale);
        }

        page.Section("files", "Figures for papers");
        page.Paragraph(files.IsEmpty
            ? "No figure yet: no run has completed."
            : string.Create(CultureInfo.InvariantCulture,
                $"Every figure above is also written as PNG ({size.Width} x {size.Height} pixels) and SVG under {FiguresFolder}/, in the same colour-blind-safe palette (Okabe-Ito); learning-curve figures give one file per panel."));
        page.Links(files.Select(f => ($"{FiguresFolder}/{Path.GetFileName(f)}", Path.GetFileName(f))));
        AtomicFile.Default.Write(html, page.Render());
        return new ReportOutput(html, page.Figures.Count, files, results.Runs.Length, results.Total, results.Runs.Count(r => r.State.Degenerate));
    }

    /// <summary>The page of a sweep (without the file list, which depends on where figures go).</summary>
    public static HtmlPage Build(SweepAnalysis analysis)
    {
        var results = analysis.Results;
        var page = new HtmlPage($"Sweep report: {results.Name}", $"{results.Runs.Length} of {results.Total} runs complete · results folder {results.Folder}");
        Overview(page, analysis);
        Specification(page, analysis);
        if (!results.Runs.IsEmpty)
        {
            Curves(page, analysis);
            WorstCase(page, analysis);
            AccuracyTable(page, analysis);
            AttackSuccessReport.Section(page, analysis);
            Cost(page, analysis);
            Participation(page, analysis);
            DetectionReport.Section(page, analysis);
            TopologyReport.Section(page, analysis);
        }

        RunHealth.Section(page, results);
        Robustness(page, results);
        if (!results.Missing.IsEmpty)
        {
            MissingRuns(page, analysis);
        }

        return page;
    }

    private static void Overview(HtmlPage page, SweepAnalysis analysis)
    {
        var results = analysis.Results;
        page.Section("overview", "Overview");
        var axes = results.Axes.Select(a => $"{a} ({analysis.Values(a).Length} values)");
        page.Paragraph($"Sweep '{results.Name}' has {Count(results.Total, "run")} over the axes {string.Join(", ", axes)}.");
        if (results.Missing.IsEmpty)
        {
            page.Callout("All runs are complete.");
        }
        else
        {
            int incomplete = results.Missing.Count(m => m.Status.StartsWith("incomplete", StringComparison.Ordinal));
            page.Callout(
                $"Partial results: {results.Runs.Length} of {results.Total} runs are complete; {incomplete} started but did not finish (interrupted, still running, or failed: the last section says which) and {results.Missing.Length - incomplete} have not started. " +
                "Figures and tables use the complete runs only; the last section lists what is missing. Run the same sweep again to resume, then regenerate this report.",
                "warning");
        }

        RunHealth.Callout(page, results);
        SparseInputs.Callout(page, results);
        if (results.Runs.IsEmpty)
        {
            page.Paragraph("No run has completed yet, so there is nothing to plot.");
            return;
        }

        var first = results.Runs[0];
        string varies = analysis.SettingAxes.Contains(SweepAnalysis.ByzantineAxis) ? " in the first run; f is a sweep axis" : "";
        page.Paragraph(string.Create(CultureInfo.InvariantCulture,
            $"Each run trains for {first.Rounds} rounds with n = {first.Clients} clients, of which f = {first.Byzantine} are Byzantine ({100.0 * first.Byzantine / first.Clients:F0}%){varies}. Accuracies are test accuracies in percent, mean ± standard deviation over seeds."));
        page.Heading("Key findings");
        page.Bullets(analysis.Settings.SelectMany(setting => Findings(analysis, setting)));
    }

    private static IEnumerable<string> Findings(SweepAnalysis analysis, string setting)
    {
        string where = setting.Length == 0 ? "" : $"With {setting}: ";
        var worst = analysis.Rules.Select(rule => (Rule: rule, Worst: analysis.Worst(setting, rule))).Where(w => w.Worst.Attack is not null).ToList();
        if (worst.Count == 0)
        {
            yield return $"{where}no complete runs yet.";
            yield break;
        }

        if (analysis.VariesRule && analysis.VariesAttack)
        {
            var best = worst.MaxBy(w => w.Worst.Accuracy);
            var poorest = worst.MinBy(w => w.Worst.Accuracy);
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{where}the most robust rule is {best.Rule}: its worst case over the attacks is {100 * best.Worst.Accuracy:F1}% (against {best.Worst.Attack}); the least robust is {poorest.Rule} at {100 * poorest.Worst.Accuracy:F1}% (against {poorest.Worst.Attack}).");
        }

        if (analysis.VariesAttack)
        {
            var damage = analysis.Attacks
                .Select(a => (Attack: a, Mean: Stat.Of(analysis.Rules.Select(r => analysis.Final(setting, a, r).Mean)).Mean))
                .Where(a => double.IsFinite(a.Mean))
                .ToList();
            if (damage.Count > 1)
            {
                var hardest = damage.MinBy(a => a.Mean);
                var mildest = damage.MaxBy(a => a.Mean);
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"{where}the most damaging attack on average over the rules is {hardest.Attack} ({100 * hardest.Mean:F1}% mean final accuracy), the mildest {mildest.Attack} ({100 * mildest.Mean:F1}%).");
            }
        }
        else if (analysis.VariesRule)
        {
            var ranked = analysis.Rules.Select(r => (Rule: r, analysis.Final(setting, analysis.Attacks[0], r).Mean)).Where(r => double.IsFinite(r.Mean)).ToList();
            if (ranked.Count > 0)
            {
                var top = ranked.MaxBy(r => r.Mean);
                yield return string.Create(CultureInfo.InvariantCulture, $"{where}the best rule is {top.Rule} at {100 * top.Mean:F1}% final accuracy.");
            }
        }
    }

    private static void Specification(HtmlPage page, SweepAnalysis analysis)
    {
        var results = analysis.Results;
        page.Section("specification", "Specification");
        if (results.SpecText is not null)
        {
            page.Paragraph($"The sweep as written ({SweepResults.SpecFile}, copied into the results folder when the sweep ran). Axes under grid: expand to every combination; every other setting is in base:.");
            page.Code(results.SpecText, SweepResults.SpecFile);
        }
        else
        {
            page.Paragraph($"This results folder holds no {SweepResults.SpecFile} (written by byzsim run since reports exist); the axes come from runs.csv.");
        }

        if (!results.Runs.IsEmpty)
        {
            string spec = Path.Combine(results.Folder, results.Runs[0].Id, ResultsStore.SpecFile);
            page.Paragraph("Every run's fully resolved settings, defaults included, are in <run-id>/spec.yaml; its id hashes them.");
            page.FoldedCode($"Show {results.Runs[0].Id}/spec.yaml", File.ReadAllText(spec));
        }
    }

    private static void Curves(HtmlPage page, SweepAnalysis analysis)
    {
        page.Section("curves", "Learning curves");
        page.Paragraph(
            (analysis.VariesAttack ? "One panel per attack, one curve per aggregation rule" : "One curve per aggregation rule") +
            ": the line is the mean over seeds, the shaded band ±1 standard deviation over seeds (no band with a single seed). Click a legend entry to hide a rule, double-click to isolate it; drag to zoom.");
        RoundCurve[] curves = PeerToPeer(analysis) ? [.. RoundCurves, .. PeerCurves] : RoundCurves;
        bool timed = analysis.HasSimulatedTime;
        SettingSections.ForEach(page, analysis, (setting, slug, suffix) =>
        {
            foreach (var curve in curves)
            {
                page.Figure(
                    CurveFigure(analysis, setting, curve.Column, curve.Slug + slug, curve.Title + suffix, curve.Axis, curve.Scale),
                    string.Format(CultureInfo.InvariantCulture, curve.Caption, suffix));
                if (timed)
                {
                    // Asynchronous runs: a server step is not a unit of time (FedBuff's steps wait for K
                    // arrivals, FedAsync's for one), so the same curve against simulated seconds.
                    page.Figure(
                        CurveFigure(analysis, setting, curve.Column, curve.Slug + "-time" + slug, curve.Title + " against simulated time" + suffix, curve.Axis, curve.Scale, againstTime: true),
                        string.Format(CultureInfo.InvariantCulture, curve.Caption, suffix).Replace("against rounds", "against simulated seconds", StringComparison.Ordinal) +
                        " Each seed's curve holds its last evaluation until the next, up to the time its earliest-ending seed stops.");
                }
            }
        });
    }

    // One curve against rounds per setting: the column, the figure's id slug, title, y axis, scale
    // and caption ({0}: the setting's suffix).
    private sealed record RoundCurve(string Column, string Slug, string Title, string Axis, LineScale Scale, string Caption);

    private static readonly RoundCurve[] RoundCurves =
    [
        new("test_accuracy", "accuracy", "Test accuracy", "test accuracy (%)", LineScale.Percent, "Test accuracy against rounds{0}."),
        new("train_loss", "loss", "Training loss", "training loss (cross-entropy, log scale)", LineScale.Log,
            "Training loss (mean over clients' minibatches) against rounds{0}, on a log scale so that a diverging rule does not flatten the others; the initial model has none."),
    ];

    // Peer-to-peer runs: test_accuracy above is the mean over honest peers; the worst peer and the disagreement show what the mean hides.
    private static readonly RoundCurve[] PeerCurves =
    [
        new("peer_accuracy_min", "worst-peer", "Worst honest peer's test accuracy", "test accuracy (%)", LineScale.Percent,
            "The lowest test accuracy among the honest peers' models against rounds{0} (the curves above are their mean)."),
        new("consensus_distance", "consensus", "Consensus distance", "mean squared distance to the honest mean (log scale)", LineScale.Log,
            "Consensus distance (1/|H|) sum_i |x_i - mean x|^2 over the honest peers against rounds{0}: 0 when they agree; the dissensus attack drives it up."),
    ];

    private static bool PeerToPeer(SweepAnalysis analysis) =>
        analysis.Results.Runs.Any(r => r.Metrics.Any(m => double.IsFinite(m.Number("consensus_distance"))));

    private static LineFigure CurveFigure(SweepAnalysis analysis, string setting, string column, string id, string title, string yLabel, LineScale scale, bool againstTime = false)
    {
        var panels = analysis.Attacks
            .Select(attack => new LinePanel(
                analysis.VariesAttack ? attack : "all runs",
                [.. analysis.Rules
                    .Select((rule, index) => new LineSeries(rule, index, againstTime ? analysis.TimeCurve(setting, attack, rule, column) : analysis.MetricCurve(setting, attack, rule, column)))
                    .Where(s => !s.Curve.Rounds.IsEmpty)]))
            .Where(p => !p.Series.IsEmpty)
            .ToImmutableArray();
        return new LineFigure(id, title, yLabel, scale, panels) { XLabel = againstTime ? "simulated seconds" : "round" };
    }

    private static void WorstCase(HtmlPage page, SweepAnalysis analysis)
    {
        page.Section("worst-case", "Worst case over attacks");
        page.Paragraph(
            "A rule is only as good as its worst attack: each cell is the lowest mean final accuracy of the rule over the attacks of the sweep" +
            (analysis.VariesAttack ? $" ({string.Join(", ", analysis.Attacks)})" : " (the sweep has a single attack, so this is simply its accuracy)") +
            ". ★ marks the best rule of each column. A diverged run counts as 0%.");
        var first = analysis.Results.Runs[0];
        bool any = false;
        if (analysis.SettingAxes.Contains(SweepAnalysis.ByzantineAxis))
        {
            any = true;
            Heatmaps(page, analysis, [SweepAnalysis.ByzantineAxis], "number of Byzantine clients f", "worst-f");
        }
        else
        {
            page.Paragraph(string.Create(CultureInfo.InvariantCulture,
                $"The sweep does not vary the number of Byzantine clients (every run has f = {first.Byzantine} of n = {first.Clients}), so there is no aggregator x f heatmap."));
        }

        if (!analysis.HeterogeneityAxes.IsEmpty)
        {
            any = true;
            Heatmaps(page, analysis, analysis.HeterogeneityAxes, "data heterogeneity (" + string.Join(", ", analysis.HeterogeneityAxes) + ")", "worst-heterogeneity");
        }
        else
        {
            page.Paragraph("The sweep does not vary data heterogeneity (no partition axis), so there is no aggregator x heterogeneity heatmap.");
        }

        if (!any)
        {
            page.Paragraph("The worst case of each rule in each setting is still given in the last column of the accuracy table below.");
        }
    }

    private static void Heatmaps(HtmlPage page, SweepAnalysis analysis, ImmutableArray<string> columnAxes, string xLabel, string id)
    {
        string Column(RunRecord run) => string.Join(", ", columnAxes.Select(run.Label));
        var otherAxes = analysis.SettingAxes.Where(a => !columnAxes.Contains(a)).ToList();
        string Group(RunRecord run) => string.Join(", ", otherAxes.Select(a => $"{a}={run.Label(a)}"));
        var runs = analysis.Results.Runs;
        var groups = runs.Select(Group).Distinct().ToList();
        foreach (string group in groups)
        {
            var members = runs.Where(r => Group(r) == group).ToList();
            var columns = members.Select(Column).Distinct().ToImmutableArray();
            var rows = analysis.Rules.Where(rule => members.Any(r => analysis.Rule(r) == rule)).ToImmutableArray();
            var values = rows.Select(rule => columns.Select(column =>
            {
                // Each column value is one setting (together with the group's fixed axes).
                var setting = members.FirstOrDefault(r => Column(r) == column && analysis.Rule(r) == rule);
                return setting is null ? double.NaN : analysis.Worst(analysis.Setting(setting), rule).Accuracy;
            }).ToImmutableArray()).ToImmutableArray();
            string suffix = group.Length == 0 ? "" : $" ({group})";
            string figureId = groups.Count > 1 ? $"{id}-{StaticFigures.Slug(group)}" : id;
            var figure = new HeatmapFigure(figureId, $"Worst-case accuracy: aggregator x {xLabel}{suffix}", xLabel, columns, rows, values);
            page.Figure(figure, $"Worst-case final test accuracy (%) over attacks, per rule and {xLabel}{suffix}; ★ best rule per column.");
            var bestPerColumn = columns.Select((c, i) => figure.BestRow(i) is int b and >= 0 ? $"{c}: {rows[b]}" : $"{c}: none").ToList();
            page.Paragraph($"Best rule per column: {string.Join("; ", bestPerColumn)}.");
        }
    }

    private static void AccuracyTable(HtmlPage page, SweepAnalysis analysis)
    {
        page.Section("accuracy", "Final and best accuracy");
        page.Paragraph(
            "Final test accuracy (after the last round) and, below it, best test accuracy over the run's evaluations, in percent, mean ± standard deviation over seeds. " +
            "Orange: the rule's worst attack; blue: the best worst case of the table.");
        var targeted = AttackSuccessReport.TargetedAttacks(analysis);
        foreach (string setting in analysis.Settings)
        {
            var worst = analysis.Rules.ToDictionary(r => r, r => analysis.Worst(setting, r));
            double bestWorst = worst.Values.Where(w => w.Attack is not null).Select(w => w.Accuracy).DefaultIfEmpty(double.NaN).Max();
            var rows = analysis.Rules.Select(rule =>
            {
                var cells = new List<HtmlCell> { rule };
                foreach (string attack in analysis.Attacks)
                {
                    var final = analysis.Final(setting, attack, rule);
                    var best = analysis.Best(setting, attack, rule);
                    int runs = analysis.Cell(setting, attack, rule).Length;
                    string text = runs == 0 ? "no runs" : final.Count == 0 ? "diverged" : final.Percent();
                    bool isWorst = analysis.VariesAttack && worst[rule].Attack == attack;
                    string? note = runs == 0 || best.Count == 0 ? null : $"best {best.Percent()}";
                    note = targeted.Contains(attack) && AttackSuccessReport.Final(analysis, setting, attack, rule) is { Count: > 0 } rate ? $"{note}; ASR {rate.Percent()}" : note;
                    cells.Add(new HtmlCell(text, isWorst ? "worst" : runs == 0 ? "muted" : null, note));
                }

                if (analysis.VariesAttack)
                {
                    var (accuracy, attack) = worst[rule];
                    cells.Add(attack is null
                        ? new HtmlCell("–", "muted")
                        : new HtmlCell((100 * accuracy).ToString("F1", CultureInfo.InvariantCulture), accuracy == bestWorst ? "best" : null, attack));
                }

                return cells;
            });
            string[] header = analysis.VariesAttack
                ? ["rule", .. analysis.Attacks.Select(a => targeted.Contains(a) ? $"{a} (targeted)" : a), "worst case"]
                : ["rule", targeted.IsEmpty ? "accuracy" : "accuracy (targeted)"];
            page.Table(header, rows, setting.Length == 0 ? null : setting);
        }
    }

    private static void Cost(HtmlPage page, SweepAnalysis analysis)
    {
        page.Section("cost", "Cost");
        page.Paragraph(
            "Time per round by kind of work, in milliseconds, averaged over each rule's runs (from each run's summary.json; timings.csv has it per round). " +
            "Training and attack time are summed over the trainer threads that ran clients in parallel, so the stack can exceed the wall-clock time per round, " +
            "and runs of a sweep share the machine, so compare rules rather than absolute numbers.");
        var rules = analysis.Rules.Where(rule => analysis.Results.Runs.Any(r => analysis.Rule(r) == rule)).ToImmutableArray();
        double PerRound(string rule, Func<RunTimes, double> part) =>
            Stat.Of(analysis.Results.Runs.Where(r => analysis.Rule(r) == rule).Select(r => 1000 * part(r.Times) / Math.Max(1, r.Rounds))).Mean;
        (string Name, Func<RunTimes, double> Part)[] parts =
        [
            ("training (honest clients)", t => t.Compute),
            ("attack", t => t.Attack),
            ("aggregation", t => t.Aggregation),
            ("evaluation", t => t.Evaluation),
        ];
        var figure = new BarFigure(
            "cost",
            "Time per round by kind of work",
            "milliseconds per round",
            rules,
            [.. parts.Select(p => new BarSeries(p.Name, [.. rules.Select(rule => PerRound(rule, p.Part))]))],
            Stacked: true);
        page.Figure(figure, "Mean time per round, split into honest training, attack, aggregation (with the server step) and evaluation; milliseconds.");
        var fastest = rules.MinBy(rule => PerRound(rule, t => t.Aggregation));
        var slowest = rules.MaxBy(rule => PerRound(rule, t => t.Aggregation));
        if (fastest is not null && slowest is not null && rules.Length > 1)
        {
            page.Paragraph(string.Create(CultureInfo.InvariantCulture,
                $"Aggregation is cheapest with {fastest} ({PerRound(fastest, t => t.Aggregation):F3} ms per round) and dearest with {slowest} ({PerRound(slowest, t => t.Aggregation):F3} ms)."));
        }

        page.Table(
            ["rule", "training (ms)", "attack (ms)", "aggregation (ms)", "evaluation (ms)", "wall clock (ms)", "runs"],
            rules.Select(rule => new List<HtmlCell>
                {
                    rule,
                }
                .Concat(parts.Select(p => (HtmlCell)PerRound(rule, p.Part).ToString("F3", CultureInfo.InvariantCulture)))
                .Append(PerRound(rule, t => t.Seconds).ToString("F2", CultureInfo.InvariantCulture))
                .Append(analysis.Results.Runs.Count(r => analysis.Rule(r) == rule).ToString(CultureInfo.InvariantCulture))));
    }

    private static void Participation(HtmlPage page, SweepAnalysis analysis)
    {
        page.Section("participation", "Participation and faults");
        var runs = analysis.Results.Runs;
        static double Sum(RunRecord run, string column) => run.RoundRows.Sum(r => r.Number(column) is var v && double.IsFinite(v) ? v : 0);
        bool partial = runs.Any(r => r.RoundRows.Any(row => row.Number("sampled") < r.Clients));
        bool troubled = runs.Any(r => Sum(r, "rejected") + Sum(r, "missing") + Sum(r, "aggregation_failed") > 0);
        if (!partial && !troubled)
        {
            page.Paragraph(string.Create(CultureInfo.InvariantCulture,
                $"Nothing to report: in every round of every run all {runs[0].Clients} clients took part, every update arrived and was accepted, and no aggregation failed (rounds.csv)."));
            return;
        }

        page.Paragraph(
            "Per round, mean over rounds and seeds: clients sampled, updates aggregated, rejected by the server's checks (NaN/Inf, wrong length, duplicates, stale), " +
            "and missing (crashed, lost or late stragglers of the simulated faults, or silent Byzantine clients); and rounds whose aggregation failed (rounds.csv).");
        var keys = analysis.Settings
            .SelectMany(s => analysis.Attacks.SelectMany(a => analysis.Rules.Select(r => (Setting: s, Attack: a, Rule: r))))
            .Where(k => !analysis.Cell(k.Setting, k.Attack, k.Rule).IsEmpty)
            .ToList();
        double PerRound(ImmutableArray<RunRecord> cell, string column) => Stat.Of(cell.Select(r => Sum(r, column) / Math.Max(1, r.RoundRows.Length))).Mean;
        string Name((string Setting, string Attack, string Rule) k) =>
            string.Join(" · ", new[] { analysis.VariesRule ? k.Rule : null, analysis.VariesAttack ? k.Attack : null, analysis.Settings.Length > 1 ? k.Setting : null }.OfType<string>().DefaultIfEmpty("all runs"));
        string[] columns = ["aggregated", "rejected", "missing"];
        var figure = new BarFigure(
            "participation",
            "Updates per round by outcome",
            "updates per round",
            [.. keys.Select(Name)],
            [.. columns.Select(c => new BarSeries(c, [.. keys.Select(k => PerRound(analysis.Cell(k.Setting, k.Attack, k.Rule), c))]))],
            Stacked: true);
        page.Figure(figure, "Mean updates per round that were aggregated, rejected or missing, per rule and attack.");
        page.Table(
            ["rule · attack · setting", "sampled", "aggregated", "rejected", "missing", "of which crashed", "lost", "straggled", "failed aggregations"],
            keys.Select(k =>
            {
                var cell = analysis.Cell(k.Setting, k.Attack, k.Rule);
                return new List<HtmlCell> { Name(k) }
                    .Concat(new[] { "sampled", "aggregated", "rejected", "missing", "crashed", "lost", "straggled" }
                        .Select(c => (HtmlCell)PerRound(cell, c).ToString("F2", CultureInfo.InvariantCulture)))
                    .Append(Stat.Of(cell.Select(r => Sum(r, "aggregation_failed"))).Mean.ToString("F1", CultureInfo.InvariantCulture));
            }));

        // clients.csv: who the missing and rejected updates came from.
        double Total(string column, string byzantine) => runs
            .SelectMany(r => r.ClientRows.Where(row => row.Text("byzantine") == byzantine))
            .Sum(row => double.IsFinite(row.Number(column)) ? row.Number(column) : 0);
        var outcomeColumns = runs.SelectMany(r => r.ClientRows.Take(1)).FirstOrDefault()?.Header
            .Where(c => c is not ("client" or "byzantine" or "role" or "byzantine_rounds" or "samples" or "class_histogram"))
            .Where(c => Total(c, "0") + Total(c, "1") > 0)
            .ToList() ?? [];
        if (outcomeColumns.Count > 0)
        {
            page.Paragraph("Reply outcomes summed over every client, round and run (clients.csv), honest and Byzantine clients apart; outcomes that never occurred are left out:");
            page.Table(
                ["clients", .. outcomeColumns],
                new[] { ("honest", "0"), ("Byzantine", "1") }.Select(kind => new List<HtmlCell> { kind.Item1 }
                    .Concat(outcomeColumns.Select(c => (HtmlCell)Total(c, kind.Item2).ToString("F0", CultureInfo.InvariantCulture)))));
        }
    }

    private static void Robustness(HtmlPage page, SweepResults results)
    {
        if (results.RobustnessMarkdown is null)
        {
            return;
        }

        page.Section("robustness", "Robustness (empirical kappa)");
        page.Paragraph($"From {SweepResults.RobustnessFile} in the results folder (written by byzsim robustness --markdown): the empirical (f, kappa)-robustness coefficient of each rule.");
        foreach (var block in MarkdownTables.Parse(results.RobustnessMarkdown))
        {
            if (block.Header.IsEmpty)
            {
                page.Paragraph(block.Text);
            }
            else
            {
                page.Table(block.Header, block.Rows.Select(r => r.Select(c => (HtmlCell)c)));
            }
        }
    }

    private static void MissingRuns(HtmlPage page, SweepAnalysis analysis)
    {
        var missing = analysis.Results.Missing;
        page.Section("missing", "Missing runs");
        page.Paragraph($"{Count(missing.Length, "run")} of the sweep have no results yet. Resume with byzsim run on the same spec; completed runs are skipped.");
        page.Table(
            ["run id", "status", .. analysis.Results.Axes],
            missing.Select(m => new List<HtmlCell> { m.Id, new(m.Status, m.Status.StartsWith("incomplete", StringComparison.Ordinal) ? "worst" : "muted") }
                .Concat(analysis.Results.Axes.Select(a => (HtmlCell)m.Labels.GetValueOrDefault(a, "-")))));
    }

    private static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
