using System.Globalization;

namespace ByzantineSim.Experiments.Tests;

/// <summary>The <c>bench</c> command end to end, on its smallest workload (no speed is asserted).</summary>
public sealed class BenchCommandTests() : TempFolderTest("byzsim-bench-")
{
    [Fact]
    public async Task Workload3_PrintsItsMeasurementsAndWritesMarkdown()
    {
        var outcome = await CliProcess.RunAsync(Folder, "bench", "--workload", "3", "--rounds", "3", "--trainers", "1", "--markdown", "bench.md");
        Assert.True(outcome.ExitCode == 0, outcome.Output + outcome.Error);

        // bench-result id rounds trainers wall round compute attack crafting aggregation evaluation peak imbalance measured-rounds
        var fields = outcome.Output.Split('\n').Single(l => l.StartsWith("bench-result ", StringComparison.Ordinal)).Trim().Split(' ');
        Assert.Equal(["3", "3", "1"], fields[1..4]);
        var seconds = fields[4..11].Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToList();
        Assert.All(seconds, s => Assert.True(double.IsFinite(s) && s >= 0, string.Join(' ', fields)));
        Assert.True(seconds[1] > 0 && seconds[1] < seconds[0], $"a round cannot take longer than the run: {string.Join(' ', fields)}");
        Assert.True(seconds[3] <= seconds[2], $"crafting is a part of the attack: {string.Join(' ', fields)}");
        Assert.True(long.Parse(fields[11], CultureInfo.InvariantCulture) > 10_000_000, "peak memory in bytes");
        double imbalance = double.Parse(fields[12], CultureInfo.InvariantCulture);
        Assert.True(imbalance >= 0 && imbalance <= seconds[1], $"trainers wait for the slowest only within a round: {string.Join(' ', fields)}");
        Assert.Equal("2", fields[13]);

        var markdown = File.ReadAllLines(Path.Combine(Folder, "bench.md"));
        Assert.StartsWith("| workload | rounds/s | ms/round |", markdown[0], StringComparison.Ordinal);
        Assert.StartsWith("| 3 | ", markdown[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteCifar10_WritesWorkload4sFiles_WhichTheLoaderAndWorkload4sSpecRead()
    {
        var outcome = await CliProcess.RunAsync(Folder, "bench", "--write-cifar10", "cifar");
        Assert.True(outcome.ExitCode == 0, outcome.Output + outcome.Error);
        string folder = Path.Combine(Folder, "cifar");
        var data = Clients.Data.CifarBinaryDataset.Load(folder, Clients.Data.CifarVariant.Cifar10, "cifar-10");
        Assert.Equal((5000, 1000), (data.Train.Count, data.Test.Count));
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => Clients.Data.GeneratedCifar.Label(i, 10)), data.Train.Labels.ToArray());

        var workload = Experiments.Running.BenchWorkloads.All.Single(w => w.Id == 4);
        Assert.True(workload.GeneratedCifar10);
        var run = Assert.Single(Experiments.Specs.SweepLoader.Parse(workload.Yaml.Replace("{rounds}", "2", StringComparison.Ordinal).Replace("{folder}", folder, StringComparison.Ordinal), "bench-4").Runs);
        Assert.Equal("resnet20", run.Setup.Model.Name);
    }

    [Fact]
    public void MeasuredWindow_StartsAtRound0_OrAtTheFirstRoundClosingAfterTheInitialEvaluation()
    {
        double[] closed = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        Assert.Equal(0, Experiments.Running.BenchWorkloads.MeasuredWindow(closed, null));
        Assert.Equal(0, Experiments.Running.BenchWorkloads.MeasuredWindow(closed, 0.5));
        Assert.Equal(3, Experiments.Running.BenchWorkloads.MeasuredWindow(closed, 3.5));
        Assert.Equal(2, Experiments.Running.BenchWorkloads.MeasuredWindow(closed, 3.0));
        Assert.Equal(4, Experiments.Running.BenchWorkloads.MeasuredWindow(closed, 5.0));
        var error = Assert.Throws<InvalidOperationException>(() => Experiments.Running.BenchWorkloads.MeasuredWindow(closed, 5.5));
        Assert.Contains("give more --rounds", error.Message, StringComparison.Ordinal);
        Assert.True(Experiments.Running.BenchWorkloads.All.Single(w => w.Id == 4).MeasureAfterInitialEvaluation);
        Assert.DoesNotContain(Experiments.Running.BenchWorkloads.All, w => w.Id != 4 && w.MeasureAfterInitialEvaluation);
    }

    [Fact]
    public async Task OneRound_IsRefusedWithTheReason()
    {
        var outcome = await CliProcess.RunAsync(Folder, "bench", "--workload", "3", "--rounds", "1");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("error: --rounds: must be at least 2 (got 1): round 0 overlaps the initial evaluation and is not measured (byzsim bench --help lists the options)\n", outcome.Error.ReplaceLineEndings("\n"));
    }
}
