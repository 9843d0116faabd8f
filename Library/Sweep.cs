using System.Runtime.CompilerServices;
using ByzantineSim.Experiments.Reports;
using ByzantineSim.Experiments.Results;
using ByzantineSim.Experiments.Running;
using ByzantineSim.Experiments.Specs;
using ByzantineSim.Simulator;

namespace ByzantineSim;

/// <summary>How <see cref="Sweep.RunAsync"/> runs a sweep; the defaults are <c>byzsim run</c>'s.</summary>
/// <param name="ResultsRoot">Root folder of results; the sweep writes into <c>ResultsRoot/&lt;sweep name&gt;</c>.</param>
/// <param name="Parallel">Runs executing at once; 0: four per core, as the CLI.</param>
/// <param name="Trainers">Trainer threads shared by all runs; 0: one per core. Results do not depend on it.</param>
/// <param name="Force">Rerun runs that are already complete (otherwise they are skipped, so a sweep resumes).</param>
/// <param name="Report">Write <c>report.html</c> and <c>figures/</c> at the end, as <c>byzsim run</c> does.</param>
public sealed record SweepRunOptions(string ResultsRoot = "results", int Parallel = 0, int Trainers = 0, bool Force = false, bool Report = false);

/// <summary>
/// A validated sweep: a spec file loaded, YAML text parsed, or a sweep built in code with
/// <see cref="Create"/>. Every way goes through the readers of <c>byzsim run</c>, against the
/// built-in plug-ins and those registered with <see cref="Plugins"/>, so the same mistakes give the
/// same errors (a <see cref="SpecException"/> naming the file or the C# call site, the line and
/// the YAML path of each problem). Immutable: <see cref="With"/> returns a new sweep.
/// </summary>
public sealed class Sweep
{
    private readonly Func<IReadOnlyList<string>, SweepPlan> _read;
    private readonly IReadOnlyList<string> _settings;

    private Sweep(Func<IReadOnlyList<string>, SweepPlan> read, IReadOnlyList<string> settings, string yaml, SweepPlan? plan = null)
    {
        _read = read;
        _settings = settings;
        Plan = plan ?? read(settings);
        Yaml = yaml;
    }

    /// <summary>The expanded, validated sweep: every run with its id, resolved spec and axis values.</summary>
    public SweepPlan Plan { get; }

    /// <summary>The sweep's name, which names its results folder.</summary>
    public string Name => Plan.Name;

    /// <summary>The sweep's description (empty when none).</summary>
    public string Description => Plan.Description;

    /// <summary>Its axes, in document order.</summary>
    public IReadOnlyList<string> Axes => Plan.Axes;

    /// <summary>Number of distinct runs.</summary>
    public int RunCount => Plan.Runs.Length;

    /// <summary>The spec as YAML (the file's text, or the built sweep written out); kept as <c>sweep.yaml</c> beside the results.</summary>
    public string Yaml { get; }

    /// <summary>Loads and validates a spec file (as <c>byzsim validate</c>); throws <see cref="SpecException"/> listing every problem.</summary>
    public static Sweep Load(string path)
    {
        var catalog = Plugins.Catalog;
        SweepPlan Read(IReadOnlyList<string> settings) => SweepLoader.Load(path, settings, Limits(), catalog);

        // Validated first: SpecFile refuses what is not a regular file before anything reads it.
        var plan = Read([]);
        return new Sweep(Read, [], File.ReadAllText(path), plan);
    }

    /// <summary>Parses and validates YAML text; <paramref name="name"/> stands for the file in errors.</summary>
    public static Sweep Parse(string yaml, string name = "sweep.yaml")
    {
        var catalog = Plugins.Catalog;
        return new Sweep(settings => SweepLoader.Parse(yaml, name, settings, Limits(), catalog), [], yaml);
    }

    /// <summary>
    /// Starts a sweep in code. The builder mirrors a spec file: <see cref="SweepBuilder.Set"/> is
    /// <c>base</c>, <see cref="SweepBuilder.Grid"/> an axis of <c>grid</c>, <see cref="SweepBuilder.Seeds"/>
    /// the <c>seed</c> axis, <see cref="SweepBuilder.Case"/> an entry of <c>cases</c>. Errors name
    /// the line of the call that set the offending value.
    /// </summary>
    public static SweepBuilder Create(string name, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        new(name, file, line);

    /// <summary>Creates a sweep from a tree the builder made.</summary>
    internal static Sweep FromTree(Experiments.Yaml.YMapping root, string file, string yaml)
    {
        var catalog = Plugins.Catalog;
        return new Sweep(settings => SweepLoader.Parse(root, file, settings, Limits(), catalog), [], yaml);
    }

    /// <summary>
    /// This sweep with <c>path=value</c> overrides applied to every run (the CLI's <c>--set</c>),
    /// e.g. <c>With("training.rounds=5")</c> for a quick look at a long sweep.
    /// </summary>
    public Sweep With(params string[] settings) => new(_read, [.. _settings, .. settings], Yaml);

    /// <summary>
    /// Runs every run not complete yet (all with <see cref="SweepRunOptions.Force"/>) on the
    /// simulator <c>byzsim run</c> uses, storing results as they finish; reports
    /// <see cref="SweepEvent"/>s to <paramref name="progress"/>. A run that fails is reported and
    /// the others go on; cancelling stops the runs in progress (a later call resumes) and throws
    /// <see cref="OperationCanceledException"/>. Returns the results folder read back.
    /// </summary>
    /// <exception cref="ResultsLockedException">Another process is writing into the same results folder.</exception>
    public async Task<Results> RunAsync(SweepRunOptions? options = null, IProgress<SweepEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new SweepRunOptions();
        int trainers = options.Trainers > 0 ? options.Trainers : Environment.ProcessorCount;
        int parallel = options.Parallel > 0 ? options.Parallel : 4 * Environment.ProcessorCount;
        var store = new ResultsStore(Path.GetFullPath(options.ResultsRoot), Plan.Name);
        SweepOutcome outcome;
        using (store.Claim())
        {
            store.WriteFile(SweepResults.SpecFile, Yaml);
            await using var simulator = SimulatorSystem.Create(trainers);
            var runner = new SweepRunner(simulator, store);
            outcome = await runner.RunAsync(Plan, new SweepOptions(parallel, options.Force), new SweepEvent.Observer(progress), cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var results = Results.Load(store.Folder, outcome);
        if (options.Report)
        {
            results.Report();
        }

        return results;
    }

    /// <inheritdoc />
    public override string ToString() => $"sweep '{Name}': {RunCount} runs over {string.Join(", ", Axes)}";

    // As `byzsim validate`: a run that needs more memory than this machine has is refused.
    private static ResourceLimits Limits() => ResourceLimits.Machine(Environment.ProcessorCount);
}
