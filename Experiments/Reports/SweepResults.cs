using System.Collections.Immutable;
using System.Globalization;
using ByzantineSim.Experiments.Results;
using CsvHelper;

namespace ByzantineSim.Experiments.Reports;

/// <summary>One row of a CSV file, by column name; numbers parse invariantly, missing or empty cells are NaN.</summary>
/// <param name="Header">The file's columns, in file order.</param>
/// <param name="Cells">The row's cells by column.</param>
public sealed record CsvRow(ImmutableArray<string> Header, ImmutableDictionary<string, string> Cells)
{
    /// <summary>The cell's text ("" when the column is absent).</summary>
    public string Text(string column) => Cells.GetValueOrDefault(column, "");

    /// <summary>The cell as a number (NaN when absent, empty or not a number).</summary>
    public double Number(string column) =>
        double.TryParse(Text(column), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : double.NaN;
}

/// <summary>The time one run spent per kind of work, from its <c>summary.json</c>.</summary>
/// <param name="Seconds">Wall-clock seconds of the run.</param>
/// <param name="Compute">Honest clients' local training (summed over trainer threads).</param>
/// <param name="Attack">Byzantine training and crafting.</param>
/// <param name="Aggregation">Aggregation and the server step.</param>
/// <param name="Evaluation">Test-set evaluations.</param>
public sealed record RunTimes(double Seconds, double Compute, double Attack, double Aggregation, double Evaluation);

/// <summary>A completed run as stored on disk.</summary>
/// <param name="Id">The run id (its folder name).</param>
/// <param name="Labels">Its value on each sweep axis, keyed by axis path.</param>
/// <param name="Clients">Total clients n, from its <c>spec.yaml</c>.</param>
/// <param name="Byzantine">Byzantine clients f, from its <c>spec.yaml</c>.</param>
/// <param name="Rounds">Rounds T.</param>
/// <param name="FinalAccuracy">Final test accuracy (NaN when it diverged).</param>
/// <param name="BestAccuracy">Best test accuracy over evaluations (NaN when none was finite).</param>
/// <param name="Times">Where its time went.</param>
/// <param name="Metrics">Rows of <c>metrics.csv</c>.</param>
/// <param name="RoundRows">Rows of <c>rounds.csv</c>.</param>
/// <param name="ClientRows">Rows of <c>clients.csv</c>.</param>
/// <param name="State">Its status: complete, possibly with failed aggregations, or degenerate.</param>
public sealed record RunRecord(
    string Id,
    ImmutableDictionary<string, string> Labels,
    int Clients,
    int Byzantine,
    int Rounds,
    double FinalAccuracy,
    double BestAccuracy,
    RunTimes Times,
    ImmutableArray<CsvRow> Metrics,
    ImmutableArray<CsvRow> RoundRows,
    ImmutableArray<CsvRow> ClientRows,
    RunState State)
{
    /// <summary>The run's value on <paramref name="axis"/> ("-" when the sweep has no such axis).</summary>
    public string Label(string axis) => Labels.GetValueOrDefault(axis, "-");
}

/// <summary>A run of the sweep that has no results yet, with why.</summary>
/// <param name="Id">The run id.</param>
/// <param name="Status"><c>pending</c> (never started), <c>incomplete</c> (started, not finished) or <c>incomplete (corrupt: reason)</c>.</param>
/// <param name="Labels">Its axis values.</param>
public sealed record MissingRun(string Id, string Status, ImmutableDictionary<string, string> Labels);

/// <summary>
/// What a sweep's results folder holds, read without the spec that produced it: the axes and
/// statuses from <c>runs.csv</c>, and for each complete run its CSV files and summary. A run is
/// complete when its folder reads back whole (<see cref="RunState.Read"/>) for the spec hash of
/// the index, as for <c>byzsim runs</c>, so a sweep that is still running, was interrupted or was
/// damaged reads as partial.
/// </summary>
/// <param name="Folder">The results folder.</param>
/// <param name="Name">The sweep's name (the folder's name).</param>
/// <param name="Axes">Sweep axes in document order.</param>
/// <param name="SpecText">The sweep's YAML (<c>sweep.yaml</c>), or null when the folder predates it.</param>
/// <param name="Runs">Complete runs, in index order.</param>
/// <param name="Missing">Runs without results.</param>
/// <param name="RobustnessMarkdown">A <c>robustness.md</c> table written by <c>byzsim robustness</c> into the folder, if any.</param>
public sealed record SweepResults(
    string Folder,
    string Name,
    ImmutableArray<string> Axes,
    string? SpecText,
    ImmutableArray<RunRecord> Runs,
    ImmutableArray<MissingRun> Missing,
    string? RobustnessMarkdown)
{
    /// <summary>The copy of the sweep spec kept beside <c>runs.csv</c>.</summary>
    public const string SpecFile = "sweep.yaml";

    /// <summary>An optional empirical-robustness table included in reports.</summary>
    public const string RobustnessFile = "robustness.md";

    /// <summary>Runs in the index.</summary>
    public int Total => Runs.Length + Missing.Length;

    /// <summary>Reads <paramref name="folder"/>; throws <see cref="FileNotFoundException"/> when it has no <c>runs.csv</c>.</summary>
    public static SweepResults Load(string folder)
    {
        string index = Path.Combine(folder, "runs.csv");
        if (!File.Exists(index))
        {
            throw new FileNotFoundException($"{folder}: no runs.csv here; give a sweep's results folder such as results/<sweep>", index);
        }

        var rows = ReadCsv(index);
        var header = ReadHeader(index);
        var axes = header.Where(h => h is not ("run_id" or "status" or "final_test_accuracy" or "spec_hash" or "detail")).ToImmutableArray();
        var runs = ImmutableArray.CreateBuilder<RunRecord>();
        var missing = ImmutableArray.CreateBuilder<MissingRun>();
        foreach (var row in rows)
        {
            string id = row.Text("run_id");
            var labels = axes.ToImmutableDictionary(a => a, row.Text);
            string runFolder = Path.Combine(folder, id);
            var state = RunState.Read(runFolder, row.Text("spec_hash"));
            if (state.Summary is not null)
            {
                try
                {
                    runs.Add(ReadRun(runFolder, id, labels, state));
                    continue;
                }
                catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException)
                {
                    state = state with { Status = RunStatus.Incomplete, Corruption = ex.Message, Summary = null };
                }
            }

            missing.Add(new MissingRun(id, state.ToString(), labels));
        }

        string spec = Path.Combine(folder, SpecFile);
        string robustness = Path.Combine(folder, RobustnessFile);
        return new SweepResults(
            folder,
            Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))),
            axes,
            File.Exists(spec) ? File.ReadAllText(spec) : null,
            runs.ToImmutable(),
            missing.ToImmutable(),
            File.Exists(robustness) ? File.ReadAllText(robustness) : null);
    }

    private static RunRecord ReadRun(string folder, string id, ImmutableDictionary<string, string> labels, RunState state)
    {
        string spec = File.ReadAllText(Path.Combine(folder, ResultsStore.SpecFile));
        var summary = state.Summary!;
        return new RunRecord(
            id,
            labels,
            SpecInteger(spec, "clients", "n"),
            SpecInteger(spec, "clients", "f"),
            summary.Rounds,
            summary.FinalAccuracy,
            summary.BestAccuracy,
            new RunTimes(summary.Seconds, summary.Compute, summary.Attack, summary.Aggregation, summary.Evaluation),
            ReadCsvIfPresent(Path.Combine(folder, ResultsStore.MetricsFile)),
            ReadCsvIfPresent(Path.Combine(folder, "rounds.csv")),
            ReadCsvIfPresent(Path.Combine(folder, "clients.csv")),
            state);
    }

    private static int SpecInteger(string spec, string section, string key) =>
        int.Parse(SpecValue(spec, section, key) ?? throw new InvalidDataException($"spec.yaml has no {section}.{key}"), CultureInfo.InvariantCulture);

    /// <summary>
    /// The value of <paramref name="section"/>.<paramref name="key"/> in a run's canonical
    /// <c>spec.yaml</c> (written by RunSpec.ToCanonicalYaml: "section:\n  key: value" lines), or null.
    /// </summary>
    internal static string? SpecValue(string spec, string section, string key)
    {
        bool inside = false;
        foreach (string line in spec.Split('\n'))
        {
            if (!line.StartsWith(' '))
            {
                inside = line == section + ":";
            }
            else if (inside && line.TrimStart().StartsWith(key + ": ", StringComparison.Ordinal))
            {
                return line.TrimStart()[(key.Length + 2)..];
            }
        }

        return null;
    }

    private static ImmutableArray<CsvRow> ReadCsvIfPresent(string path) => File.Exists(path) ? ReadCsv(path) : [];

    private static ImmutableArray<string> ReadHeader(string path)
    {
        using var reader = CsvReader.Create(new StreamReader(path), new CsvReaderOptions(), false);
        reader.ReadHeader();
        return [.. reader.Headers];
    }

    /// <summary>Reads a CSV file with a header row into rows keyed by column name.</summary>
    public static ImmutableArray<CsvRow> ReadCsv(string path)
    {
        using var reader = CsvReader.Create(new StreamReader(path), new CsvReaderOptions(), false);
        reader.ReadHeader();
        var header = reader.Headers.ToImmutableArray();
        var rows = ImmutableArray.CreateBuilder<CsvRow>();
        while (reader.Read())
        {
            rows.Add(new CsvRow(header, header
                .Select((name, i) => KeyValuePair.Create(name, i < reader.FieldCount ? reader[i].ToString() : ""))
                .ToImmutableDictionary(StringComparer.Ordinal)));
        }

        return rows.ToImmutable();
    }
}
