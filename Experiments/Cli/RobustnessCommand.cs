using System.CommandLine;
using System.Globalization;
using ByzantineSim.Aggregators.Robustness;
using Spectre.Console;

namespace ByzantineSim.Experiments.Cli;

/// <summary>
/// <c>byzsim robustness</c>: the empirical (f, kappa) of each rule by adversarial search (see
/// <see cref="RobustnessSearch"/>), next to the proven bound and the universal lower bound.
/// </summary>
public static class RobustnessCommand
{
    /// <summary>
    /// The rules searched by default: every aggregator that works on the matrix alone (not FLTrust,
    /// which needs the server's update, nor the history rules, whose one-round behaviour the
    /// search would measure), and NNM before the four with a proven kappa.
    /// </summary>
    public static IReadOnlyList<string> DefaultRules =>
    [
        .. BuiltInAggregators.Aggregators.Names.Where(name =>
            BuiltInAggregators.Create(name, 0) is { NeedsServerUpdate: false, NeedsIdentities: false }),
        "nnm>krum", "nnm>trimmed-mean", "nnm>median", "nnm>geometric-median",
    ];

    /// <summary>Creates the <c>byzsim robustness</c> command, which searches for each rule's empirical kappa, with its options and handler.</summary>
    public static Command Create()
    {
        var rules = new Option<string[]>("--rules")
        {
            Description = "rules or pipelines such as krum or 'nnm>krum' (quote the '>'); default: every aggregator and nnm before krum, trimmed-mean, median, geometric-median",
            AllowMultipleArgumentsPerToken = true,
        };
        var ns = new Option<int[]>("--n") { Description = "numbers of inputs (default 10 25)", AllowMultipleArgumentsPerToken = true };
        var fs = new Option<int[]>("--f") { Description = "numbers of Byzantine inputs; every (n, f) with n > 2f is searched (default 2 5)", AllowMultipleArgumentsPerToken = true };
        var restarts = new Option<int>("--restarts") { Description = "restarts per (rule, n, f)", DefaultValueFactory = _ => new RobustnessSearchOptions().Restarts }.AtLeast(1);
        var steps = new Option<int>("--steps") { Description = "local-search steps per restart", DefaultValueFactory = _ => new RobustnessSearchOptions().Steps }.AtLeast(0);
        var seed = new Option<ulong>("--seed") { Description = "root seed", DefaultValueFactory = _ => new RobustnessSearchOptions().Seed };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "also write the table as markdown to this file" };
        var command = new Command("robustness", "Search adversarially for each rule's empirical robustness coefficient kappa")
        {
            rules, ns, fs, restarts, steps, seed, markdown,
        };
        command.SetAction(parse =>
        {
            var chosen = parse.GetValue(rules) is { Length: > 0 } given ? given : [.. DefaultRules];
            foreach (string rule in chosen)
            {
                try
                {
                    BuiltInAggregators.CreatePipeline(rule, 0);
                }
                catch (ArgumentException ex)
                {
                    Console.Error.WriteLine($"--rules: {ex.Message}");
                    return Program.InvalidInput;
                }
            }

            int[] nValues = parse.GetValue(ns) is { Length: > 0 } n ? n : [10, 25];
            int[] fValues = parse.GetValue(fs) is { Length: > 0 } f ? f : [2, 5];
            var populations = nValues.SelectMany(n => fValues.Where(f => f >= 0 && 2 * f < n).Select(f => (n, f))).ToList();
            if (populations.Count == 0)
            {
                Console.Error.WriteLine("--n/--f: no pair with n > 2f");
                return Program.InvalidInput;
            }

            var options = new RobustnessSearchOptions(Restarts: parse.GetValue(restarts), Steps: parse.GetValue(steps), Seed: parse.GetValue(seed));
            var results = RobustnessSearch.Run(chosen, populations, options);
            var table = new Table().Border(TableBorder.Rounded).AddColumns("rule", "n", "f", "empirical kappa", "proven bound", "of proven", "lower bound f/(n-2f)");
            foreach (var r in results)
            {
                table.AddRow(
                    Markup.Escape(r.Rule),
                    r.N.ToString(CultureInfo.InvariantCulture),
                    r.F.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(r.EmpiricalKappa is null ? "refused (condition)" : RobustnessReport.Format(r.EmpiricalKappa)),
                    Markup.Escape(RobustnessReport.Format(r.ProvenBound)),
                    Markup.Escape(RobustnessReport.OfProven(r)),
                    Markup.Escape(RobustnessReport.Format(r.LowerBound)));
            }

            AnsiConsole.Write(table);
            if (parse.GetValue(markdown) is { } file)
            {
                string command = CommandLine(parse.GetValue(rules), parse.GetValue(ns), parse.GetValue(fs), options, file);
                Results.AtomicFile.Default.Write(file.FullName, RobustnessReport.ToMarkdown(results, options, command));
                Console.WriteLine($"wrote {file}");
            }

            return Program.Ok;
        });
        return command;
    }

    /// <summary>The command line that reproduces a table: the options given, the budget where it is not the default, the markdown path as typed.</summary>
    public static string CommandLine(string[]? rules, int[]? ns, int[]? fs, RobustnessSearchOptions options, FileInfo markdown)
    {
        var defaults = new RobustnessSearchOptions();
        var parts = new List<string> { "./byzsim robustness" };
        if (rules is { Length: > 0 })
        {
            parts.Add("--rules " + string.Join(' ', rules.Select(r => r.Contains('>', StringComparison.Ordinal) ? $"'{r}'" : r)));
        }

        if (ns is { Length: > 0 })
        {
            parts.Add("--n " + string.Join(' ', ns.Select(n => n.ToString(CultureInfo.InvariantCulture))));
        }

        if (fs is { Length: > 0 })
        {
            parts.Add("--f " + string.Join(' ', fs.Select(f => f.ToString(CultureInfo.InvariantCulture))));
        }

        if (options.Restarts != defaults.Restarts)
        {
            parts.Add(FormattableString.Invariant($"--restarts {options.Restarts}"));
        }

        if (options.Steps != defaults.Steps)
        {
            parts.Add(FormattableString.Invariant($"--steps {options.Steps}"));
        }

        if (options.Seed != defaults.Seed)
        {
            parts.Add(FormattableString.Invariant($"--seed {options.Seed}"));
        }

        parts.Add($"--markdown {markdown}");
        return string.Join(' ', parts);
    }
}
