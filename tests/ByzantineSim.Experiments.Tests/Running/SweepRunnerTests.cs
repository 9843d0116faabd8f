using System.Collections.Concurrent;
using ByzantineSim.Experiments.Running;
using ByzantineSim.Experiments.Tests.Results;
using ByzantineSim.Simulator;
using ByzantineSim.Simulator.Server;

namespace ByzantineSim.Experiments.Tests.Running;

/// <summary>
/// A sweep on a disk that fills up, simulated by an <see cref="AtomicFile"/> whose temporary
/// files run out of space: the run being written fails, every other run still runs and is kept.
/// </summary>
public sealed class SweepRunnerTests() : TempFolderTest("byzsim-disk-")
{
    private static readonly string Spec = TinySpec.Head("disk", train: 400, test: 100, n: 7, f: 1, rounds: 4, evalEvery: 2) + """
        grid:
          aggregator: [mean, median, cge]
        """;

    /// <summary>Runs the sweep (<see cref="Spec"/> unless given) with writes of files matching <paramref name="full"/> failing as on a full disk.</summary>
    private async Task<(SweepPlan Plan, ResultsStore Store, SweepOutcome Outcome, Observer Observer)> RunAsync(Func<string, bool> full, string? text = null)
    {
        string spec = Path.Combine(Folder, "disk.yaml");
        await File.WriteAllTextAsync(spec, text ?? Spec);
        var plan = SweepLoader.Load(spec);
        var files = new AtomicFile(temporary =>
        {
            var stream = new FileStream(temporary, FileMode.Create);
            return full(temporary) ? new FullDiskStream(stream, bytesLeft: 0) : stream;
        });
        var store = new ResultsStore(Path.Combine(Folder, "results"), plan.Name, files);
        var observer = new Observer();
        await using var simulator = SimulatorSystem.Create(1);
        var outcome = await new SweepRunner(simulator, store).RunAsync(plan, new SweepOptions(2, Force: false), observer, CancellationToken.None);
        return (plan, store, outcome, observer);
    }

    [Fact]
    public async Task RunAsync_IndexCannotBeWritten_EveryRunCompletesAndTheOutcomeSaysWhy()
    {
        var (plan, store, outcome, observer) = await RunAsync(temporary => Path.GetFileName(temporary).StartsWith(ResultsStore.IndexFile, StringComparison.Ordinal));

        Assert.Equal(3, outcome.Completed);
        Assert.Empty(outcome.Failures);
        Assert.Equal(3, observer.Completed.Count);
        Assert.Equal("No space left on device", outcome.IndexError);
        Assert.All(plan.Runs, run => Assert.Equal(RunStatus.Complete, store.Status(run)));
        Assert.Empty(Directory.GetFiles(store.Folder, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task RunAsync_RunFilesCannotBeWritten_FailsOnlyThatRunWithOneLineAndKeepsTheOthers()
    {
        var (plan, store, outcome, _) = await RunAsync(temporary =>
            Path.GetFileName(temporary).StartsWith(ResultsStore.MetricsFile, StringComparison.Ordinal)
            && Path.GetFileName(Path.GetDirectoryName(temporary))!.StartsWith("median-", StringComparison.Ordinal));

        var median = plan.Runs.Single(run => run.Id.StartsWith("median-", StringComparison.Ordinal));
        var (runId, reason) = Assert.Single(outcome.Failures);
        Assert.Equal(median.Id, runId);
        Assert.Equal("results not written (No space left on device); the run is redone next time", reason);
        Assert.Equal(2, outcome.Completed);
        Assert.Null(outcome.IndexError);
        Assert.Equal(RunStatus.Incomplete, store.Status(median));
        Assert.All(plan.Runs.Where(run => run != median), run => Assert.Equal(RunStatus.Complete, store.Status(run)));
        Assert.Empty(Directory.GetFiles(store.Folder, "*.tmp", SearchOption.AllDirectories));
        string index = await File.ReadAllTextAsync(Path.Combine(store.Folder, ResultsStore.IndexFile));
        Assert.Contains($"{median.Id},incomplete,", index, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_RunThrows_ItsFolderKeepsTheReasonForTheIndexAndTheReport()
    {
        // Seven clients cannot share five samples: the run throws as it starts.
        string text = TinySpec.Head("fails", train: 400, test: 100, n: 7, f: 1, rounds: 4, evalEvery: 2) + "grid:\n  data.train_size: [400, 5]\n";
        var (plan, store, outcome, _) = await RunAsync(_ => false, text);

        var failed = plan.Runs.Single(run => run.Id.StartsWith("5-", StringComparison.Ordinal));
        const string Reason = "cannot give 7 clients at least one of 5 samples";
        Assert.Equal((failed.Id, Reason), Assert.Single(outcome.Failures));
        Assert.Equal($"incomplete (failed: {Reason})", store.State(failed).ToString());
        string failure = await File.ReadAllTextAsync(Path.Combine(store.RunFolder(failed.Id), ResultsStore.FailureFile));
        Assert.StartsWith(Reason + "\n", failure, StringComparison.Ordinal);
        Assert.Contains("   at ", failure, StringComparison.Ordinal);
        string index = await File.ReadAllTextAsync(Path.Combine(store.Folder, ResultsStore.IndexFile));
        Assert.Contains($"{failed.Id},incomplete,5,,{failed.Spec.Hash()},failed: {Reason}", index, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Complete, store.Status(plan.Runs.Single(run => run != failed)));
    }

    private sealed class Observer : ISweepObserver
    {
        public ConcurrentBag<string> Completed { get; } = [];

        public void SweepStarted(SweepPlan plan, SweepCensus census)
        {
        }

        public void RunStarted(RunPlan run)
        {
        }

        public void RunProgressed(RunPlan run, RunProgress progress)
        {
        }

        public void RunCompleted(RunPlan run, RunResult result) => Completed.Add(run.Id);

        public void RunFailed(RunPlan run, Exception error)
        {
        }
    }
}
