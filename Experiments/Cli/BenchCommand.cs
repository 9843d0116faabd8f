using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ByzantineSim.Experiments.Running;
using Spectre.Console;

namespace ByzantineSim.Experiments.Cli;

/// <summary>
/// <c>byzsim bench</c>: runs the fixed end-to-end workloads and prints rounds per second, the
/// time split per round and peak memory. With several workloads each runs in its own process,
/// so that peak memory belongs to one workload.
/// </summary>
public static class BenchCommand
{
    /// <summary>Creates the <c>byzsim bench</c> command, which measures the end-to-end workloads, with its options and handler.</summary>
    public static Command Create()
    {
        var workloads = new Option<int[]>("--workload", "-w")
        {
            Description = "workloads to run (1, 2, 3, 4; default: all but 4): " + string.Join("; ", BenchWorkloads.All.Select(w => $"{w.Id}: {w.Title}")),
            AllowMultipleArgumentsPerToken = true,
        };
        var rounds = new Option<int?>("--rounds") { Description = "rounds per workload, at least 2: the first is not measured, and a two-round warm-up run comes before (default: the workload's own)" };
        rounds.Validators.Add(result =>
        {
            if (CommandLineChecks.Parsed(result, out int? given) && given is < 2)
            {
                result.AddError($"--rounds: must be at least 2 (got {given}): round 0 overlaps the initial evaluation and is not measured");
            }
        });
        var trainers = new Option<int>("--trainers")
        {
            Description = "trainer threads",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        }.AtLeast(1);
        workloads.Validators.Add(result =>
        {
            var unknown = CommandLineChecks.Parsed(result, out int[]? ids) ? (ids ?? []).Where(id => BenchWorkloads.All.All(w => w.Id != id)).ToList() : [];
            if (unknown.Count > 0)
            {
                result.AddError($"--workload: no workload {string.Join(", ", unknown)}; the workloads are {string.Join(", ", BenchWorkloads.All.Select(w => w.Id))}");
            }
        });
        var markdown = new Option<FileInfo?>("--markdown") { Description = "also write the table as markdown to this file" };
        var writeCifar = new Option<DirectoryInfo?>("--write-cifar10")
        {
            Description = $"write workload 4's generated CIFAR-10 binary files ({5 * BenchWorkloads.Cifar10PerBatch} train, {BenchWorkloads.Cifar10Test} test) into this folder and exit, e.g. to feed them to another simulator",
        };
        var command = new Command("bench", "Measure the end-to-end workloads: rounds per second, time split, peak memory")
        {
            workloads, rounds, trainers, markdown, writeCifar,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            if (parse.GetValue(writeCifar) is { } target)
            {
                BenchWorkloads.WriteCifar10(target.FullName);
                Console.WriteLine($"wrote data_batch_1..5.bin and test_batch.bin to {target.FullName}");
                return Program.Ok;
            }

            var chosen = parse.GetValue(workloads) is { Length: > 0 } ids
                ? BenchWorkloads.All.Where(w => ids.Contains(w.Id)).ToList()
                : [.. BenchWorkloads.All.Where(w => w.ByDefault)];
            var results = new List<BenchResult>();
            foreach (var workload in chosen)
            {
                int roundCount = parse.GetValue(rounds) ?? workload.DefaultRounds;
                if (chosen.Count == 1)
                {
                    results.Add(await BenchWorkloads.RunAsync(workload, roundCount, parse.GetValue(trainers), cancellation).ConfigureAwait(false));
                }
                else
                {
                    // A child process per workload keeps each peak-memory figure its own.
                    var child = await RunChildAsync(workload.Id, roundCount, parse.GetValue(trainers), cancellation).ConfigureAwait(false);
                    if (child is null)
                    {
                        return Program.RunFailed;
                    }

                    results.Add(child);
                }
            }

            Print(results);
            if (parse.GetValue(markdown) is { } file)
            {
                Results.AtomicFile.Default.Write(file.FullName, ToMarkdown(results));
            }

            // The machine-readable line a parent process reads back.
            foreach (var r in results)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"bench-result {r.Workload.Id} {r.Rounds} {r.Trainers} {r.WallSeconds:R} {r.RoundSeconds:R} {r.ComputeSeconds:R} {r.AttackSeconds:R} {r.CraftingSeconds:R} {r.AggregationSeconds:R} {r.EvaluationSeconds:R} {r.PeakMemoryBytes} {r.ImbalanceSeconds:R} {r.MeasuredRounds}"));
            }

            return Program.Ok;
        });
        return command;
    }

    private static async Task<BenchResult?> RunChildAsync(int id, int rounds, int trainers, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            // The executable's assembly (byzsim.dll), not this library's.
            start.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()!.Location);
        }

        foreach (string arg in new[] { "bench", "--workload", $"{id}", "--rounds", $"{rounds}", "--trainers", $"{trainers}" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync(cancellation).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("bench-result ", StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            Console.Error.WriteLine($"workload {id} failed:\n{output}");
            return null;
        }

        var f = line.Split(' ');
        double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        return new BenchResult(
            BenchWorkloads.All.Single(w => w.Id == id), int.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture),
            D(4), D(5), D(6), D(7), D(8), D(9), D(10), long.Parse(f[11], CultureInfo.InvariantCulture), D(12))
        {
            MeasuredRounds = int.Parse(f[13], CultureInfo.InvariantCulture),
        };
    }

    private static void Print(List<BenchResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns(Columns);
        foreach (var r in results)
        {
            table.AddRow(Row(r));
        }

        AnsiConsole.Write(table);
        foreach (var r in results)
        {
            Console.WriteLine($"workload {r.Workload.Id}: {r.Workload.Title}; {r.MeasuredRounds} of {r.Rounds} rounds measured" +
                (r.Workload.MeasureAfterInitialEvaluation ? " (those closing after the initial model's evaluation ended)" : " (all after round 0)"));
        }

        Console.WriteLine("compute and attack: time per round, trainer time summed over trainers; imbalance: trainers waiting for the slowest at the end of a round's training, per trainer;");
        Console.WriteLine("overhead (actors, messaging, handling each update): ms/round minus training (honest and Byzantine) / trainers, minus crafting and aggregation (serial stages), minus imbalance.");
    }

    /// <summary>The table's columns, in the order of <see cref="Row"/>: printed and in markdown.</summary>
    private static readonly string[] Columns = ["workload", "rounds/s", "ms/round", "compute ms", "attack ms", "aggregation ms", "imbalance ms", "overhead ms", "evaluation s", "peak MB"];

    private static string[] Row(BenchResult r) =>
    [
        $"{r.Workload.Id}",
        F(r.RoundsPerSecond, "F2"),
        F(1000 * r.RoundSeconds, "F1"),
        F(1000 * r.ComputeSeconds, "F1"),
        F(1000 * r.AttackSeconds, "F1"),
        F(1000 * r.AggregationSeconds, "F2"),
        F(1000 * r.ImbalanceSeconds, "F1") + $" ({F(100 * r.ImbalanceSeconds / r.RoundSeconds, "F0")}%)",
        F(1000 * r.OverheadSeconds, "F1") + $" ({F(100 * r.OverheadSeconds / r.RoundSeconds, "F0")}%)",
        F(r.EvaluationSeconds, "F3"),
        F(r.PeakMemoryBytes / 1e6, "F0"),
    ];

    private static string ToMarkdown(List<BenchResult> results) =>
        "| " + string.Join(" | ", Columns) + " |\n" +
        "|" + string.Concat(Columns.Select(_ => "---|")) + "\n" +
        string.Concat(results.Select(r => "| " + string.Join(" | ", Row(r)) + " |\n"));

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
