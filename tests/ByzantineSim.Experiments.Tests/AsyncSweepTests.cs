namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// A tiny asynchronous sweep through the CLI: metrics.csv gains simulated_seconds, arrivals.csv
/// lists every update with its staleness, the report is written, and the files are byte-identical
/// whatever the number of runs executing at once or of trainers.
/// </summary>
public sealed class AsyncSweepTests
{
    private static readonly string Spec = TinySpec.Head("async", train: 1000, test: 200, n: 8, f: 1, rounds: 6, evalEvery: 3) + """
          attack: sign-flip
          aggregator: median
          asynchrony: { mode: fedbuff, buffer: 4, staleness: { name: polynomial, a: 0.5 }, compute: { delay: exponential, mean: 1, spread: 4 } }
        cases:
          - { asynchrony: { mode: fedasync, compute: { delay: exponential, mean: 1, spread: 4 } }, aggregator: mean }
          - { asynchrony: { mode: sync, compute: { delay: exponential, mean: 1, spread: 4 } } }
        """;

    private static async Task<Dictionary<string, string>> Run(string folder, params string[] options)
    {
        string[] args = ["run", "async.yaml", "--plain", .. options];
        var run = await CliProcess.RunAsync(folder, args);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        string results = Path.Combine(folder, "results", "async");
        Assert.True(File.Exists(Path.Combine(results, "report.html")));
        // The learning curves also against simulated seconds, interactive and as files.
        Assert.Contains("simulated seconds", await File.ReadAllTextAsync(Path.Combine(results, "report.html")), StringComparison.Ordinal);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(results, "figures"), "accuracy-time*.png"));
        return Directory.GetDirectories(results)
            .Where(d => File.Exists(Path.Combine(d, "metrics.csv")))
            .SelectMany(d => new[] { "metrics.csv", "rounds.csv", "arrivals.csv" }.Select(f => Path.Combine(d, f)))
            .ToDictionary(f => Path.GetRelativePath(results, f), File.ReadAllText);
    }

    [Fact]
    public async Task AsyncSweep_RecordsSimulatedTimeAndStaleness_IdenticallyAtAnyParallelism()
    {
        string folder = Directory.CreateTempSubdirectory("byzsim-async-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "async.yaml"), Spec);
            var first = await Run(folder, "--parallel", "1", "--trainers", "1");
            Assert.Equal(9, first.Count); // three runs, three files each
            foreach (var (name, text) in first.Where(f => f.Key.EndsWith("metrics.csv", StringComparison.Ordinal)))
            {
                var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal("round,train_loss,test_accuracy,test_loss,aggregated,simulated_seconds", lines[0]);
                Assert.Equal(4, lines.Length); // header, steps 0, 3, 6
                Assert.Equal("0", lines[1].Split(',')[^1]);
                Assert.True(double.Parse(lines[3].Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture) > 0, name);
            }

            var arrivals = first.Where(f => f.Key.EndsWith("arrivals.csv", StringComparison.Ordinal)).Select(f => f.Value.Split('\n')[0]).Distinct();
            Assert.Equal(["step,client,byzantine,start,arrival,base_version,staleness,weight,outcome,versions_held"], arrivals);

            Directory.Delete(Path.Combine(folder, "results"), recursive: true);
            var second = await Run(folder, "--parallel", "2", "--trainers", "2");
            Assert.Equal(first, second);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
