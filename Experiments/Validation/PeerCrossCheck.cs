using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using ByzantineSim.Experiments.Reports;

namespace ByzantineSim.Experiments.Validation;

/// <summary>One run of a cross-check against a peer framework: which side ran it, its cell and seed, its final test accuracy.</summary>
/// <param name="Side">"ours" or the peer's name (e.g. "byzfl").</param>
/// <param name="Rule">The aggregation rule (our registry name).</param>
/// <param name="Attack">The attack (our registry name).</param>
/// <param name="Seed">The training seed.</param>
/// <param name="Steps">Training steps (rounds).</param>
/// <param name="Accuracy">Final test accuracy, a fraction.</param>
public sealed record PeerRun(string Side, string Rule, string Attack, int Seed, int Steps, double Accuracy);

/// <summary>One rule x attack cell: the peer's accuracies and ours over seeds, in percent.</summary>
/// <param name="Rule">The aggregation rule.</param>
/// <param name="Attack">The attack.</param>
/// <param name="Peer">The peer's accuracy per seed, percent.</param>
/// <param name="Ours">Our accuracy per seed, percent.</param>
public sealed record PeerCell(string Rule, string Attack, ImmutableArray<double> Peer, ImmutableArray<double> Ours)
{
    /// <summary>
    /// "within" when our mean lies in the peer's range over seeds (min to max), else how far
    /// outside in points ("above by 1.2", "below by 3.4"); "not run" when a side has no run.
    /// </summary>
    public string Verdict
    {
        get
        {
            if (Peer.IsEmpty || Ours.IsEmpty)
            {
                return "not run";
            }

            double mean = Ours.Average();
            return mean > Peer.Max() ? $"above by {ClaimCheck.Number(mean - Peer.Max())}"
                : mean < Peer.Min() ? $"below by {ClaimCheck.Number(Peer.Min() - mean)}"
                : "within";
        }
    }
}

/// <summary>
/// The system-level cross-check against a peer framework (issue 26: the same experiments through
/// ByzFL and through ByzantineSim), read from a committed results file
/// (<c>side,rule,attack,seed,steps,test_accuracy</c>, one row per run, written by
/// <c>benchmarks/peers/byzfl_crosscheck.py collect</c>) and rendered as a section of the validation
/// report: per rule x attack cell the peer's mean and range over seeds, ours, and the verdict.
/// </summary>
/// <param name="Peer">The peer's side name in the file.</param>
/// <param name="Runs">Every run of the file.</param>
/// <param name="Notes">Markdown placed under the section's heading (settings and differences), from <c>notes.md</c> next to the file.</param>
public sealed record PeerCrossCheck(string Peer, ImmutableArray<PeerRun> Runs, string Notes)
{
    /// <summary>The columns the results file must have, in this order.</summary>
    public static readonly ImmutableArray<string> Columns = ["side", "rule", "attack", "seed", "steps", "test_accuracy"];

    /// <summary>The cells, rules and attacks in order of first appearance in the file.</summary>
    public ImmutableArray<PeerCell> Cells =>
    [
        .. Runs.Select(r => (r.Rule, r.Attack)).Distinct().Select(cell => new PeerCell(cell.Rule, cell.Attack,
            Percent(Runs.Where(r => r.Side == Peer && (r.Rule, r.Attack) == cell)),
            Percent(Runs.Where(r => r.Side == "ours" && (r.Rule, r.Attack) == cell)))),
    ];

    /// <summary>
    /// Reads <paramref name="path"/> and the <c>notes.md</c> beside it. Every run must be of
    /// <paramref name="peer"/> or "ours", with the same number of steps, one per side, cell and seed.
    /// </summary>
    /// <exception cref="InvalidDataException">A malformed row (with the file and line), a missing column or notes file.</exception>
    public static PeerCrossCheck Load(string path, string peer)
    {
        var rows = SweepResults.ReadCsv(path);
        if (rows.IsEmpty || !rows[0].Header.SequenceEqual(Columns))
        {
            throw new InvalidDataException($"{path}: expected the header {string.Join(',', Columns)} and at least one run");
        }

        var runs = ImmutableArray.CreateBuilder<PeerRun>();
        for (int i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            string where = $"{path}:{i + 2}";
            string side = row.Text("side");
            if (side != peer && side != "ours")
            {
                throw new InvalidDataException($"{where}: side: '{side}' is neither '{peer}' nor 'ours'");
            }

            if (!int.TryParse(row.Text("seed"), NumberStyles.None, CultureInfo.InvariantCulture, out int seed)
                || !int.TryParse(row.Text("steps"), NumberStyles.None, CultureInfo.InvariantCulture, out int steps))
            {
                throw new InvalidDataException($"{where}: seed and steps must be non-negative integers");
            }

            double accuracy = row.Number("test_accuracy");
            if (!(accuracy is >= 0 and <= 1))
            {
                throw new InvalidDataException($"{where}: test_accuracy: '{row.Text("test_accuracy")}' is not a fraction in [0, 1]");
            }

            runs.Add(new PeerRun(side, row.Text("rule"), row.Text("attack"), seed, steps, accuracy));
        }

        if (runs.Select(r => r.Steps).Distinct().Count() > 1)
        {
            throw new InvalidDataException($"{path}: runs of different lengths ({string.Join(", ", runs.Select(r => r.Steps).Distinct())} steps) cannot be compared");
        }

        if (runs.GroupBy(r => (r.Side, r.Rule, r.Attack, r.Seed)).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidDataException($"{path}: {twice.Key.Side} {twice.Key.Rule} x {twice.Key.Attack} seed {twice.Key.Seed} appears {twice.Count()} times");
        }

        string notes = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "notes.md");
        if (!File.Exists(notes))
        {
            throw new InvalidDataException($"{notes}: missing (the settings and differences the section states)");
        }

        return new PeerCrossCheck(peer, runs.ToImmutable(), File.ReadAllText(notes).Trim());
    }

    /// <summary>The report section: heading, notes, the per-cell table and a count of verdicts.</summary>
    public string ToMarkdown(string title, string source)
    {
        var cells = Cells;
        var text = new StringBuilder();
        text.AppendLine($"## {title}");
        text.AppendLine();
        text.AppendLine($"Generated from `{source}` ({Runs.Count(r => r.Side == Peer)} {Peer} runs, {Runs.Count(r => r.Side == "ours")} of ours, "
            + $"{Runs[0].Steps} steps each). Final test accuracy in percent: mean (min-max over seeds). Verdict: **within** when our mean lies "
            + $"in {Peer}'s range over seeds, else by how many points it lies outside.");
        text.AppendLine();
        text.AppendLine(Notes);
        text.AppendLine();
        text.AppendLine($"| rule | attack | {Peer} | ours | verdict |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var cell in cells)
        {
            string verdict = cell.Verdict == "within" ? "within" : $"**{cell.Verdict}**";
            text.AppendLine($"| {cell.Rule} | {cell.Attack} | {Spread(cell.Peer)} | {Spread(cell.Ours)} | {verdict} |");
        }

        text.AppendLine();
        int within = cells.Count(c => c.Verdict == "within"), notRun = cells.Count(c => c.Verdict == "not run");
        text.AppendLine($"{within} of {cells.Length} cells within {Peer}'s spread"
            + (notRun > 0 ? $"; {notRun} lacking runs on one side" : "") + ".");
        text.AppendLine();
        return text.ToString();
    }

    private static ImmutableArray<double> Percent(IEnumerable<PeerRun> runs) => [.. runs.OrderBy(r => r.Seed).Select(r => 100 * r.Accuracy)];

    private static string Spread(ImmutableArray<double> values) =>
        values.IsEmpty ? "not run"
        : values.Length == 1 ? $"{ClaimCheck.Number(values[0])} (1 seed)"
        : $"{ClaimCheck.Number(values.Average())} ({ClaimCheck.Number(values.Min())}-{ClaimCheck.Number(values.Max())})";
}
