using System.Collections.Immutable;
using ByzantineSim.Experiments.Reports;

namespace ByzantineSim.Experiments.Tests;

/// <summary>The report's warning for sparse updates under a coordinate-wise rule, read from each run's spec.yaml.</summary>
public sealed class SparseInputsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "sparse-inputs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private RunRecord Run(string id, string aggregator, string compression)
    {
        Directory.CreateDirectory(Path.Combine(_folder, id));
        File.WriteAllText(
            Path.Combine(_folder, id, ResultsStore.SpecFile),
            $"seed: 1\nclients:\n  n: 5\n  f: 0\npre_aggregators: []\naggregator:\n  name: {aggregator}\nattack:\n  name: none\ncompression:\n  name: {compression}\n  fraction: 0.001\nprivacy:\n  clip: 0\n");
        return new RunRecord(id, ImmutableDictionary<string, string>.Empty, 5, 0, 1, 0.5, 0.5, new RunTimes(0, 0, 0, 0, 0), [], [], [], new RunState(RunStatus.Complete, null, null));
    }

    [Fact]
    public void Affected_AreTheRunsPairingTopKOrDgcWithACoordinateWiseRule()
    {
        var runs = ImmutableArray.Create(
            Run("a", "median", "dgc"),
            Run("b", "mean", "dgc"),
            Run("c", "trimmed-mean", "topk"),
            Run("d", "median", "qsgd"),
            Run("e", "krum", "none"));
        var results = new SweepResults(_folder, "s", [], null, runs, [], null);
        Assert.Equal([("a", "median", "dgc"), ("c", "trimmed-mean", "topk")], SparseInputs.Affected(results));
    }

    [Fact]
    public void CoordinateWiseRules_AreRegisteredAggregators()
    {
        // A renamed rule would silently drop out of the warning.
        Assert.All(SparseInputs.CoordinateWise, name => Assert.True(Aggregators.BuiltInAggregators.Aggregators.TryGet(name, out _), name));
        Assert.All(SparseInputs.Sparsifying, name => Assert.True(Clients.Compression.CompressorCatalog.Registry.TryGet(name, out _), name));
    }
}
