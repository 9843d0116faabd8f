using System.Diagnostics;
using Xunit.Abstractions;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// A sweep killed with SIGKILL at 20 random moments of its processes' lives (runs, index,
/// report and figures) resumes each time to the files of an uninterrupted sweep, and no kill
/// leaves a half-written file that a later process takes for a result or leaves behind. The kill
/// times are seeded delays after the process takes the folder's lock, not fractions of a
/// measured duration, so that a loaded machine moves where they land, not how many processes run.
/// </summary>
public sealed class RepeatedKillTests(RepeatedKillTests.Reference reference, ITestOutputHelper log) : IDisposable, IClassFixture<RepeatedKillTests.Reference>
{
    private const int Kills = 20;

    // Kill times come from this seed; changing it changes where the kills land, not the verdict.
    private const int Seed = 2024;

    private static readonly string Spec = TinySpec.Head("kills", train: 600, test: 100, n: 7, f: 1, rounds: 60, evalEvery: 10) + """
        grid:
          aggregator: [mean, cge]
          attack: [none, sign-flip]
        """;

    // One run at a time, so that the runs' writes spread over the sweep's life.
    private static readonly string[] Arguments = ["run", "kills.yaml", "--plain", "--parallel", "1"];

    private static readonly string[] Deterministic = ["metrics.csv", "rounds.csv", "clients.csv", "spec.yaml"];

    private readonly string _folder = reference.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Results => Path.Combine(_folder, "results", "kills");

    private List<string> CompleteRuns() =>
        Directory.Exists(Results) ? [.. RunFolders.Of(Results).Where(run => File.Exists(Path.Combine(Results, run, "summary.json")))] : [];

    [Fact]
    public async Task Sweep_KilledWithSigkillAt20RandomMoments_ResumesToByteIdenticalResultsWithoutTemporaries()
    {
        string expected = await reference.FolderAsync();
        int total = RunFolders.Of(expected).Count;
        var random = new Random(Seed);
        int kills = 0, duringReport = 0, finished = 0, resumes = 0;
        while (kills < Kills)
        {
            if (CompleteRuns().Count == total)
            {
                // Only the report is left: finish it, check, and start again from nothing so that the next kills land among the runs.
                var finish = await CliProcess.RunAsync(_folder, Arguments);
                Assert.True(finish.ExitCode == 0, finish.Output + finish.Error);
                AssertSameAsUninterrupted(expected, finish.Output);
                Directory.Delete(Results, recursive: true);
                resumes++;
            }

            using var process = CliProcess.Start(_folder, Arguments);
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            // Kill times count from when the process owns the folder: before, it writes nothing.
            while (!OwnsTheFolder(process) && !process.HasExited)
            {
                await Task.Delay(5);
            }

            // Every fourth kill waits for the runs to be stored, so that it lands in the index and report writing.
            bool aimAtReport = kills % 4 == 3;
            while (aimAtReport && CompleteRuns().Count < total && !process.HasExited)
            {
                await Task.Delay(5);
            }

            var delay = TimeSpan.FromSeconds((aimAtReport ? 0.3 : 1.0) * random.NextDouble());
            await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(delay));
            bool reporting = CompleteRuns().Count == total;
            bool killed = !process.HasExited;
            if (killed)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            if (!killed)
            {
                // It finished before its kill: check it, and start again from nothing.
                Assert.True(process.ExitCode == 0, await output + await error);
                finished++;
                AssertSameAsUninterrupted(expected, await output);
                Directory.Delete(Results, recursive: true);
                continue;
            }

            kills++;
            duringReport += reporting ? 1 : 0;
            AssertNothingTorn(expected);
        }

        var resumed = await CliProcess.RunAsync(_folder, Arguments);
        Assert.True(resumed.ExitCode == 0, resumed.Output + resumed.Error);
        AssertSameAsUninterrupted(expected, resumed.Output);
        log.WriteLine($"{kills} kills ({duringReport} after the runs were stored), {resumes} resumes of a killed report, {finished} sweeps finished before their kill");
        Assert.True(duringReport >= Kills / 4, $"only {duringReport} kills landed after the runs were stored");
    }

    private bool OwnsTheFolder(Process process)
    {
        try
        {
            return File.ReadAllText(Path.Combine(Results, "byzsim.lock")).StartsWith($"pid {process.Id}\n", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    // What a killed process leaves: complete runs identical to the reference, whole index and report.
    private void AssertNothingTorn(string expected)
    {
        foreach (string run in CompleteRuns())
        {
            AssertSameFiles(expected, run);
        }

        string index = Path.Combine(Results, "runs.csv");
        Assert.True(!File.Exists(index) || File.ReadAllText(index).EndsWith('\n'), "runs.csv is torn");
        string report = Path.Combine(Results, "report.html");
        Assert.True(!File.Exists(report) || File.ReadAllText(report).TrimEnd().EndsWith("</html>", StringComparison.Ordinal), "report.html is torn");
    }

    private void AssertSameAsUninterrupted(string expected, string output)
    {
        var runs = RunFolders.Of(Results);
        Assert.True(RunFolders.Of(expected).SequenceEqual(runs), output);
        foreach (string run in runs)
        {
            AssertSameFiles(expected, run);
        }

        Assert.Empty(Directory.GetFiles(Results, "*.tmp", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(Results, "byzsim.lock")));
        Assert.Equal(
            Directory.GetFiles(Path.Combine(expected, "figures")).Select(Path.GetFileName).Order(StringComparer.Ordinal),
            Directory.GetFiles(Path.Combine(Results, "figures")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private void AssertSameFiles(string expected, string run)
    {
        foreach (string file in Deterministic)
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(Results, run, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(expected, run, file))),
                $"{run}/{file} differs from the uninterrupted sweep");
        }
    }

    /// <summary>The same sweep run once without interruption.</summary>
    public sealed class Reference() : ReferenceSweep("kills", Spec);
}
