namespace ByzantineSim.Experiments.Tests.Cluster;

/// <summary>The coordinator writes files whose names come from another node: only plain names in the run's folder.</summary>
public sealed class ResultFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("byzsim-files-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static RunPlan Run() => SweepLoader.Parse("sweep: files\n", "files.yaml").Runs[0];

    [Theory]
    [InlineData("../escape.csv")]
    [InlineData("/tmp/escape.csv")]
    [InlineData("sub/metrics.csv")]
    [InlineData(".hidden")]
    [InlineData("")]
    public void Write_FileNameThatIsNotPlain_IsRefusedAndNothingWritten(string name)
    {
        var store = new ResultsStore(_root, "files");
        var error = Assert.Throws<ArgumentException>(() => store.Write(Run(), [new ResultFile(name, "x"), new ResultFile(ResultsStore.SummaryFile, "{}")]));
        Assert.Contains("plain names", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(store.Folder));
    }

    [Fact]
    public void Write_WithoutSummaryOrWithDuplicates_IsRefused()
    {
        var store = new ResultsStore(_root, "files");
        Assert.Throws<ArgumentException>(() => store.Write(Run(), [new ResultFile("metrics.csv", "x")]));
        Assert.Throws<ArgumentException>(() => store.Write(Run(), [new ResultFile("a.csv", "x"), new ResultFile("a.csv", "y"), new ResultFile(ResultsStore.SummaryFile, "{}")]));
    }

    [Fact]
    public void Write_Files_LandInTheRunFolderAndMakeItComplete()
    {
        var store = new ResultsStore(_root, "files");
        var run = Run();
        // The smallest run a reader accepts: its spec, metrics up to the last round, a summary naming both.
        const string Metrics = "round,train_loss,test_accuracy,test_loss,aggregated\n0,NaN,0.25,1.4,0\n2,1.1,0.5,1.2,7\n";
        store.Write(run, [
            new ResultFile(ResultsStore.SpecFile, run.Spec.ToCanonicalYaml()),
            new ResultFile(ResultsStore.MetricsFile, Metrics),
            new ResultFile(ResultsStore.SummaryFile, $"{{\"spec_hash\": \"{run.Spec.Hash()}\", \"rounds\": 2}}"),
        ]);

        Assert.Equal(Metrics, File.ReadAllText(Path.Combine(store.RunFolder(run.Id), "metrics.csv")));
        Assert.Equal(RunStatus.Complete, store.Status(run));
        Assert.Empty(Directory.GetFiles(store.Folder, "*.tmp", SearchOption.AllDirectories));
    }
}
