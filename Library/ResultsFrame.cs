using System.Globalization;
using ByzantineSim.Experiments.Reports;
using ByzantineSim.Experiments.Results;
using Microsoft.Data.Analysis;

namespace ByzantineSim;

/// <summary>Builds the data frames of <see cref="Results"/> from what the report's reader found.</summary>
internal static class ResultsFrame
{
    private const string SeedAxis = "seed";

    /// <summary>One row per complete run and evaluation: run id, axes, seed, n, f, then every metrics.csv column.</summary>
    public static DataFrame Tidy(SweepResults results)
    {
        var axes = results.Axes.Where(a => a != SeedAxis).ToList();
        // Columns in order of first appearance: validation metrics exist only in runs that hold a set out.
        var metrics = results.Runs.SelectMany(r => r.Metrics.Take(1)).SelectMany(row => row.Header).Where(c => c != "round").Distinct().ToList();
        var runIds = new List<string>();
        var axisValues = axes.ToDictionary(a => a, _ => new List<string>());
        var seeds = new List<long?>();
        var clients = new List<int?>();
        var byzantine = new List<int?>();
        var rounds = new List<int?>();
        var values = metrics.ToDictionary(m => m, _ => new List<double?>());
        foreach (var run in results.Runs)
        {
            long seed = Seed(results.Folder, run);
            foreach (var row in run.Metrics)
            {
                runIds.Add(run.Id);
                foreach (string axis in axes)
                {
                    axisValues[axis].Add(run.Label(axis));
                }

                seeds.Add(seed);
                clients.Add(run.Clients);
                byzantine.Add(run.Byzantine);
                rounds.Add(int.Parse(row.Text("round"), CultureInfo.InvariantCulture));
                foreach (string metric in metrics)
                {
                    values[metric].Add(row.Header.Contains(metric) ? row.Number(metric) : null);
                }
            }
        }

        var columns = new List<DataFrameColumn> { new StringDataFrameColumn("run_id", runIds) };
        columns.AddRange(axes.Select(a => new StringDataFrameColumn(a, axisValues[a])));
        columns.Add(new Int64DataFrameColumn(SeedAxis, seeds));
        columns.Add(new Int32DataFrameColumn("n", clients));
        columns.Add(new Int32DataFrameColumn("f", byzantine));
        columns.Add(new Int32DataFrameColumn("round", rounds));
        columns.AddRange(metrics.Select(m => new DoubleDataFrameColumn(m, values[m])));
        return new DataFrame(columns);
    }

    /// <summary>Per setting and rule: mean final accuracy (%) against each attack, the worst case and its attack.</summary>
    public static DataFrame Accuracy(SweepAnalysis analysis)
    {
        var settings = new List<string>();
        var rules = new List<string>();
        var perAttack = analysis.Attacks.ToDictionary(a => a, _ => new List<double?>());
        var worst = new List<double?>();
        var worstAttack = new List<string?>();
        foreach (string setting in analysis.Settings)
        {
            foreach (string rule in analysis.Rules)
            {
                settings.Add(setting);
                rules.Add(rule);
                foreach (string attack in analysis.Attacks)
                {
                    var final = analysis.Final(setting, attack, rule);
                    perAttack[attack].Add(final.Count == 0 ? null : Math.Round(100 * final.Mean, 2));
                }

                var (accuracy, attackName) = analysis.Worst(setting, rule);
                worst.Add(attackName is null ? null : Math.Round(100 * accuracy, 2));
                worstAttack.Add(attackName);
            }
        }

        var columns = new List<DataFrameColumn>();
        if (analysis.Settings.Length > 1 || analysis.Settings[0].Length > 0)
        {
            columns.Add(new StringDataFrameColumn("setting", settings));
        }

        columns.Add(new StringDataFrameColumn("rule", rules));
        columns.AddRange(analysis.Attacks.Select(a => new DoubleDataFrameColumn(a, perAttack[a])));
        columns.Add(new DoubleDataFrameColumn("worst_case", worst));
        columns.Add(new StringDataFrameColumn("worst_attack", worstAttack));
        return new DataFrame(columns);
    }

    // A run's seed is an axis when the sweep varies it; otherwise it is the top-level `seed:` line of its canonical spec.yaml.
    private static long Seed(string folder, RunRecord run)
    {
        string text = run.Labels.TryGetValue(SeedAxis, out string? label)
            ? label
            : File.ReadLines(Path.Combine(folder, run.Id, ResultsStore.SpecFile))
                .FirstOrDefault(line => line.StartsWith(SeedAxis + ": ", StringComparison.Ordinal))?[(SeedAxis.Length + 2)..]
                ?? throw new InvalidDataException($"{run.Id}/{ResultsStore.SpecFile} has no seed");
        return long.Parse(text, CultureInfo.InvariantCulture);
    }
}
