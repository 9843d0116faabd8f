namespace ByzantineSim.Experiments.Tests;

/// <summary>The <c>run</c> and <c>validate</c> commands end to end, in a child process.</summary>
public sealed class RunCommandTests() : TempFolderTest("byzsim-run-")
{
    private static readonly string Spec = TinySpec.Head("tiny", train: 1000, test: 200, n: 9, f: 2, rounds: 8, evalEvery: 4, workerMomentum: 0.5) + """
        grid:
          aggregator: [mean, cge]
          attack: [sign-flip, nan]
        """;

    private string Write(string name, string text)
    {
        File.WriteAllText(Path.Combine(Folder, name), text);
        return name;
    }

    [Fact]
    public async Task Run_SameSpecTwice_ByteIdenticalMetrics()
    {
        string spec = Write("tiny.yaml", Spec);
        var first = await CliProcess.RunAsync(Folder, "run", spec, "--results", "a", "--plain");
        var second = await CliProcess.RunAsync(Folder, "run", spec, "--results", "b", "--plain", "--parallel", "1");
        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        Assert.True(second.ExitCode == 0, second.Output + second.Error);

        var runs = RunFolders.Of(Path.Combine(Folder, "a", "tiny"));
        Assert.Equal(4, runs.Count);
        foreach (string run in runs)
        {
            foreach (string file in new[] { "metrics.csv", "rounds.csv", "clients.csv", "spec.yaml" })
            {
                var a = File.ReadAllBytes(Path.Combine(Folder, "a", "tiny", run, file));
                var b = File.ReadAllBytes(Path.Combine(Folder, "b", "tiny", run, file));
                Assert.True(a.SequenceEqual(b), $"{run}/{file} differs between runs");
            }
        }

        string metrics = File.ReadAllText(Path.Combine(Folder, "a", "tiny", runs[0]!, "metrics.csv"));
        Assert.StartsWith("round,train_loss,test_accuracy,test_loss,aggregated\n0,NaN,", metrics, StringComparison.Ordinal);
        Assert.Equal(4, metrics.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("final test accuracy", first.Output, StringComparison.Ordinal);
        Assert.Contains("4 runs completed, 0 already complete, 0 failed", first.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Again_SkipsCompletedRuns()
    {
        string spec = Write("tiny.yaml", Spec);
        Assert.Equal(0, (await CliProcess.RunAsync(Folder, "run", spec, "--plain")).ExitCode);
        var again = await CliProcess.RunAsync(Folder, "run", spec, "--plain");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("0 runs completed, 4 already complete, 0 failed", again.Output, StringComparison.Ordinal);
        string index = File.ReadAllText(Path.Combine(Folder, "results", "tiny", "runs.csv"));
        Assert.Equal(4, index.Split('\n').Count(line => line.Contains(",complete,", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Run_TemporariesAndLockOfAKilledProcess_RemovedAtStart()
    {
        string spec = Write("tiny.yaml", Spec);
        string sweep = Path.Combine(Folder, "results", "tiny");
        string dead = Results.AtomicFileTests.DeadPid();
        Directory.CreateDirectory(Path.Combine(sweep, "figures"));
        string[] stale = [Path.Combine(sweep, $"runs.csv.{dead}.tmp"), Path.Combine(sweep, "figures", $"accuracy.png.{dead}.tmp")];
        foreach (string file in stale)
        {
            File.WriteAllText(file, "");
        }

        File.WriteAllText(Path.Combine(sweep, "byzsim.lock"), $"pid {dead}\nhost {Environment.MachineName}\n");
        var outcome = await CliProcess.RunAsync(Folder, "run", spec, "--plain", "--no-report");
        Assert.True(outcome.ExitCode == 0, outcome.Output + outcome.Error);
        Assert.Empty(Directory.GetFiles(sweep, "*.tmp", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(sweep, "byzsim.lock")));
    }

    [Fact]
    public async Task Run_SecondRunOnTheSameFolder_RefusesNamingTheOwnerAndTheFirstCompletes()
    {
        // Long enough (4 runs one at a time, several seconds) for the second process to start while the
        // first works, even on a loaded machine.
        string spec = Write("tiny.yaml", Spec.Replace("rounds: 8", "rounds: 2000", StringComparison.Ordinal));
        using var first = CliProcess.Start(Folder, "run", spec, "--plain", "--parallel", "1", "--no-report");
        var firstOutput = first.StandardOutput.ReadToEndAsync();
        var firstError = first.StandardError.ReadToEndAsync();
        string lockFile = Path.Combine(Folder, "results", "tiny", "byzsim.lock");
        while (!File.Exists(lockFile) && !first.HasExited)
        {
            await Task.Delay(20);
        }

        var second = await CliProcess.RunAsync(Folder, "run", spec, "--plain");
        bool firstStillRunning = !first.HasExited;
        await first.WaitForExitAsync();
        Assert.True(firstStillRunning, "the first run ended before the second started: " + await firstOutput);
        Assert.Equal(1, second.ExitCode);
        Assert.Equal(
            $"{Path.Combine(Folder, "results", "tiny")}: in use by another byzsim run (pid {first.Id} on {Environment.MachineName}); wait for it to end, or delete {lockFile} if that process is gone\n",
            second.Error.ReplaceLineEndings("\n"));
        Assert.Equal("", second.Output);
        Assert.True(first.ExitCode == 0, await firstOutput + await firstError);
        Assert.Contains("4 runs completed, 0 already complete, 0 failed", await firstOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(lockFile));
    }

    [Fact]
    public async Task Run_MalformedSpec_ExitsTwoAndNamesFileLineAndPath()
    {
        string spec = Write("bad.yaml", """
            sweep: bad
            base:
              clients: { n: 10, f: 5 }
              colour: blue
            grid:
              aggregator: [mean, krun]
            """);
        var outcome = await CliProcess.RunAsync(Folder, "run", spec);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal(
            """
            bad.yaml: 3 problems:
              - bad.yaml:3:24: base.clients.f: must be less than n/2 (n=10, got f=5)
              - bad.yaml:4:3: base.colour: unknown key 'colour'; known: adversary, aggregator, asynchrony, attack, clients, compression, data, device, faults, label_dilution, model, partition, pre_aggregators, privacy, seed, server, server_data, threat, topology, training, unreliable
              - bad.yaml:6:22: grid.aggregator[1]: unknown aggregator 'krun' (did you mean 'krum'?); known: bulyan, caf, centered-clipping, cge, clipped-clustering, dnc, flag, flame, fltrust, foolsgold, geometric-median, krum, mda, meamed, mean, median, monna, mud-hog, multi-krum, signguard, smea, trimmed-mean

            """.ReplaceLineEndings("\n"),
            outcome.Error.ReplaceLineEndings("\n"));
        Assert.False(Directory.Exists(Path.Combine(Folder, "results")));
    }

    [Fact]
    public async Task Validate_PrintsRunCount()
    {
        string spec = Write("tiny.yaml", Spec);
        var outcome = await CliProcess.RunAsync(Folder, "validate", spec);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("tiny.yaml: valid; sweep 'tiny' expands to 4 runs over axes: aggregator, attack\n", outcome.Output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task MissingFile_ExitsTwo()
    {
        var outcome = await CliProcess.RunAsync(Folder, "validate", "nothing.yaml");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("spec file not found: nothing.yaml", outcome.Error, StringComparison.Ordinal);
    }
}
