using ByzantineSim.Clients.Data;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// The specs of experiments/published/ need data no CI machine has (CIFAR-10, LEAF). Their files
/// are generated here in the publishers' formats, at the paths the specs name, so the specs are
/// validated, and the CIFAR-10 ResNet-20 sweep run end to end, through the code a user's files go through.
/// </summary>
public sealed class PublishedSpecsTests : IDisposable
{
    /// <summary>The folder of these specs, relative to the repository (excluded from the plain shipped-spec checks).</summary>
    public const string Folder = "experiments/published/";

    private readonly string _work = Directory.CreateTempSubdirectory("published-specs-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string> Specs() => [.. Directory.GetFiles(Path.Combine(DocumentationTests.RepositoryRoot(), Folder), "*.yaml").Select(path => Path.GetFileName(path))];

    /// <summary>Writes small files where the specs expect the real ones (relative to <paramref name="root"/>).</summary>
    private static void WriteData(string root)
    {
        GeneratedCifar.WriteCifar10(Path.Combine(root, "data", "cifar-10-batches-bin"), perBatch: 20, test: 20);
        PublishedFormats.WriteLeaf(Path.Combine(root, "data", "femnist"), PublishedFormats.FemnistUsers(60), perFile: 25);
        PublishedFormats.WriteLeaf(Path.Combine(root, "data", "shakespeare"), PublishedFormats.ShakespeareUsers(60, LeafDataset.Alphabet), perFile: 25);
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void PublishedSpec_OnGeneratedFiles_IsValidAndReadsBackFromSpecYaml(string file)
    {
        WriteData(_work);
        string yaml = File.ReadAllText(Path.Combine(DocumentationTests.RepositoryRoot(), Folder, file))
            .Replace("folder: data/", $"folder: {_work}/data/", StringComparison.Ordinal);
        var plan = SweepLoader.Parse(yaml, file);
        Assert.Equal(9, plan.Runs.Length);
        foreach (var run in plan.Runs)
        {
            Assert.Equal(run.Spec.Hash(), SweepLoader.ParseRun(run.Id, run.Spec.ToCanonicalYaml(), run.Labels).Spec.Hash());
        }
    }

    [Fact]
    public void PublishedSpec_WithoutItsFiles_SaysWhichAndWhereTheyComeFrom()
    {
        var error = Assert.Throws<SpecException>(() => SweepLoader.Load(Path.Combine(DocumentationTests.RepositoryRoot(), Folder, "cifar10-resnet20.yaml")));
        // A relative folder is the working directory's: the message says which one it looked in.
        Assert.Contains($"cifar-10 data not found in 'data/cifar-10-batches-bin' (under {Environment.CurrentDirectory}, the working directory): missing data_batch_1.bin", error.Message, StringComparison.Ordinal);
        Assert.Contains("download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cifar10ResNet20Sweep_OnGeneratedFiles_RunsEndToEndAndIsByteIdenticalWhateverTheParallelism()
    {
        // The shipped spec, cut down on the command line (rounds, clients, batch, one rule): 3 runs of ResNet-20.
        string[] smaller =
        [
            "--set", "training.rounds=2", "--set", "training.eval_every=1", "--set", "training.batch_size=4",
            "--set", "clients.n=5", "--set", "clients.f=1", "--set", "aggregator=centered-clipping", "--no-report", "--plain",
        ];
        var outcomes = new List<string>();
        var evidence = new List<string>();
        foreach (string parallel in new[] { "1", "3" })
        {
            string folder = Path.Combine(_work, parallel);
            WriteData(folder);
            File.Copy(Path.Combine(DocumentationTests.RepositoryRoot(), Folder, "cifar10-resnet20.yaml"), Path.Combine(folder, "spec.yaml"));
            var run = await CliProcess.RunAsync(folder, ["run", "spec.yaml", "--parallel", parallel, .. smaller]);
            Assert.True(run.ExitCode == 0, run.Output + run.Error);

            var metrics = Directory.GetFiles(Path.Combine(folder, "results", "cifar10-resnet20"), "metrics.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(3, metrics.Count);
            foreach (string path in metrics)
            {
                var lines = File.ReadAllLines(path);
                Assert.Equal(4, lines.Length); // the header and three evaluations: the initial model and after each of the 2 rounds
                Assert.Equal("round,train_loss,test_accuracy,test_loss,aggregated", lines[0]);
                Assert.All(lines.Skip(1), line => Assert.True(double.IsFinite(double.Parse(line.Split(',')[3], System.Globalization.CultureInfo.InvariantCulture)), line));
                Assert.Contains("augmentation", File.ReadAllText(Path.Combine(Path.GetDirectoryName(path)!, "spec.yaml")), StringComparison.Ordinal);

                // An honest update lost to the machine (a computation that threw) changes the
                // results for a reason other than the parallelism: say so, with the reason.
                string runFolder = Path.GetDirectoryName(path)!;
                string summary = File.ReadAllText(Path.Combine(runFolder, "summary.json"));
                Assert.True(
                    ByzantineSim.Experiments.Results.RunState.ParseSummary(summary).LostHonestUpdates == 0,
                    $"--parallel {parallel}: {Path.GetFileName(runFolder)} lost honest updates to a failure:\n{summary}");
            }

            outcomes.Add(string.Join("\n", metrics.Select(path => Path.GetRelativePath(folder, path) + "\n" + File.ReadAllText(path))));
            evidence.Add($"--parallel {parallel}:\n" + run.Error + string.Join("\n", metrics.SelectMany(path => new[] { "rounds.csv", "clients.csv" }
                .Select(file => Path.GetRelativePath(folder, Path.Combine(Path.GetDirectoryName(path)!, file)) + "\n" + File.ReadAllText(Path.Combine(Path.GetDirectoryName(path)!, file))))));
        }

        // Every run's per-round and per-client outcomes go with a difference: which updates each round aggregated.
        Assert.True(outcomes[0] == outcomes[1], $"metrics differ:\n{outcomes[0]}\n--- against ---\n{outcomes[1]}\n--- evidence ---\n{string.Join("\n", evidence)}");
    }
}
