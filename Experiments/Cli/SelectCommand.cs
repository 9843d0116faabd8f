using System.CommandLine;
using System.Globalization;
using ByzantineSim.Experiments.Reports;

namespace ByzantineSim.Experiments.Cli;

/// <summary>
/// <c>byzsim select &lt;results-folder&gt; --tune &lt;axis&gt;</c>: hyperparameter selection against
/// the worst case (<see cref="WorstCaseSelection"/>): for each rule, the value of the tuned axes
/// (a learning rate, a rule's option) whose worst validation accuracy over the sweep's attacks is
/// highest, and the test accuracy at that value.
/// </summary>
public static class SelectCommand
{
    /// <summary>The metrics.csv columns the selection reads.</summary>
    private const string ValidationColumn = "validation_accuracy", TestColumn = "test_accuracy";

    /// <summary>Creates the <c>byzsim select</c> command, with its options and handler.</summary>
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("results-folder") { Description = "a sweep's results folder, e.g. results/default" };
        var tune = new Option<string[]>("--tune")
        {
            Description = "an axis whose values are the candidates, e.g. training.learning_rate (repeatable: candidates are their combinations)",
            Arity = ArgumentArity.OneOrMore,
            Required = true,
        };
        var json = new Option<bool>("--json") { Description = "print a JSON array: one selection per setting and rule" };
        var command = new Command("select", "Choose, for each rule, the value of the tuned axes that maximises the worst validation accuracy over the attacks, and report the test accuracy there")
        {
            folder, tune, json,
        };
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(folder)!;
            var results = SweepResults.Load(directory.FullName);
            var selections = WorstCaseSelection.Select(Runs(results, directory.ToString(), parse.GetValue(tune)!));
            if (parse.GetValue(json))
            {
                Console.Out.Write(Json(selections));
            }
            else
            {
                Print(selections);
            }

            return Program.Ok;
        });
        return command;
    }

    /// <summary>The runs of <paramref name="results"/> grouped by setting, rule, candidate and attack; throws <see cref="InputException"/> on a tuned axis the sweep lacks, or on runs without validation.</summary>
    public static IEnumerable<SelectionRun> Runs(SweepResults results, string folder, string[] tuned)
    {
        static bool Under(string axis, string root) => axis == root || axis.StartsWith(root + ".", StringComparison.Ordinal);
        foreach (string axis in tuned)
        {
            if (!results.Axes.Contains(axis) || axis == "seed" || Under(axis, "attack"))
            {
                throw new InputException($"--tune {axis}: not a tunable axis of {folder}; its axes: {string.Join(", ", results.Axes.Where(a => a != "seed" && !Under(a, "attack")))}");
            }
        }

        var rule = results.Axes.Where(a => (Under(a, "aggregator") || Under(a, "pre_aggregators")) && !tuned.Contains(a)).ToList();
        var attack = results.Axes.Where(a => Under(a, "attack")).ToList();
        var setting = results.Axes.Where(a => !rule.Contains(a) && !attack.Contains(a) && !tuned.Contains(a) && a != "seed").ToList();
        if (results.Runs.Any(r => !r.Metrics.IsEmpty && !r.Metrics[0].Header.Contains(ValidationColumn)))
        {
            throw new InputException($"{folder}: the runs have no {ValidationColumn} in metrics.csv; give the data set a validation_fraction (docs/experiments.md) and run the sweep again");
        }

        string Join(RunRecord run, List<string> axes, bool names) =>
            string.Join(", ", axes.Select(a => names ? $"{a}={run.Label(a)}" : run.Label(a)));
        return results.Runs.Select(run =>
        {
            var rows = run.Metrics.Where(m => double.IsFinite(m.Number("round"))).ToList();
            return new SelectionRun(
                Join(run, setting, names: true), rule.Count == 0 ? "all runs" : Join(run, rule, names: false), Join(run, [.. tuned], names: true),
                attack.Count == 0 ? "no attack axis" : Join(run, attack, names: false),
                [.. rows.Select(m => m.Number("round"))], [.. rows.Select(m => m.Number(ValidationColumn))], [.. rows.Select(m => m.Number(TestColumn))]);
        }).ToList();
    }

    private static string Percent(double value) => (100 * value).ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>One block per selection, wrapped to the output's width.</summary>
    private static void Print(IReadOnlyList<Selection> selections)
    {
        int width = TextLayout.Width();
        var text = new System.Text.StringBuilder();
        foreach (var s in selections)
        {
            text.Append(s.Setting.Length == 0 ? s.Rule : $"{s.Rule} ({s.Setting})").Append('\n');
            TextLayout.Wrap(text, $"chosen {s.Candidate}: worst validation {Percent(s.WorstValidation)}%, worst test {Percent(s.WorstTest)}% ({s.WorstAttack})", width, "  ", "    ");
            TextLayout.Wrap(text, "candidates (worst validation): " + string.Join(", ", s.Scores.Select(c => $"{c.Candidate} {Percent(c.WorstValidation)}%")), width, "  ", "    ");
            text.Append('\n');
        }

        Console.Out.Write(text.ToString());
    }

    private static string Json(IEnumerable<Selection> selections)
    {
        static double? Finite(double value) => double.IsFinite(value) ? value : null;
        var items = selections.Select(s => new
        {
            setting = s.Setting,
            rule = s.Rule,
            chosen = s.Candidate,
            worst_validation_accuracy = Finite(s.WorstValidation),
            worst_test_accuracy = Finite(s.WorstTest),
            worst_attack = s.WorstAttack,
            attacks = s.Attacks.Select(a => new { attack = a.Attack, round = Finite(a.Round), validation_accuracy = Finite(a.Validation), test_accuracy = Finite(a.Test) }),
            candidates = s.Scores.Select(c => new { candidate = c.Candidate, worst_validation_accuracy = Finite(c.WorstValidation) }),
        });
        return System.Text.Json.JsonSerializer.Serialize(items, TextLayout.JsonOptions) + "\n";
    }
}
