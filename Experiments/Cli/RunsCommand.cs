using System.CommandLine;
using System.Globalization;
using ByzantineSim.Experiments.Results;
using Spectre.Console;

namespace ByzantineSim.Experiments.Cli;

/// <summary>
/// <c>byzsim runs &lt;results-folder&gt;</c>: the status of every run of a sweep's results folder
/// (complete, possibly with failed aggregations, degenerate, incomplete, possibly corrupt, or pending) with its axis values and final accuracy, from <c>runs.csv</c>
/// and each run's <c>summary.json</c>.
/// </summary>
public static class RunsCommand
{
    /// <summary>The longest status the <c>runs</c> table keeps on one line.</summary>
    private const int MaxUnwrappedStatus = 100;

    /// <summary>Creates the <c>byzsim runs</c> command, which shows the status of every run in a results folder, with its options and handler.</summary>
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("results-folder") { Description = "a sweep's results folder, e.g. results/default" };
        var json = new Option<bool>("--json")
        {
            Description = "print a JSON array: run_id, axes (axis: value), status, detail, final_accuracy (0 to 1, or null), seconds (or null)",
        };
        var command = new Command("runs", "Show the status of every run in a sweep's results folder") { folder, json };
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(folder)!;
            string index = Path.Combine(directory.FullName, "runs.csv");
            if (!File.Exists(index))
            {
                Console.Error.WriteLine($"{directory}: no runs.csv here; give a sweep's results folder such as results/<sweep>");
                return Program.InvalidInput;
            }

            var rows = ReadIndex(index);
            if (parse.GetValue(json))
            {
                Console.Out.Write(Json(directory, rows));
                return Program.Ok;
            }

            if (Console.IsOutputRedirected)
            {
                AnsiConsole.Profile.Width = 200; // as for run: no terminal to wrap to
            }

            // runs.csv may be stale after a kill: the run's folder decides.
            var states = rows.Select(row => RunState.Read(Path.Combine(directory.FullName, row["run_id"]), row["spec_hash"])).ToList();
            var table = new Table().Border(TableBorder.Rounded);
            var header = rows.Count > 0 ? rows[0].Keys.Where(k => k is not ("spec_hash" or "final_test_accuracy" or "status" or "detail")).ToList() : [];
            foreach (string column in header.Append("status").Append("final accuracy").Append("seconds"))
            {
                // A status is read whole: "complete (3 of 8 aggregations failed)" must not break over
                // lines; a long one (a corruption's message) wraps, since a cell that cannot fit
                // unwrapped makes the table collapse to one ellipsis.
                table.AddColumn(new TableColumn(Markup.Escape(column)) { NoWrap = column is "run_id" || (column is "status" && states.All(state => state.ToString().Length <= MaxUnwrappedStatus)) });
            }

            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (row, state) in rows.Zip(states))
            {
                counts[state.Word] = counts.GetValueOrDefault(state.Word) + 1;
                var summary = state.Summary;
                string accuracy = summary is not null && double.IsFinite(summary.FinalAccuracy) ? (100 * summary.FinalAccuracy).ToString("F1", CultureInfo.InvariantCulture) + "%" : "-";
                string seconds = summary is not null && double.IsFinite(summary.Seconds) ? summary.Seconds.ToString("F1", CultureInfo.InvariantCulture) : "-";
                string colour = state.Degenerate || state.Corruption is not null || state.Failure is not null || state.Summary is { AttackFailures: > 0 } or { LostHonestUpdates: > 0 } ? "red" : state.Detail.Length > 0 ? "yellow" : "default";
                table.AddRow([.. header.Select(h => Markup.Escape(row[h])), $"[{colour}]{Markup.Escape(state.ToString())}[/]", accuracy, seconds]);
            }

            AnsiConsole.Write(table);
            Console.WriteLine(string.Join(", ", new[] { "complete", RunState.DegenerateWord, "incomplete", "pending" }
                .Where(s => s != RunState.DegenerateWord || counts.ContainsKey(s))
                .Select(s => $"{counts.GetValueOrDefault(s)} {s}")));
            return Program.Ok;
        });
        return command;
    }

    /// <summary>
    /// The runs as a JSON array, in the order of <c>runs.csv</c>, with each run's state read
    /// from its folder as the table shows it; numbers are null where the table shows "-".
    /// </summary>
    private static string Json(DirectoryInfo directory, List<Dictionary<string, string>> rows)
    {
        static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
        var runs = rows.Select(row =>
        {
            var state = RunState.Read(Path.Combine(directory.FullName, row["run_id"]), row["spec_hash"]);
            var axes = row.Where(p => p.Key is not ("run_id" or "spec_hash" or "final_test_accuracy" or "status" or "detail"))
                .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            return new
            {
                run_id = row["run_id"],
                axes,
                status = state.Word,
                detail = state.Detail,
                final_accuracy = Finite(state.Summary?.FinalAccuracy),
                seconds = Finite(state.Summary?.Seconds),
            };
        });
        return System.Text.Json.JsonSerializer.Serialize(runs, TextLayout.JsonOptions) + "\n";
    }

    private static List<Dictionary<string, string>> ReadIndex(string path)
    {
        using var reader = CsvHelper.CsvReader.Create(new StreamReader(path), new CsvHelper.CsvReaderOptions(), false);
        var rows = new List<Dictionary<string, string>>();
        reader.ReadHeader();
        var header = reader.Headers.ToList();
        while (reader.Read())
        {
            rows.Add(header.Select((name, i) => (name, value: i < reader.FieldCount ? reader[i].ToString() : ""))
                .ToDictionary(p => p.name, p => p.value, StringComparer.Ordinal));
        }

        return rows;
    }
}
