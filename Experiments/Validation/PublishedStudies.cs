using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ByzantineSim.Experiments.Validation;

/// <summary>
/// The published results a validation report compares against, read from a small JSON file next
/// to the paper specs (<c>experiments/papers/published.json</c>): per study, the cells (which runs
/// they are, the published number if the paper gives one), the claims to check and the figures.
/// </summary>
/// <param name="Studies">One entry per reproduced paper result.</param>
public sealed record PublishedStudies(ImmutableArray<Study> Studies)
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    /// <summary>Reads and checks a published-results file; every problem is reported together.</summary>
    /// <exception cref="InvalidDataException">The file is malformed or refers to unknown cells.</exception>
    public static PublishedStudies Load(string path)
    {
        PublishedStudies? studies;
        try
        {
            studies = JsonSerializer.Deserialize<PublishedStudies>(File.ReadAllText(path), Options);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }

        if (studies is null)
        {
            throw new InvalidDataException($"{path}: empty");
        }

        var problems = studies.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"{path}: {problems.Count} problem(s)\n" + string.Join('\n', problems.Select(p => "  - " + p)));
        }

        return studies;
    }

    /// <summary>Every inconsistency: duplicate ids, references to unknown cells, malformed claims.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var duplicate in Studies.GroupBy(s => s.Id).Where(g => g.Count() > 1))
        {
            yield return $"study id '{duplicate.Key}' appears {duplicate.Count()} times";
        }

        foreach (var study in Studies)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var cell in study.Cells)
            {
                if (!ids.Add(cell.Id))
                {
                    yield return $"{study.Id}: cell id '{cell.Id}' appears twice";
                }

                if (cell.Where.IsEmpty)
                {
                    yield return $"{study.Id}.{cell.Id}: 'where' must select runs by at least one setting";
                }

                if (cell.AtSeconds is { } budget && !(budget > 0 && double.IsFinite(budget)))
                {
                    yield return $"{study.Id}.{cell.Id}: at_seconds must be a finite number > 0, got {budget}";
                }

                if (!RunRecord.Metrics.Contains(cell.Metric))
                {
                    yield return $"{study.Id}.{cell.Id}: unknown metric '{cell.Metric}'; known: {string.Join(", ", RunRecord.Metrics)}";
                }
            }

            foreach (var cell in study.Cells.Where(c => c.Reference is not null && !ids.Contains(c.Reference)))
            {
                yield return $"{study.Id}.{cell.Id}: unknown reference cell '{cell.Reference}'";
            }

            for (int i = 0; i < study.Checks.Length; i++)
            {
                foreach (var problem in study.Checks[i].Problems(ids))
                {
                    yield return $"{study.Id}.checks[{i}]: {problem}";
                }
            }

            foreach (var figure in study.Figures)
            {
                foreach (var unknown in figure.Cells.Where(c => !ids.Contains(c)))
                {
                    yield return $"{study.Id}.figures[{figure.File}]: unknown cell '{unknown}'";
                }
            }
        }
    }
}

/// <summary>One reproduced result of one paper.</summary>
/// <param name="Id">Short id (used in headings and figure names).</param>
/// <param name="Title">Heading of its section in the report.</param>
/// <param name="Paper">Authors, venue, year, arXiv id.</param>
/// <param name="Spec">The spec that reproduces it, relative to the repository root.</param>
/// <param name="Sweep">The spec's sweep name: its results live in <c>&lt;results&gt;/&lt;sweep&gt;/</c>.</param>
/// <param name="Protocol">What was kept and what deviates from the paper (markdown, from the spec's comments).</param>
/// <param name="PublishedSource">Where the published numbers or claims come from.</param>
/// <param name="PublishedSeeds">Seeds the paper averages over (0 when it does not say).</param>
/// <param name="LastEvaluations">Accuracy of a run = mean test accuracy of its last this-many evaluations.</param>
/// <param name="MatchPoints">A cell "matches" when within this many points of the published number.</param>
/// <param name="LikelyReason">Why cells may differ from the paper (shown beside every verdict that is not a match).</param>
/// <param name="Cells">The table cells.</param>
/// <param name="Checks">The paper's claims, checked on our numbers.</param>
/// <param name="Figures">Accuracy-vs-rounds figures.</param>
/// <param name="Discussion">Why the claims that fail fail, as far as we can tell (markdown; empty when none).</param>
/// <param name="SmokeSet">
/// Extra <c>--set</c> overrides of the study's smoke run in the test suite (which always sets one
/// round, one evaluation and seed 1), for specs whose smoke run would still be slow (the CNN).
/// </param>
public sealed record Study(
    string Id,
    string Title,
    string Paper,
    string Spec,
    string Sweep,
    string Protocol,
    string PublishedSource,
    int PublishedSeeds,
    int LastEvaluations,
    double MatchPoints,
    string LikelyReason,
    ImmutableArray<CellSpec> Cells,
    ImmutableArray<ClaimCheck> Checks,
    ImmutableArray<FigureSpec> Figures,
    string Discussion = "",
    ImmutableArray<string> SmokeSet = default)
{
    /// <summary>The overrides of the study's smoke run: one round, one evaluation, seed 1, then <see cref="SmokeSet"/>.</summary>
    public ImmutableArray<string> SmokeSettings =>
        ["training.rounds=1", "training.eval_every=1", "seed=1", .. SmokeSet.IsDefault ? [] : SmokeSet];
}

/// <summary>
/// A table cell: the runs whose resolved settings (<c>spec.yaml</c>, flattened to dotted paths
/// such as <c>aggregator.name</c> or <c>pre_aggregators.0.name</c>; an empty list reads
/// <c>[]</c>) equal every value in <see cref="Where"/> (<c>~</c>: the path is absent, the setting
/// at its default); their seeds are the cell's samples.
/// </summary>
/// <param name="Id">Id used by checks and figures.</param>
/// <param name="Group">Row group of the table (cells of one group are ranked together).</param>
/// <param name="Label">Row label (the rule, usually).</param>
/// <param name="Where">Settings that select the cell's runs.</param>
/// <param name="Published">The paper's number in percent, when it gives one.</param>
/// <param name="Reference">A cell to report the gap to (e.g. the attack-free mean).</param>
/// <param name="PublishedGap">The paper's gap to the reference in points, when it gives one.</param>
/// <param name="Note">The likely reason this cell differs, when it is more specific than the study's.</param>
/// <param name="Metric">
/// What the cell's value is, in percent, each the mean of the study's last evaluations or over
/// the runs' rounds: <c>test_accuracy</c> (the default), <c>attack_success_rate</c> (runs under a
/// targeted or backdoor attack), or a detecting rule's quality (see <see cref="RunRecord.DetectionPercent"/>):
/// <c>malicious_precision</c>, <c>malicious_recall</c>, <c>unreliable_precision</c>, <c>unreliable_recall</c>.
/// </param>
/// <param name="AtSeconds">
/// A time budget for asynchronous runs: the cell reads only the evaluations made at or before this
/// many simulated seconds (metrics.csv's <c>simulated_seconds</c>), so runs of different speeds are
/// compared at the same simulated time (a run that ended before it counts as not run); null (the
/// default) reads the whole run.
/// </param>
public sealed record CellSpec(
    string Id,
    string Group,
    string Label,
    ImmutableDictionary<string, string> Where,
    double? Published = null,
    string? Reference = null,
    double? PublishedGap = null,
    string? Note = null,
    string Metric = RunRecord.Accuracy,
    double? AtSeconds = null);

/// <summary>One accuracy-vs-rounds figure.</summary>
/// <param name="File">PNG file name under the figures folder.</param>
/// <param name="Title">Figure title.</param>
/// <param name="Cells">The cells drawn, one line each (mean over seeds).</param>
/// <param name="Dashed">Cells drawn dashed (e.g. the bucketing variants), same colour as their partner.</param>
/// <param name="DashedLabel">Appended to a dashed cell's legend label, e.g. " + bucketing".</param>
public sealed record FigureSpec(string File, string Title, ImmutableArray<string> Cells, ImmutableArray<string> Dashed, string DashedLabel);
