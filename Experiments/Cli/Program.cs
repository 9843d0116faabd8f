using System.CommandLine;
using System.Globalization;
using ByzantineSim.Experiments.Reports;
using ByzantineSim.Experiments.Results;
using ByzantineSim.Experiments.Running;
using ByzantineSim.Experiments.Specs;
using ByzantineSim.Simulator;
using Spectre.Console;

namespace ByzantineSim.Experiments.Cli;

/// <summary>The <c>byzsim</c> command line.</summary>
public static class Program
{
    /// <summary>Exit code: success.</summary>
    public const int Ok = 0;

    /// <summary>Exit code: runs failed or the sweep was interrupted.</summary>
    public const int RunFailed = 1;

    /// <summary>Exit code: the spec is invalid, a file is missing, or the command line is wrong.</summary>
    public const int InvalidInput = 2;

    /// <summary>Exit code: stopped by Ctrl+C (SIGINT), the shell convention 128 + 2.</summary>
    public const int Interrupted = 130;

    /// <summary>Exit code: stopped by SIGTERM, the shell convention 128 + 15.</summary>
    public const int Terminated = 143;

    /// <summary>How long a command may take to stop after a signal before the process ends anyway.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(60);

    /// <summary>Runs the <c>byzsim</c> command line; returns the process exit code.</summary>
    public static async Task<int> Main(string[] args)
    {
        var verbose = new Option<bool>("--verbose") { Description = "print the stack trace of an error", Recursive = true };
        var root = new RootCommand("ByzantineSim: Byzantine-robust federated learning simulator")
        {
            verbose,
            RunCommand(),
            ValidateCommand(),
            ListCommand.Create(),
            RunsCommand.Create(),
            BenchCommand.Create(),
            RobustnessCommand.Create(),
            ReportCommand.Create(),
            ClusterCommand.Create(),
            ValidationCommand.Create(),
            SelectCommand.Create(),
        };
        // A signal cancels the action's token; running runs stop at their next message and the
        // results index is written before the process ends (ProcessSignals). Any exception that
        // gets this far becomes one line and an exit code, never a trace unless asked for.
        using var signals = new ProcessSignals(StopGrace);
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
        var parse = root.Parse(args);
        if (CommandLineChecks.Refusal(parse, args.Length) is { } refusal)
        {
            Console.Error.WriteLine(refusal);
            return InvalidInput;
        }

        int code;
        try
        {
            code = await parse.InvokeAsync(invocation, signals.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (signals.ExitCode is not null)
        {
            code = Interrupted;
        }
#pragma warning disable CA1031 // The top of the process: whatever it is, report it in one line.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            code = CliErrors.Report(ex, parse.GetValue(verbose), Console.Error);
        }

        return code == Interrupted ? signals.ExitCode ?? Interrupted : code;
    }

    private static Command RunCommand()
    {
        var file = new Argument<FileInfo>("file") { Description = "the sweep spec (YAML)" };
        var parallel = new Option<int>("--parallel", "-p")
        {
            // A run alternates between computing on the trainers and aggregating or messaging;
            // with several runs per trainer one run's gaps are filled by another's work.
            // Lower it for runs whose memory matters (thousands of clients, big models).
            Description = "runs executing at once (default: 4 per core, so trainers never wait)",
            DefaultValueFactory = _ => 4 * Environment.ProcessorCount,
        }.AtLeast(1);
        var force = new Option<bool>("--force") { Description = "rerun runs that are already complete" };
        var results = new Option<DirectoryInfo>("--results")
        {
            Description = "root folder of results",
            DefaultValueFactory = _ => new DirectoryInfo("results"),
        };
        var plain = new Option<bool>("--plain") { Description = "plain log lines instead of the live display" };
        var noReport = new Option<bool>("--no-report") { Description = "skip writing report.html and figures/ at the end" };
        var trainers = new Option<int>("--trainers")
        {
            Description = "trainer threads shared by all runs (results do not depend on it)",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        }.AtLeast(1);
        var set = SetOption();
        var maxMemory = MaxMemoryOption();
        var command = new Command("run", "Run a sweep: every run that is not complete yet, then print the summary table and write the report")
        {
            file, parallel, force, results, plain, trainers, noReport, set, maxMemory,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var plan = Load(parse.GetValue(file)!, parse.GetValue(set), Limits(parse, maxMemory, parse.GetValue(trainers)));
            if (plan is null)
            {
                return InvalidInput;
            }

            var store = new ResultsStore(ResultsRoot(parse.GetValue(results)!, plan), plan.Name);
            using var claim = FolderClaim.TryClaim(store);
            if (claim is null)
            {
                return RunFailed;
            }

            // The report shows the sweep as written; keep a copy beside its results.
            store.WriteFile(SweepResults.SpecFile, File.ReadAllText(plan.File));
            var console = AnsiConsole.Console;
            bool live = !parse.GetValue(plain) && !Console.IsOutputRedirected && console.Profile.Capabilities.Interactive;
            if (Console.IsOutputRedirected)
            {
                // Logs and CI: no terminal to wrap to, so keep each table row and log line on one line.
                console.Profile.Width = 200;
            }

            var observer = new ConsoleSweepObserver(console, live);
            await using var simulator = SimulatorSystem.Create(parse.GetValue(trainers));
            var runner = new SweepRunner(simulator, store);
            var outcome = await observer.WithDisplayAsync(() =>
                runner.RunAsync(plan, new SweepOptions(parse.GetValue(parallel), parse.GetValue(force)), observer, cancellation)).ConfigureAwait(false);

            SummaryPrinter.Print(console, plan, store);
            console.WriteLine($"results: {store.Folder}");
            console.WriteLine($"{English.Count(outcome.Completed, "run")} completed, {outcome.Skipped} already complete, {outcome.Failures.Length} failed" +
                (outcome.Cancelled ? "; interrupted: run the same command again to resume" : ""));
            var time = outcome.Time;
            if (outcome.Completed > 0)
            {
                console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"time: {time.WallSeconds:F1} s wall on {time.Threads} trainer threads; compute {time.ComputeSeconds:F1} s, attack {time.AttackSeconds:F1} s, " +
                    $"aggregation {time.AggregationSeconds:F1} s, evaluation {time.EvaluationSeconds:F1} s; overhead {100 * time.Overhead:F1}% of capacity"));
            }
            foreach (var (runId, reason) in outcome.Failures)
            {
                console.WriteLine($"  failed {runId}: {reason}");
            }

            if (outcome.IndexError is { } indexError)
            {
                Console.Error.WriteLine($"{ResultsStore.IndexFile}: not written ({indexError}); the run folders hold the results, the next run rewrites it");
            }

            bool reported = true;
            if (!parse.GetValue(noReport))
            {
                // Also after an interruption: a report of partial results says what is missing.
                try
                {
                    ReportCommand.Print(SweepReport.Write(store.Folder, FigureSize.Default));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException)
                {
                    // The runs are stored whatever happens here; say so, and let `byzsim report` be retried.
                    Console.Error.WriteLine($"report: failed, the results are complete on disk ({ex.Message}); retry with: byzsim report {store.Folder}");
                    reported = false;
                }
            }

            return outcome.Cancelled ? Interrupted : outcome.Failures.IsEmpty && outcome.IndexError is null && reported ? Ok : RunFailed;
        });
        return command;
    }

    private static Command ValidateCommand()
    {
        var file = new Argument<FileInfo>("file") { Description = "the sweep spec (YAML)" };
        var set = SetOption();
        var maxMemory = MaxMemoryOption();
        var command = new Command("validate", "Check a sweep spec without running it and print how many runs it expands to") { file, set, maxMemory };
        command.SetAction(parse =>
        {
            var plan = Load(parse.GetValue(file)!, parse.GetValue(set), Limits(parse, maxMemory, Environment.ProcessorCount));
            if (plan is null)
            {
                return InvalidInput;
            }

            Console.WriteLine($"{plan.File}: valid; sweep '{plan.Name}' expands to {English.Count(plan.Runs.Length, "run")} over axes: {string.Join(", ", plan.Axes)}");
            return Ok;
        });
        return command;
    }

    /// <summary>
    /// The root folder of results, checked before anything is written: not a file, and the
    /// sweep's folder name within what the file system allows (255 bytes).
    /// </summary>
    internal static string ResultsRoot(DirectoryInfo root, SweepPlan plan)
    {
        if (File.Exists(root.FullName))
        {
            throw new InputException($"--results {root}: is a file, not a folder; give a folder (it is created if missing)");
        }

        const int MaxName = 255;
        if (System.Text.Encoding.UTF8.GetByteCount(plan.Name) > MaxName)
        {
            throw new InputException($"{plan.File}: sweep: the name is {plan.Name.Length} characters, but it names the results folder, which can have at most {MaxName}; shorten it");
        }

        // Created here, so that a path that cannot hold it is named as the option at fault.
        string folder = Path.Combine(root.FullName, plan.Name);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"--results {root}: cannot create {folder}: {CliErrors.Describe(ex)}");
        }

        return root.FullName;
    }

    /// <summary>The repeatable <c>--set path=value</c> option: overrides applied to every run of the spec.</summary>
    private static Option<string[]> SetOption() => new("--set")
    {
        Description = "override a setting of every run, after grid and cases (repeatable), e.g. --set training.rounds=2 for a smoke run",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>The <c>--max-memory</c> option: the memory one run may need (default: this machine's).</summary>
    private static Option<string?> MaxMemoryOption() => new("--max-memory")
    {
        Description = "memory a run may need, e.g. 8GB or 512MB (default: this machine's memory); a spec whose runs need more is refused",
    };

    private static ResourceLimits Limits(ParseResult parse, Option<string?> maxMemory, int trainers) =>
        parse.GetValue(maxMemory) is { } text
            ? new ResourceLimits(MemorySize.Parse(text, maxMemory.Name), maxMemory.Name, Math.Max(1, trainers))
            : ResourceLimits.Machine(Math.Max(1, trainers));

    /// <summary>Loads a spec, printing every problem to stderr on failure.</summary>
    internal static SweepPlan? Load(FileInfo file, string[]? settings = null, ResourceLimits? limits = null)
    {
        try
        {
            // FileInfo.ToString() is the path as the user typed it, which is what messages should show.
            return SweepLoader.Load(file.ToString(), settings ?? [], limits);
        }
        catch (SpecException ex)
        {
            Console.Error.WriteLine(ex.Message);
        }
        catch (FileNotFoundException ex)
        {
            Console.Error.WriteLine(ex.Message);
        }

        return null;
    }
}
