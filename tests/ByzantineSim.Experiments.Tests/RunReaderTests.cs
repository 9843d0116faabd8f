using ByzantineSim.Experiments.Specs;

namespace ByzantineSim.Experiments.Tests;

/// <summary>Cross-field checks of <see cref="RunReader"/> that need the bound plug-ins.</summary>
public class RunReaderTests
{
    [Fact]
    public void BucketingBeforeMonna_IsRejectedAtThePreAggregators()
    {
        const string yaml = "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  pre_aggregators: [bucketing]\n  aggregator: monna\n";
        var error = Assert.Throws<SpecException>(() => SweepLoader.Parse(yaml, "spec.yaml"));
        Assert.Equal(
            ["spec.yaml:4:20: base.pre_aggregators: monna trusts input 0 by its position, but bucketing reorders and merges the inputs before it"],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void NnmBeforeMonna_KeepsPositions_IsAccepted()
    {
        const string yaml = "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  pre_aggregators: [nnm]\n  aggregator: monna\n";
        Assert.Single(SweepLoader.Parse(yaml, "spec.yaml").Runs);
    }
}
