using System.Diagnostics;

namespace ByzantineSim.Experiments.Tests;

/// <summary>Every way a command can go wrong ends in one line on stderr and the documented exit code, never a trace.</summary>
public sealed class CliErrorTests() : TempFolderTest("byzsim-errors-")
{
    private static readonly string Tiny = TinySpec.Head("tiny", train: 1000, test: 200, n: 9, f: 2, rounds: 4, evalEvery: 2, learningRate: null);

    private string Write(string name, string text)
    {
        File.WriteAllText(Path.Combine(Folder, name), text);
        return name;
    }

    private static void AssertOneLine(CliProcess.Outcome outcome, int exitCode, string expected)
    {
        Assert.True(outcome.ExitCode == exitCode, $"exit {outcome.ExitCode}: {outcome.Error}");
        Assert.Equal(expected + "\n", outcome.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Run_ResultsPathIsAFile_OneLineExitTwo()
    {
        string spec = Write("tiny.yaml", Tiny);
        Write("taken", "");
        var outcome = await CliProcess.RunAsync(Folder, "run", spec, "--results", "taken", "--plain");
        AssertOneLine(outcome, 2, "error: --results taken: is a file, not a folder; give a folder (it is created if missing)");
    }

    [Fact]
    public async Task Run_ResultsFolderCannotBeCreated_NamesTheOption()
    {
        string spec = Write("tiny.yaml", Tiny);
        Write("taken", "");
        var outcome = await CliProcess.RunAsync(Folder, "run", spec, "--results", "taken/sub", "--plain");
        AssertOneLine(outcome, 2, $"error: --results taken/sub: cannot create {Path.Combine(Folder, "taken", "sub", "tiny")}: Could not find a part of the path '{Path.Combine(Folder, "taken", "sub", "tiny")}'");
    }

    [Fact]
    public async Task Run_SweepNameTooLongForAFolder_OneLineExitTwo()
    {
        string spec = Write("long.yaml", Tiny.Replace("sweep: tiny", "sweep: " + new string('a', 300), StringComparison.Ordinal));
        var outcome = await CliProcess.RunAsync(Folder, "run", spec, "--plain");
        AssertOneLine(outcome, 2, "error: long.yaml: sweep: the name is 300 characters, but it names the results folder, which can have at most 255; shorten it");
    }

    [Fact]
    public async Task Run_ResultsPathIsAFileWithVerbose_PrintsTheTraceThenTheLine()
    {
        string spec = Write("tiny.yaml", Tiny);
        Write("taken", "");
        var outcome = await CliProcess.RunAsync(Folder, "run", spec, "--results", "taken", "--verbose");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("   at ByzantineSim.Experiments.Cli.Program", outcome.Error, StringComparison.Ordinal);
        Assert.EndsWith("error: --results taken: is a file, not a folder; give a folder (it is created if missing)\n", outcome.Error.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_TenBillionParameters_NamesModelHidden()
    {
        string spec = Write("huge.yaml", Tiny.Replace("hidden: [8]", "hidden: [100000, 100000]", StringComparison.Ordinal));
        var outcome = await CliProcess.RunAsync(Folder, "validate", spec);
        AssertOneLine(outcome, 2, "huge.yaml: 1 problem:\n  - huge.yaml:4:31: base.model.hidden: the model has 1e10 parameters, more than the 2.15e9 one float array can hold; lower it");
    }

    [Fact]
    public async Task Validate_OverMaxMemory_NamesTheDominantTermAndItsPath()
    {
        // d = 8*1024+1024 + 1024*4+4 = 13,316; 100,000 clients, 99,998 honest with momentum: 2 arrays each = 10.7 GB
        // once 20,000 rounds of 0.1% have sampled (nearly) every one of them.
        string spec = Write("big.yaml", Tiny
            .Replace("hidden: [8]", "hidden: [1024]", StringComparison.Ordinal)
            .Replace("n: 9, f: 2", "n: 100000, f: 2", StringComparison.Ordinal)
            .Replace("rounds: 4,", "rounds: 20000,", StringComparison.Ordinal)
            .Replace("eval_every: 2 }", "eval_every: 2, worker_momentum: 0.9, participation: 0.001 }", StringComparison.Ordinal));
        var outcome = await CliProcess.RunAsync(Folder, "validate", spec, "--max-memory", "8GB");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("big.yaml:5:17: base.clients.n: a run needs about 11.8 GB, over the 8 GB --max-memory; most of it is client state: 11.5 GB", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await CliProcess.RunAsync(Folder, "validate", spec, "--max-memory", "16GB")).ExitCode);
    }

    [Fact]
    public async Task ClusterCoordinator_PortInUse_OneLineExitTwo()
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        int port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        string spec = Write("tiny.yaml", Tiny);
        var outcome = await CliProcess.RunAsync(Folder, "cluster", "coordinator", spec, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AssertOneLine(outcome, 2, $"--port: cannot listen on 127.0.0.1:{port}: Address already in use; choose another port (or stop what holds it: another coordinator?)");
    }

    /// <summary>A command line the parser refuses (unknown option, wrong type, a count out of range) is bad input like a bad spec: one line, exit 2, no help dump.</summary>
    [Theory]
    [InlineData("run|tiny.yaml|--parallel|0", "error: --parallel: must be at least 1 (got 0) (byzsim run --help lists the options)")]
    [InlineData("run|tiny.yaml|--trainers|-3", "error: --trainers: must be at least 1 (got -3) (byzsim run --help lists the options)")]
    [InlineData("run|tiny.yaml|--bogus", "error: unrecognized command or argument '--bogus' (byzsim run --help lists the options)")]
    [InlineData("run|tiny.yaml|-p|abc", "error: --parallel: expected a whole number, got 'abc' (byzsim run --help lists the options)")]
    [InlineData("frobnicate", "error: unrecognized command or argument 'frobnicate' (byzsim --help lists the commands)")]
    [InlineData("run", "error: missing <file> (byzsim run --help lists the options)")]
    [InlineData("cluster", "error: no command given (byzsim cluster --help lists the commands)")]
    [InlineData("run|tiny.yaml|--max-memory", "error: --max-memory: needs a value (byzsim run --help lists the options)")]
    [InlineData("bench|--workload", "error: --workload: needs a value (byzsim bench --help lists the options)")]
    [InlineData("list|aggregatorz", "error: argument 'aggregatorz' not recognized. Must be one of: 'aggregators', 'pre-aggregators', 'attacks', 'datasets', 'models', 'partitioners', 'compressors' (byzsim list --help lists the options)")]
    [InlineData("bench|--workload|9", "error: --workload: no workload 9; the workloads are 1, 2, 3, 4 (byzsim bench --help lists the options)")]
    [InlineData("bench|--rounds|two", "error: --rounds: expected a whole number, got 'two' (byzsim bench --help lists the options)")]
    [InlineData("bench|--trainers|0", "error: --trainers: must be at least 1 (got 0) (byzsim bench --help lists the options)")]
    [InlineData("robustness|--restarts|0", "error: --restarts: must be at least 1 (got 0) (byzsim robustness --help lists the options)")]
    [InlineData("robustness|--steps|-1", "error: --steps: must be at least 0 (got -1) (byzsim robustness --help lists the options)")]
    [InlineData("cluster|worker|--seed|127.0.0.1:1|--parallel|0", "error: --parallel: must be at least 1 (got 0) (byzsim cluster worker --help lists the options)")]
    [InlineData("cluster|worker|--seed|127.0.0.1:1|--join-timeout|soon", "error: --join-timeout: expected a number, got 'soon' (byzsim cluster worker --help lists the options)")]
    [InlineData("cluster|worker|--seed|127.0.0.1:1|--join-timeout|0", "error: --join-timeout: must be a positive number of seconds (got 0) (byzsim cluster worker --help lists the options)")]
    public async Task CommandLine_Refused_OneLineExitTwo(string line, string expected)
    {
        Write("tiny.yaml", Tiny);
        var outcome = await CliProcess.RunAsync(Folder, line.Split('|'));
        AssertOneLine(outcome, 2, expected);
        Assert.Equal("", outcome.Output);
    }

    [Fact]
    public async Task Run_Sigterm_ExitsWith143()
    {
        string spec = Write("slow.yaml", Tiny.Replace("rounds: 4", "rounds: 100000", StringComparison.Ordinal));
        using var process = CliProcess.Start(Folder, "run", spec, "--plain", "--no-report");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // Signal once the run has started, so that the signal stops a running sweep, not start-up.
        while (!Directory.Exists(Path.Combine(Folder, "results", "tiny")) && !process.HasExited)
        {
            await Task.Delay(20);
        }

        await Task.Delay(500);
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 143, $"exit {process.ExitCode}: {await output}{await error}");
        Assert.Contains("interrupted: run the same command again to resume", await output, StringComparison.Ordinal);
        Assert.Equal("", await error);
    }
}
