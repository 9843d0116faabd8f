using System.Collections.Immutable;
using System.Globalization;

namespace ByzantineSim.Experiments.Reports;

/// <summary>Mean and sample standard deviation of the finite values of a set (NaN mean when none).</summary>
/// <param name="Mean">Mean.</param>
/// <param name="Std">Sample standard deviation (n - 1), 0 for a single value.</param>
/// <param name="Count">Finite values.</param>
public sealed record Stat(double Mean, double Std, int Count)
{
    /// <summary>The statistics of <paramref name="values"/>, ignoring NaN and infinities.</summary>
    public static Stat Of(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0)
        {
            return new Stat(double.NaN, double.NaN, 0);
        }

        double mean = finite.Average();
        double std = finite.Count > 1 ? Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / (finite.Count - 1)) : 0;
        return new Stat(mean, std, finite.Count);
    }

    /// <summary>As a percentage, "87.1 ± 0.4" (no ± for a single value, "–" when empty).</summary>
    public string Percent() =>
        Count == 0 ? "–"
        : Count == 1 ? (100 * Mean).ToString("F1", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{100 * Mean:F1} ± {100 * Std:F1}");
}

/// <summary>A curve over rounds (or simulated seconds): per point, the mean and std over seeds.</summary>
/// <param name="Rounds">Evaluation rounds, or simulated seconds for a time curve.</param>
/// <param name="Values">Statistics at each point.</param>
public sealed record Curve(ImmutableArray<double> Rounds, ImmutableArray<Stat> Values);

/// <summary>
/// The roles of a sweep's axes, for grouping runs the way the report reads: the rule (axes under
/// <c>aggregator</c> or <c>pre_aggregators</c>) against the attack (axes under <c>attack</c>),
/// repeated over seeds, within a setting (every other axis: data heterogeneity, f, ...).
/// </summary>
public sealed class SweepAnalysis
{
    /// <summary>The axis path of the number of Byzantine clients.</summary>
    public const string ByzantineAxis = "clients.f";

    private readonly ImmutableArray<string> _ruleAxes;
    private readonly ImmutableArray<string> _attackAxes;
    private readonly Dictionary<(string Setting, string Attack, string Rule), ImmutableArray<RunRecord>> _cells;

    /// <summary>Groups the runs of <paramref name="results"/>.</summary>
    public SweepAnalysis(SweepResults results)
    {
        Results = results;
        var axes = results.Axes;
        _ruleAxes = [.. axes.Where(a => IsUnder(a, "aggregator") || IsUnder(a, "pre_aggregators"))];
        _attackAxes = [.. axes.Where(a => IsUnder(a, "attack"))];
        SettingAxes = [.. axes.Where(a => !_ruleAxes.Contains(a) && !_attackAxes.Contains(a) && a != "seed")];
        HeterogeneityAxes = [.. SettingAxes.Where(a => IsUnder(a, "partition"))];

        var all = results.Runs.Select(r => r.Labels).Concat(results.Missing.Select(m => m.Labels)).ToList();
        Rules = [.. all.Select(l => Join(l, _ruleAxes)).Distinct()];
        Attacks = [.. all.Select(l => Join(l, _attackAxes)).Distinct()];
        Settings = [.. all.Select(l => Join(l, SettingAxes, withNames: true)).Distinct()];
        // Tables and figures ask for the same cells many times: group the runs once.
        _cells = results.Runs
            .GroupBy(r => (Setting(r), Attack(r), Rule(r)))
            .ToDictionary(g => g.Key, g => g.ToImmutableArray());
    }

    /// <summary>The results analysed.</summary>
    public SweepResults Results { get; }

    /// <summary>Axes that define a setting (neither rule, attack nor seed).</summary>
    public ImmutableArray<string> SettingAxes { get; }

    /// <summary>Setting axes that describe the data's heterogeneity.</summary>
    public ImmutableArray<string> HeterogeneityAxes { get; }

    /// <summary>Rule labels in sweep order ("all runs" when the sweep does not vary the rule).</summary>
    public ImmutableArray<string> Rules { get; }

    /// <summary>Attack labels in sweep order.</summary>
    public ImmutableArray<string> Attacks { get; }

    /// <summary>Setting labels in sweep order ("" when every axis is rule, attack or seed).</summary>
    public ImmutableArray<string> Settings { get; }

    /// <summary>True when the sweep varies the rule.</summary>
    public bool VariesRule => !_ruleAxes.IsEmpty;

    /// <summary>True when the sweep varies the attack.</summary>
    public bool VariesAttack => !_attackAxes.IsEmpty;

    /// <summary>The rule of a run.</summary>
    public string Rule(RunRecord run) => Join(run.Labels, _ruleAxes);

    /// <summary>The attack of a run.</summary>
    public string Attack(RunRecord run) => Join(run.Labels, _attackAxes);

    /// <summary>The setting of a run.</summary>
    public string Setting(RunRecord run) => Join(run.Labels, SettingAxes, withNames: true);

    /// <summary>The complete runs (over seeds) of one setting, attack and rule.</summary>
    public ImmutableArray<RunRecord> Cell(string setting, string attack, string rule) =>
        _cells.GetValueOrDefault((setting, attack, rule), []);

    /// <summary>Final accuracy over seeds of a cell.</summary>
    public Stat Final(string setting, string attack, string rule) => Stat.Of(Cell(setting, attack, rule).Select(r => r.FinalAccuracy));

    /// <summary>Best accuracy over seeds of a cell.</summary>
    public Stat Best(string setting, string attack, string rule) => Stat.Of(Cell(setting, attack, rule).Select(r => r.BestAccuracy));

    /// <summary>
    /// The worst case of a rule in a setting: its lowest mean final accuracy over the attacks that
    /// have results, and that attack (null when none has). A diverged rule (NaN) counts as 0.
    /// </summary>
    public (double Accuracy, string? Attack) Worst(string setting, string rule)
    {
        var candidates = Attacks
            .Select(a => (Attack: a, Stat: Final(setting, a, rule), Runs: Cell(setting, a, rule).Length))
            .Where(c => c.Runs > 0)
            .Select(c => (Accuracy: c.Stat.Count == 0 ? 0 : c.Stat.Mean, c.Attack))
            .ToList();
        return candidates.Count == 0 ? (double.NaN, null) : candidates.MinBy(c => c.Accuracy);
    }

    /// <summary>A metrics.csv column over rounds, mean and std over the seeds of a cell.</summary>
    public Curve MetricCurve(string setting, string attack, string rule, string column)
    {
        var byRound = Cell(setting, attack, rule)
            .Select(r => r.Metrics
                .Select(m => (Round: m.Number("round"), Value: m.Number(column)))
                .Where(m => double.IsFinite(m.Round))
                .DistinctBy(m => m.Round)
                .ToDictionary(m => m.Round, m => m.Value))
            .ToList();
        var rounds = byRound.SelectMany(r => r.Keys).Distinct().Order().ToImmutableArray();
        var values = rounds
            .Select(round => Stat.Of(byRound.Select(r => r.GetValueOrDefault(round, double.NaN))))
            .ToImmutableArray();
        return new Curve(rounds, values);
    }

    /// <summary>True when some run of the sweep records simulated time (an asynchronous or timed sweep).</summary>
    public bool HasSimulatedTime => Results.Runs.Any(r => r.Metrics.Any(m => m.Number(SimulatedSeconds) > 0));

    /// <summary>
    /// A metrics.csv column against simulated seconds, mean and std over the seeds of a cell.
    /// Seeds evaluate at different simulated times, so each seed's curve is read as a step
    /// function (the value of its latest evaluation at or before t, which is the model the
    /// server held then) at every time any seed evaluated, up to the earliest seed's last one.
    /// </summary>
    public Curve TimeCurve(string setting, string attack, string rule, string column)
    {
        var seeds = Cell(setting, attack, rule)
            .Select(r => r.Metrics
                .Select(m => (Time: m.Number(SimulatedSeconds), Value: m.Number(column)))
                .Where(m => double.IsFinite(m.Time))
                .OrderBy(m => m.Time)
                .ToList())
            .Where(points => points.Count > 0)
            .ToList();
        if (seeds.Count == 0)
        {
            return new Curve([], []);
        }

        double end = seeds.Min(points => points[^1].Time);
        var times = seeds.SelectMany(points => points.Select(p => p.Time)).Where(t => t <= end).Distinct().Order().ToImmutableArray();
        var values = times
            .Select(t => Stat.Of(seeds.Select(points => points.LastOrDefault(p => p.Time <= t, (Time: t, Value: double.NaN)).Value)))
            .ToImmutableArray();
        return new Curve(times, values);
    }

    private const string SimulatedSeconds = ByzantineSim.Experiments.Results.ResultsStore.SimulatedTimeColumn;

    /// <summary>Distinct values of an axis among the runs, in sweep order.</summary>
    public ImmutableArray<string> Values(string axis) =>
        [.. Results.Runs.Select(r => r.Label(axis)).Concat(Results.Missing.Select(m => m.Labels.GetValueOrDefault(axis, "-"))).Distinct()];

    /// <summary>A short label of the values of <paramref name="axes"/>; <c>name=value</c> pairs when <paramref name="withNames"/>.</summary>
    private static string Join(IReadOnlyDictionary<string, string> labels, ImmutableArray<string> axes, bool withNames = false) =>
        axes.IsEmpty ? (withNames ? "" : "all runs")
        : string.Join(", ", axes.Select(a => withNames ? $"{a}={labels.GetValueOrDefault(a, "-")}" : labels.GetValueOrDefault(a, "-")));

    private static bool IsUnder(string axis, string root) => axis == root || axis.StartsWith(root + ".", StringComparison.Ordinal);
}
