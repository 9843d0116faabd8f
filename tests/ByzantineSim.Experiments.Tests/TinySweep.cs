namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// A tiny real sweep run once through the CLI for the report tests: 2 rules x 2 attacks x
/// 2 partitions x 2 seeds, with message loss so that the participation section has something to show.
/// </summary>
public sealed class TinySweep : IAsyncLifetime
{
    /// <summary>The test collection sharing one sweep (its tests run one after another, as they alter its folder).</summary>
    public const string Collection = "tiny sweep";

    private static readonly string Spec = TinySpec.Head("tiny", train: 1000, test: 200, n: 9, f: 2, rounds: 8, evalEvery: 2, workerMomentum: 0.5) + """
          faults: { message_loss: 0.1 }
          server: { deadline: 10 }
        grid:
          aggregator: [mean, cge]
          attack: [sign-flip, alie]
          partition: [iid, { name: dirichlet, alpha: 0.3 }]
          seed: [1, 2]
        """;

    /// <summary>The working folder of the CLI.</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory("byzsim-report-").FullName;

    /// <summary>The sweep's results folder.</summary>
    public string Results => Path.Combine(Folder, "results", "tiny");

    /// <summary>The output of the run command.</summary>
    public CliProcess.Outcome Run { get; private set; } = new(-1, "", "");

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(Folder, "tiny.yaml"), Spec);
        Run = await CliProcess.RunAsync(Folder, "run", "tiny.yaml", "--plain");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Copies the results folder to <c>&lt;name&gt;/tiny</c> beside it, for tests that alter results.</summary>
    public string CopyResults(string name)
    {
        string target = Path.Combine(Folder, name, "tiny");
        foreach (string file in Directory.GetFiles(Results, "*", SearchOption.AllDirectories))
        {
            string copy = Path.Combine(target, Path.GetRelativePath(Results, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }
}

/// <summary>Shares one <see cref="TinySweep"/> between the report test classes.</summary>
[CollectionDefinition(TinySweep.Collection)]
public sealed class TinySweepCollection : ICollectionFixture<TinySweep>;
