using System.Globalization;

namespace ByzantineSim.Experiments.Tests.Cluster;

/// <summary>
/// The cluster commands end to end, as separate processes on 127.0.0.1: a coordinator and
/// workers, one of them SIGKILLed part-way, or the coordinator itself killed and restarted. Every
/// run must be recorded exactly once, with metrics byte-identical to the same sweep run locally.
/// </summary>
public sealed class ClusterSweepTests(ClusterSweepTests.LocalReference reference) : IDisposable, IClassFixture<ClusterSweepTests.LocalReference>
{
    // 12 runs of a fraction of a second each on one trainer: long enough to kill a node in the middle.
    private static readonly string Spec = TinySpec.Head("cluster", train: 1000, test: 200, n: 10, f: 2, rounds: 120, evalEvery: 40, hidden: 16, learningRate: 0.1) + """
        grid:
          aggregator: [mean, median, cge, krum]
          attack: [none, sign-flip, alie]
        """;

    private const int RunCount = 12;
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(3);
    private static readonly string[] DeterministicFiles = ["metrics.csv", "rounds.csv", "clients.csv", "spec.yaml"];

    private readonly string _folder = reference.NewFolder();
    private readonly List<NodeProcess> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }

    private string SweepFolder => Path.Combine(_folder, "results", "cluster");

    private int CompletedRuns() =>
        Directory.Exists(SweepFolder) ? Directory.GetDirectories(SweepFolder).Count(d => File.Exists(Path.Combine(d, "summary.json"))) : 0;

    /// <summary>
    /// SIGKILLs <paramref name="node"/> as soon as <paramref name="count"/> runs are complete and
    /// <paramref name="worker"/> has taken a run (a worker that joins late may have none yet).
    /// </summary>
    private async Task KillWhenCompletedAsync(int count, NodeProcess node, NodeProcess worker, NodeProcess coordinator) =>
        Assert.True(
            await Watch.ThenAsync(() => CompletedRuns() >= count && worker.Output.Contains("running ", StringComparison.Ordinal), node.Kill, Long),
            $"fewer than {count} runs completed in time, or {worker.Name} took none\n{coordinator.Transcript}\n{worker.Transcript}");

    private NodeProcess Coordinator(int port)
    {
        var node = NodeProcess.Start("coordinator", _folder, "cluster", "coordinator", "cluster.yaml", "--results", "results",
            "--port", port.ToString(CultureInfo.InvariantCulture), "--failure-timeout", "2");
        _nodes.Add(node);
        return node;
    }

    /// <summary>Starts a coordinator on a free port and waits until it is up; workers join it at that port.</summary>
    private async Task<(NodeProcess Coordinator, int Port)> StartCoordinatorAsync()
    {
        int port = NodeProcess.FreePort();
        var coordinator = Coordinator(port);
        await coordinator.WaitForOutputAsync("coordinator up at", Long);
        return (coordinator, port);
    }

    private NodeProcess Worker(string name, int port)
    {
        var node = NodeProcess.Start(name, _folder, "cluster", "worker", "--seed", $"127.0.0.1:{port}",
            "--parallel", "1", "--trainers", "1", "--failure-timeout", "2", "--join-timeout", "60");
        _nodes.Add(node);
        return node;
    }

    private async Task AssertSameAsLocalAsync()
    {
        string local = await reference.FolderAsync();
        var runs = RunFolders.Of(SweepFolder);
        var expected = RunFolders.Of(local); // the local run also wrote its report's figures/
        Assert.Equal(RunCount, expected.Count);
        Assert.Equal(expected, runs); // one folder per run: none missing, none extra
        foreach (string run in runs)
        {
            Assert.True(File.Exists(Path.Combine(SweepFolder, run, "summary.json")), $"{run} is incomplete");
            foreach (string file in DeterministicFiles)
            {
                Assert.True(
                    File.ReadAllBytes(Path.Combine(SweepFolder, run, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(local, run, file))),
                    $"{run}/{file} differs from the local sweep");
            }
        }

        Assert.Empty(Directory.GetFiles(SweepFolder, "*.tmp", SearchOption.AllDirectories));
        var index = File.ReadAllLines(Path.Combine(SweepFolder, "runs.csv")).Skip(1).ToList();
        Assert.Equal(RunCount, index.Count);
        Assert.All(index, line => Assert.Contains(",complete,", line, StringComparison.Ordinal));
        Assert.Equal(RunCount, index.Select(line => line.Split(',')[0]).Distinct().Count());
    }

    private static void AssertNoUnhandledError(NodeProcess node)
    {
        Assert.DoesNotContain("Unhandled exception", node.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweep_WorkerKilledMidway_EveryRunRecordedOnceWithLocalMetrics()
    {
        var (coordinator, port) = await StartCoordinatorAsync();
        var doomed = Worker("worker-1", port);
        var survivor = Worker("worker-2", port);

        // Once it has taken a run, and with 9 runs left, the doomed worker holds one: the run it is
        // on, or the next one, which the coordinator hands it as it records the last.
        await KillWhenCompletedAsync(3, doomed, doomed, coordinator);

        Assert.Equal(0, await coordinator.WaitForExitAsync(Long));
        Assert.Equal(0, await survivor.WaitForExitAsync(Long));
        string transcript = coordinator.Transcript + survivor.Transcript + doomed.Transcript;
        Assert.Matches(@"worker lost: akka\.tcp://byzantinesim@127\.0\.0\.1:\d+; requeued 1 run\(s\)", coordinator.Output);
        Assert.Contains($"{RunCount} runs completed, 0 already complete, 0 failed; 1 requeued from lost workers", coordinator.Output, StringComparison.Ordinal);
        Assert.True(coordinator.Error.Length == 0, transcript);
        Assert.Contains("the sweep is finished; left the cluster", survivor.Output, StringComparison.Ordinal);
        AssertNoUnhandledError(coordinator);
        AssertNoUnhandledError(survivor);
        await AssertSameAsLocalAsync();
    }

    [Fact]
    public async Task Sweep_CoordinatorKilledAndRestarted_ResumesWithoutRedoingCompletedRuns()
    {
        var (first, port) = await StartCoordinatorAsync();
        var orphan = Worker("worker-1", port);
        await KillWhenCompletedAsync(3, first, orphan, first);
        int completedBefore = CompletedRuns();
        Assert.True(completedBefore < RunCount, $"the sweep finished before its coordinator was killed\n{first.Transcript}");

        var (second, secondPort) = await StartCoordinatorAsync();
        var worker = Worker("worker-2", secondPort);
        int secondExit = await second.WaitForExitAsync(Long);
        int workerExit = await worker.WaitForExitAsync(Long);
        Assert.True(secondExit == 0 && workerExit == 0, $"coordinator exited {secondExit}, worker {workerExit}\n{second.Transcript}\n{worker.Transcript}");
        // Its coordinator gone, the first worker gave up rather than wait forever.
        Assert.Equal(1, await orphan.WaitForExitAsync(Long));
        Assert.Contains("coordinator", orphan.Error, StringComparison.Ordinal);

        var census = System.Text.RegularExpressions.Regex.Match(second.Output, @"sweep 'cluster': 12 runs: (\d+) complete, (\d+) left incomplete by an earlier attempt, (\d+) new; running (\d+)");
        Assert.True(census.Success, second.Transcript);
        int complete = int.Parse(census.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(complete >= completedBefore && complete >= 3, $"{complete} complete at restart, {completedBefore} seen before\n{second.Transcript}");
        Assert.Equal(RunCount - complete, int.Parse(census.Groups[4].Value, CultureInfo.InvariantCulture));
        Assert.Contains($"{RunCount - complete} runs completed, {complete} already complete, 0 failed", second.Output, StringComparison.Ordinal);
        AssertNoUnhandledError(second);
        AssertNoUnhandledError(worker);
        await AssertSameAsLocalAsync();
    }

    /// <summary>The same sweep run locally (<c>byzsim run</c>) once, shared by the tests.</summary>
    public sealed class LocalReference() : ReferenceSweep("cluster", Spec, "--parallel", "2");
}
