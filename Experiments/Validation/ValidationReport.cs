using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace ByzantineSim.Experiments.Validation;

/// <summary>A cell with its runs: accuracy per seed (percent), mean, sample std.</summary>
/// <param name="Spec">The cell's definition.</param>
/// <param name="Runs">Its completed runs, one per seed.</param>
/// <param name="Values">Accuracy of each run (mean of the study's last evaluations), percent.</param>
public sealed record CellResult(CellSpec Spec, ImmutableArray<RunRecord> Runs, ImmutableArray<double> Values)
{
    /// <summary>Mean over seeds (NaN without runs).</summary>
    public double Mean => Values.IsEmpty ? double.NaN : Values.Average();

    /// <summary>Sample standard deviation over seeds (NaN with fewer than two).</summary>
    public double Std => Values.Length < 2 ? double.NaN : Math.Sqrt(Values.Sum(v => (v - Mean) * (v - Mean)) / (Values.Length - 1));
}

/// <summary>A study evaluated on a results folder.</summary>
/// <param name="Study">The study.</param>
/// <param name="Cells">Its cells with their runs, in the study's order.</param>
/// <param name="Claims">Its claims, checked.</param>
/// <param name="RunCount">Completed runs of the study's sweep.</param>
/// <param name="Seconds">Their summed wall-clock seconds.</param>
public sealed record StudyResult(
    Study Study,
    ImmutableArray<CellResult> Cells,
    ImmutableArray<ClaimResult> Claims,
    int RunCount,
    double Seconds)
{
    /// <summary>The cell with this id.</summary>
    public CellResult Cell(string id) => Cells.First(c => c.Spec.Id == id);

    /// <summary>A cell's gap to its reference cell in points (reference minus cell; NaN without a reference).</summary>
    public double Gap(string id)
    {
        var cell = Cell(id);
        return cell.Spec.Reference is { } reference ? Cell(reference).Mean - cell.Mean : double.NaN;
    }

    /// <summary>
    /// The verdict of a cell against its published number: "matches" within the study's
    /// tolerance; else "same ordering" when its rank within its group (among the group's cells
    /// that have a published number) is the same in both; else "differs". Null when the paper
    /// gives no number for the cell.
    /// </summary>
    public string? Verdict(string id)
    {
        var cell = Cell(id);
        if (cell.Spec.Published is not { } published)
        {
            return null;
        }

        if (cell.Values.IsEmpty)
        {
            return "not run";
        }

        if (Math.Abs(cell.Mean - published) <= Study.MatchPoints)
        {
            return "matches";
        }

        var group = Cells.Where(c => c.Spec.Group == cell.Spec.Group && c.Spec.Published is not null && !c.Values.IsEmpty).ToList();
        int oursRank = group.Count(c => c.Mean > cell.Mean);
        int publishedRank = group.Count(c => c.Spec.Published > published);
        return oursRank == publishedRank ? "same ordering" : "differs";
    }

    /// <summary>Evaluates <paramref name="study"/> on the runs of its sweep.</summary>
    /// <exception cref="InvalidDataException">A cell selects two runs with the same seed (its 'where' is ambiguous).</exception>
    public static StudyResult Evaluate(Study study, ImmutableArray<RunRecord> runs)
    {
        var cells = ImmutableArray.CreateBuilder<CellResult>();
        foreach (var spec in study.Cells)
        {
            var matched = runs.Where(r => r.Matches(spec.Where)).OrderBy(r => r.Seed, StringComparer.Ordinal).ToImmutableArray();
            if (matched.GroupBy(r => r.Seed).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                throw new InvalidDataException(
                    $"{study.Id}.{spec.Id}: 'where' selects {twice.Count()} runs with seed {twice.Key} ({string.Join(", ", twice.Select(r => r.Id))}); add the setting that tells them apart");
            }

            bool detection = RunRecord.DetectionMeasures.Contains(spec.Metric);
            if (!detection && matched.FirstOrDefault(r => r.CurveOf(spec.Metric).IsEmpty && !r.Curve.IsEmpty) is { } without)
            {
                throw new InvalidDataException(
                    $"{study.Id}.{spec.Id}: reads {spec.Metric}, which run {without.Id} did not record (only runs under a targeted or backdoor attack have it)");
            }

            cells.Add(new CellResult(spec, matched, [.. matched.Select(r => detection ? r.DetectionPercent(spec.Metric) : r.Last(spec.Metric, study.LastEvaluations, spec.AtSeconds))]));
        }

        var partial = new StudyResult(study, cells.ToImmutable(), [], runs.Length, runs.Sum(r => double.IsFinite(r.Seconds) ? r.Seconds : 0));
        var claims = study.Checks.Select(c => c.Evaluate(id => partial.Cell(id).Mean, partial.Gap)).ToImmutableArray();
        return partial with { Claims = claims };
    }
}

/// <summary>
/// Writes docs/VALIDATION.md: per study, our numbers beside the published ones with a verdict per
/// cell, the paper's claims checked on our numbers, run times and the figures.
/// </summary>
public static class ValidationReport
{
    /// <summary>
    /// The report as markdown; <paramref name="figuresFolder"/> is the figures' path relative to the report.
    /// <paramref name="sections"/> (e.g. a cross-check against a peer framework) go after the studies, before the closing note.
    /// </summary>
    public static string ToMarkdown(ImmutableArray<StudyResult> studies, string figuresFolder, string command, ImmutableArray<string> sections = default)
    {
        var text = new StringBuilder();
        text.AppendLine("# Validation: published results beside ours");
        text.AppendLine();
        text.AppendLine($"Generated by `{command}` from the results folders and");
        text.AppendLine("`experiments/papers/published.json` (published numbers, claims and verdict rules); do not edit by hand.");
        text.AppendLine("Accuracies are in percent; ours are mean ± sample std over seeds (± omitted with one seed).");
        text.AppendLine("Per-cell verdict against a published number: **matches** (within the study's tolerance),");
        text.AppendLine("**same ordering** (same rank among the cells of its group that have a published number), or **differs**.");
        text.AppendLine("The gap column is the cell's distance below its reference cell (ours / the paper's), which is comparable");
        text.AppendLine("even when the data set or model lowers every absolute accuracy. Figures: mean accuracy over seeds per");
        text.AppendLine("evaluated round, Okabe-Ito colours (safe for colour-vision deficiencies), one colour per rule, dashed");
        text.AppendLine("for the variant named in the title.");
        text.AppendLine();
        text.AppendLine("| study | runs | claims that hold | cells vs published numbers |");
        text.AppendLine("|---|---|---|---|");
        foreach (var result in studies)
        {
            var verdicts = result.Cells.Select(c => result.Verdict(c.Spec.Id)).OfType<string>().ToList();
            string cells = verdicts.Count == 0 ? "no per-cell numbers published"
                : string.Join(", ", new[] { "matches", "same ordering", "differs", "not run" }
                    .Select(v => (Verdict: v, Count: verdicts.Count(x => x == v))).Where(v => v.Count > 0).Select(v => $"{v.Count} {v.Verdict}"));
            text.AppendLine($"| [{result.Study.Title}](#{Anchor(result.Study.Title)}) | {result.RunCount} | " +
                $"{result.Claims.Count(c => c.Outcome == ClaimOutcome.Holds)} of {result.Claims.Length} | {cells} |");
        }

        text.AppendLine();
        foreach (var result in studies)
        {
            AppendStudy(text, result, figuresFolder);
        }

        foreach (string section in sections.IsDefault ? [] : sections)
        {
            text.Append(section);
        }

        AppendClosingNote(text, studies);
        return text.ToString().TrimEnd() + "\n";
    }

    private static readonly ImmutableArray<(ClaimOutcome Outcome, string Word)> Outcomes =
        [(ClaimOutcome.Holds, "holds"), (ClaimOutcome.Fails, "does not hold"), (ClaimOutcome.NotRun, "not run")];

    /// <summary>The closing note: per study, which of its claims hold, which do not and which were not run.</summary>
    private static void AppendClosingNote(StringBuilder text, ImmutableArray<StudyResult> studies)
    {
        text.AppendLine("## Closing note: which claims hold");
        text.AppendLine();
        foreach (var result in studies.Where(r => !r.Claims.IsEmpty))
        {
            var parts = Outcomes
                .Select(o => (o.Word, Claims: result.Claims.Where(c => c.Outcome == o.Outcome).Select(c => c.Claim).ToList()))
                .Where(o => o.Claims.Count > 0)
                .Select(o => $"{o.Word}: {string.Join("; ", o.Claims)}");
            text.AppendLine($"- **{result.Study.Title}**. {string.Join(". ", parts)}.");
        }

        text.AppendLine();
    }

    private static void AppendStudy(StringBuilder text, StudyResult result, string figuresFolder)
    {
        var study = result.Study;
        int seeds = result.Cells.Where(c => !c.Values.IsEmpty).Select(c => c.Values.Length).DefaultIfEmpty(0).Max();
        int fewest = result.Cells.Where(c => !c.Values.IsEmpty).Select(c => c.Values.Length).DefaultIfEmpty(0).Min();
        text.AppendLine($"## {study.Title}");
        text.AppendLine();
        text.AppendLine($"- Paper: {study.Paper}");
        text.AppendLine($"- Spec: [`{study.Spec}`](../{study.Spec}), run with `./byzsim run {study.Spec}`");
        text.AppendLine($"- Published numbers: {study.PublishedSource}");
        string seedText = fewest == seeds ? $"{seeds}" : $"{fewest}-{seeds}";
        string publishedSeeds = study.PublishedSeeds > 0 ? study.PublishedSeeds.ToString(CultureInfo.InvariantCulture) : "not stated";
        text.AppendLine($"- Seeds: ours {seedText} per cell, paper {publishedSeeds}" +
            (study.PublishedSeeds > 0 && fewest < study.PublishedSeeds ? " (fewer than the paper: CPU time)" : ""));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"- Run time: {result.RunCount} runs, {result.Seconds / 60:F1} min of wall-clock run time summed over runs (mean {(result.RunCount == 0 ? 0 : result.Seconds / result.RunCount):F0} s per run)"));
        text.AppendLine($"- Accuracy of a run: mean test accuracy of its last {study.LastEvaluations} evaluations" +
            (study.Cells.Any(c => c.Metric != RunRecord.Accuracy)
                ? "; cells marked ASR give the attack success rate (share of triggered or source-class test samples, true label not the target, classified as the target), averaged the same way"
                : ""));
        text.AppendLine();
        text.AppendLine(study.Protocol.Trim());
        text.AppendLine();

        bool anyPublished = result.Cells.Any(c => c.Spec.Published is not null || c.Spec.PublishedGap is not null);
        bool anyReference = result.Cells.Any(c => c.Spec.Reference is not null);
        foreach (var group in result.Cells.GroupBy(c => c.Spec.Group))
        {
            text.AppendLine($"**{group.Key}**");
            text.AppendLine();
            var header = new List<string> { "rule", "ours" };
            if (anyPublished)
            {
                header.Add("published");
            }

            if (anyReference)
            {
                header.Add("gap to reference: ours" + (anyPublished ? " / published" : ""));
            }

            if (anyPublished)
            {
                header.Add("verdict");
            }

            text.AppendLine("| " + string.Join(" | ", header) + " |");
            text.AppendLine("|" + string.Concat(header.Select(_ => "---|")));
            foreach (var cell in group)
            {
                var row = new List<string> { cell.Spec.Label, Ours(cell) };
                if (anyPublished)
                {
                    row.Add(cell.Spec.Published is { } p ? Number(p) : "-");
                }

                if (anyReference)
                {
                    string? reference = cell.Spec.Reference == cell.Spec.Id ? null : cell.Spec.Reference;
                    string gap = reference is null ? "-" : Number(result.Gap(cell.Spec.Id));
                    if (reference is not null && anyPublished)
                    {
                        gap += " / " + (cell.Spec.PublishedGap is { } pg ? Number(pg)
                            : cell.Spec.Published is { } p2 && result.Cell(reference).Spec.Published is { } pr ? Number(pr - p2)
                            : "-");
                    }

                    row.Add(gap);
                }

                if (anyPublished)
                {
                    string? verdict = result.Verdict(cell.Spec.Id);
                    row.Add(verdict switch
                    {
                        null => "-",
                        "matches" or "not run" => verdict,
                        _ => $"{verdict}: {cell.Spec.Note ?? study.LikelyReason}",
                    });
                }

                text.AppendLine("| " + string.Join(" | ", row) + " |");
            }

            text.AppendLine();
        }

        if (!result.Claims.IsEmpty)
        {
            text.AppendLine("Claims of the paper, checked on our numbers:");
            text.AppendLine();
            text.AppendLine("| claim | on our numbers | detail |");
            text.AppendLine("|---|---|---|");
            foreach (var claim in result.Claims)
            {
                string outcome = claim.Outcome switch
                {
                    ClaimOutcome.Holds => "holds",
                    ClaimOutcome.Fails => "**does not hold**",
                    _ => "not run",
                };
                text.AppendLine($"| {claim.Claim} | {outcome} | {string.Join("; ", claim.Details)} |");
            }

            text.AppendLine();
        }

        if (study.Discussion.Trim().Length > 0)
        {
            text.AppendLine("Discussion: " + study.Discussion.Trim());
            text.AppendLine();
        }

        foreach (var figure in study.Figures)
        {
            text.AppendLine($"![{figure.Title}]({figuresFolder}/{figure.File})");
            text.AppendLine();
        }
    }

    /// <summary>GitHub's heading anchor: lower case, spaces to '-', other punctuation dropped.</summary>
    private static string Anchor(string title) =>
        new([.. title.ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-').Select(c => c == ' ' ? '-' : c)]);

    private static string Ours(CellResult cell) =>
        cell.Values.IsEmpty ? "not run"
        : cell.Values.Length == 1 ? Number(cell.Mean)
        : $"{Number(cell.Mean)} ± {Number(cell.Std)}";

    private static string Number(double value) => double.IsNaN(value) ? "-" : ClaimCheck.Number(value);
}
