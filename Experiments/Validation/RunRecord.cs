using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using ByzantineSim.Experiments.Results;
using YamlDotNet.RepresentationModel;

namespace ByzantineSim.Experiments.Validation;

/// <summary>
/// A completed run as the validation report sees it: its resolved settings flattened to dotted
/// paths, its test-accuracy curve and its wall-clock time.
/// </summary>
/// <param name="Id">Run id (its folder name).</param>
/// <param name="Settings">spec.yaml flattened: <c>aggregator.name</c>, <c>pre_aggregators.0.s</c>, <c>pre_aggregators = []</c>.</param>
/// <param name="Curve">(round, test accuracy in [0, 1]) per evaluation, in round order.</param>
/// <param name="Seconds">Wall-clock seconds of the run (summary.json).</param>
/// <param name="SuccessCurve">
/// (round, attack success rate in [0, 1]) per evaluation, in round order; empty when the run's
/// metrics.csv has no <c>attack_success_rate</c> column (no targeted or backdoor attack).
/// </param>
public sealed record RunRecord(
    string Id,
    ImmutableDictionary<string, string> Settings,
    ImmutableArray<(int Round, double Accuracy)> Curve,
    double Seconds,
    ImmutableArray<(int Round, double Accuracy)> SuccessCurve = default)
{
    /// <summary>The metric of a cell by default: test accuracy.</summary>
    public const string Accuracy = "test_accuracy";

    /// <summary>The detection measures a cell can take instead of accuracy.</summary>
    public static readonly ImmutableArray<string> DetectionMeasures = ["malicious_precision", "malicious_recall", "unreliable_precision", "unreliable_recall"];

    /// <summary>
    /// The metrics a cell can read: test accuracy, the attack success rate of targeted and backdoor
    /// runs, and the detection measures.
    /// </summary>
    public static readonly ImmutableArray<string> Metrics = [Accuracy, ResultsStore.AttackSuccessColumn, .. DetectionMeasures];

    /// <summary>The files of a run folder the report reads (rounds.csv and clients.csv for detection measures, when present).</summary>
    public static readonly ImmutableArray<string> Files = [ResultsStore.SummaryFile, ResultsStore.SpecFile, ResultsStore.MetricsFile, RoundsFile, ClientsFile];


    private const string RoundsFile = "rounds.csv";

    private const string ClientsFile = "clients.csv";

    /// <summary>
    /// Counts of a detecting rule's verdicts summed over the run's rounds: malicious flags against
    /// the round's Byzantine clients (rounds.csv's true/false positives and false negatives), and
    /// unreliable flags against the clients whose role is <c>unreliable</c> (clients.csv), each
    /// unreliable client counting once per round it was not flagged. Null without those files.
    /// </summary>
    public DetectionCounts? Detection { get; init; }

    /// <summary>A detection measure in percent (NaN when the run has no detection, or the measure's denominator is 0).</summary>
    public double DetectionPercent(string measure)
    {
        if (Detection is not { } d)
        {
            return double.NaN;
        }

        static double Share(long part, long whole) => whole == 0 ? double.NaN : 100.0 * part / whole;
        return measure switch
        {
            "malicious_precision" => Share(d.TruePositives, d.TruePositives + d.FalsePositives),
            "malicious_recall" => Share(d.TruePositives, d.TruePositives + d.FalseNegatives),
            "unreliable_precision" => Share(d.UnreliableHits, d.UnreliableFlags),
            "unreliable_recall" => Share(d.UnreliableHits, d.UnreliableRounds),
            _ => throw new ArgumentException($"unknown measure '{measure}'", nameof(measure)),
        };
    }

    /// <summary>
    /// Simulated seconds of each evaluation of <see cref="Curve"/>, in the same order (metrics.csv's
    /// <c>simulated_seconds</c>); empty for a run without asynchrony, whose metrics.csv has no such column.
    /// </summary>
    public ImmutableArray<double> Times { get; init; } = [];

    /// <summary>The run's root seed.</summary>
    public string Seed => Settings.GetValueOrDefault("seed", "?");

    /// <summary>The curve of <paramref name="metric"/> (one of <see cref="Metrics"/>); empty when the run did not record it.</summary>
    public ImmutableArray<(int Round, double Accuracy)> CurveOf(string metric) =>
        metric == Accuracy ? Curve : SuccessCurve.IsDefault ? [] : SuccessCurve;

    /// <summary>Mean test accuracy of the last <paramref name="count"/> evaluations, in percent.</summary>
    public double LastAccuracy(int count) => Last(Accuracy, count);

    /// <summary>
    /// Mean of <paramref name="metric"/> over the last <paramref name="count"/> evaluations, in
    /// percent; NaN when the run did not record the metric.
    /// </summary>
    public double Last(string metric, int count) => Last(metric, count, null);

    /// <summary>
    /// Mean of <paramref name="metric"/> over the last <paramref name="count"/> evaluations made at
    /// or before <paramref name="atSeconds"/> simulated seconds (every evaluation when null), in
    /// percent; NaN when the run did not record the metric, or when its last evaluation comes before
    /// <paramref name="atSeconds"/> (it ended before the time budget, e.g. a smoke run of one round:
    /// the cell then counts as not run, never as an earlier accuracy).
    /// </summary>
    /// <exception cref="InvalidDataException"><paramref name="atSeconds"/> is set but the run has no simulated time.</exception>
    public double Last(string metric, int count, double? atSeconds)
    {
        var curve = CurveOf(metric);
        if (atSeconds is { } budget)
        {
            if (Times.Length != curve.Length || Times.IsEmpty)
            {
                throw new InvalidDataException($"run {Id}: a cell at {budget} simulated seconds needs an asynchronous run (metrics.csv with {ResultsStore.SimulatedTimeColumn})");
            }

            if (Times[^1] < budget)
            {
                return double.NaN;
            }

            curve = [.. curve.Where((_, i) => Times[i] <= budget)];
        }

        var last = curve.Skip(Math.Max(0, curve.Length - count)).Select(p => p.Accuracy).ToList();
        // A model whose outputs became non-finite may evaluate to NaN: count it as a failed run (0%).
        return last.Count == 0 ? double.NaN : 100 * last.Select(a => double.IsFinite(a) ? a : 0).Average();
    }

    /// <summary>
    /// The <c>where</c> value that selects runs in which a setting is absent from spec.yaml: at its
    /// default, which the canonical YAML omits (e.g. <c>attack.knowledge</c> of full knowledge).
    /// </summary>
    public const string Absent = "~";

    /// <summary>True when every value of <paramref name="where"/> equals the run's setting at that path (see <see cref="Absent"/>).</summary>
    public bool Matches(IReadOnlyDictionary<string, string> where) => Matches(Settings, where);

    /// <summary>
    /// True when every value of <paramref name="where"/> equals the setting at that path of
    /// <paramref name="settings"/> (flattened spec.yaml), or, for <see cref="Absent"/>, the path is not set.
    /// </summary>
    public static bool Matches(IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string> where) =>
        where.All(w => w.Value == Absent
            ? !settings.ContainsKey(w.Key)
            : settings.TryGetValue(w.Key, out var value) && string.Equals(value, w.Value, StringComparison.Ordinal));

    /// <summary>Every completed run (summary.json present) under a sweep's results folder; none when it does not exist.</summary>
    public static ImmutableArray<RunRecord> ReadSweep(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var runs = ImmutableArray.CreateBuilder<RunRecord>();
        foreach (var directory in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            string summaryPath = Path.Combine(directory, ResultsStore.SummaryFile);
            string specPath = Path.Combine(directory, ResultsStore.SpecFile);
            string metricsPath = Path.Combine(directory, ResultsStore.MetricsFile);
            if (!File.Exists(summaryPath) || !File.Exists(specPath) || !File.Exists(metricsPath))
            {
                continue; // not finished: the report counts only complete runs
            }

            var summary = JsonNode.Parse(File.ReadAllText(summaryPath));
            double seconds = summary?["seconds"]?.GetValue<double>() ?? double.NaN;
            var (accuracy, success, times) = ReadCurves(metricsPath);
            runs.Add(new RunRecord(Path.GetFileName(directory), Flatten(File.ReadAllText(specPath)), accuracy, seconds, success)
            {
                Times = times,
                Detection = DetectionCounts.Read(Path.Combine(directory, RoundsFile), Path.Combine(directory, ClientsFile)),
            });
        }

        return runs.ToImmutable();
    }

    /// <summary>Flattens a YAML document to dotted paths; an empty sequence or mapping reads <c>[]</c> / <c>{}</c>.</summary>
    public static ImmutableDictionary<string, string> Flatten(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var result = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (stream.Documents.Count > 0)
        {
            Visit(stream.Documents[0].RootNode, "", result);
        }

        return result.ToImmutable();
    }

    private static void Visit(YamlNode node, string path, ImmutableDictionary<string, string>.Builder result)
    {
        string Child(string key) => path.Length == 0 ? key : $"{path}.{key}";
        switch (node)
        {
            case YamlMappingNode { Children.Count: 0 }:
                result[path] = "{}";
                break;
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    Visit(value, Child(((YamlScalarNode)key).Value ?? ""), result);
                }

                break;
            case YamlSequenceNode { Children.Count: 0 }:
                result[path] = "[]";
                break;
            case YamlSequenceNode sequence:
                for (int i = 0; i < sequence.Children.Count; i++)
                {
                    Visit(sequence.Children[i], Child(i.ToString(CultureInfo.InvariantCulture)), result);
                }

                break;
            case YamlScalarNode scalar:
                result[path] = scalar.Value ?? "";
                break;
        }
    }

    /// <summary>
    /// The test-accuracy curve and, when the file has their columns, the attack-success curve and
    /// the simulated seconds of each evaluation.
    /// </summary>
    private static (ImmutableArray<(int Round, double Value)> Accuracy, ImmutableArray<(int Round, double Value)> Success, ImmutableArray<double> Times) ReadCurves(string metricsPath)
    {
        var lines = File.ReadAllLines(metricsPath);
        if (lines.Length == 0)
        {
            return ([], [], []);
        }

        var header = lines[0].Split(',');
        int round = Array.IndexOf(header, "round"), accuracy = Array.IndexOf(header, Accuracy);
        int success = Array.IndexOf(header, ResultsStore.AttackSuccessColumn);
        int time = Array.IndexOf(header, ResultsStore.SimulatedTimeColumn);
        if (round < 0 || accuracy < 0)
        {
            throw new InvalidDataException($"{metricsPath}: needs the columns round and test_accuracy");
        }

        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToList();
        ImmutableArray<(int, double)> Column(int column) =>
            [.. rows.Select(f => (int.Parse(f[round], CultureInfo.InvariantCulture), double.Parse(f[column], CultureInfo.InvariantCulture)))];
        ImmutableArray<double> times = time < 0 ? [] : [.. rows.Select(f => double.Parse(f[time], CultureInfo.InvariantCulture))];
        return (Column(accuracy), success < 0 ? [] : Column(success), times);
    }
}
