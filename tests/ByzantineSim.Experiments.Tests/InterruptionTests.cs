using System.Diagnostics;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// A sweep killed part-way (SIGKILL) or stopped with Ctrl+C (SIGINT) resumes to exactly the
/// results of an uninterrupted sweep: no run lost, none duplicated, metrics byte-identical.
/// </summary>
public sealed class InterruptionTests(InterruptionTests.Reference reference) : IDisposable, IClassFixture<InterruptionTests.Reference>
{
    // 24 runs of about a second each: long enough to interrupt in the middle.
    private static readonly string Spec = TinySpec.Head("resume", train: 2000, test: 400, n: 10, f: 2, rounds: 400, evalEvery: 100, hidden: 32, learningRate: 0.1) + """
        grid:
          aggregator: [mean, median, cge, krum]
          attack: [none, sign-flip, alie]
          seed: [1, 2]
        """;

    private readonly string _folder = reference.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string SweepFolder(string results) => Path.Combine(_folder, results, "resume");

    private int CompletedRuns(string results) =>
        Directory.Exists(SweepFolder(results))
            ? Directory.GetDirectories(SweepFolder(results)).Count(d => File.Exists(Path.Combine(d, "summary.json")))
            : 0;

    /// <summary>Starts a sweep and signals it once a few runs have completed.</summary>
    private async Task InterruptAsync(string results, string signal)
    {
        using var process = CliProcess.Start(_folder, "run", "resume.yaml", "--results", results, "--plain", "--parallel", "2");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        int atSignal = -1;
        bool signalled = false;
        bool ready = await Watch.ThenAsync(
            () => CompletedRuns(results) >= 4 || process.HasExited,
            () =>
            {
                atSignal = CompletedRuns(results);
                signalled = !process.HasExited;
                if (!signalled)
                {
                    return;
                }

                if (signal == "KILL")
                {
                    process.Kill(entireProcessTree: true);
                }
                else
                {
                    using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
                    kill.WaitForExit();
                }
            },
            TimeSpan.FromMinutes(2));
        Assert.True(ready, $"fewer than 4 runs completed in {waited.Elapsed}");
        if (!signalled)
        {
            // Reading the output waits for the process to end, so only do it once it has.
            Assert.Fail($"the sweep ended after {atSignal} runs, before it could be interrupted: " + await output + await error);
        }

        await process.WaitForExitAsync();
        Assert.True(CompletedRuns(results) < 24, $"the sweep completed although interrupted after {atSignal} runs (waited {waited.Elapsed}): {await output}{await error}");
        if (signal == "INT")
        {
            Assert.True(process.ExitCode == 130, $"exit code {process.ExitCode} after SIGINT at {atSignal} runs; output: {await output}{await error}");
            Assert.Contains("interrupted: run the same command again to resume", await output, StringComparison.Ordinal);
        }
    }

    private async Task AssertResumesToUninterrupted(string results)
    {
        var resumed = await CliProcess.RunAsync(_folder, "run", "resume.yaml", "--results", results, "--plain");
        Assert.True(resumed.ExitCode == 0, resumed.Output + resumed.Error);
        Assert.Matches(@"sweep 'resume': 24 runs: \d+ complete, \d+ left incomplete by an earlier attempt, \d+ new; running \d+", resumed.Output);

        string referenceFolder = await reference.FolderAsync();
        var runs = RunFolders.Of(SweepFolder(results));
        var expected = RunFolders.Of(referenceFolder);
        Assert.Equal(24, expected.Count);
        Assert.Equal(expected, runs); // exactly the 24 runs, no duplicates, no leftovers
        foreach (string run in runs)
        {
            foreach (string file in new[] { "metrics.csv", "rounds.csv", "clients.csv", "spec.yaml" })
            {
                Assert.True(
                    File.ReadAllBytes(Path.Combine(SweepFolder(results), run, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(referenceFolder, run, file))),
                    $"{run}/{file} differs from the uninterrupted sweep");
            }
        }

        Assert.Empty(Directory.GetFiles(SweepFolder(results), "*.tmp", SearchOption.AllDirectories));
        string index = File.ReadAllText(Path.Combine(SweepFolder(results), "runs.csv"));
        Assert.Equal(24, index.Split('\n').Count(line => line.Contains(",complete,", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Sweep_KilledWithSigkill_ResumesToTheUninterruptedResults()
    {
        await InterruptAsync("killed", "KILL");
        await AssertResumesToUninterrupted("killed");
    }

    [Fact]
    public async Task Sweep_StoppedWithCtrlC_ExitsCleanlyAndResumes()
    {
        await InterruptAsync("stopped", "INT");
        await AssertResumesToUninterrupted("stopped");
    }

    /// <summary>The same sweep run once without interruption, shared by the tests.</summary>
    public sealed class Reference() : ReferenceSweep("resume", Spec);
}
