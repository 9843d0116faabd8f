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

    [Fact]
    public void BucketingBeforeFoolsGold_IsRejectedAtThePreAggregators()
    {
        const string yaml = "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  pre_aggregators: [bucketing]\n  aggregator: foolsgold\n";
        var error = Assert.Throws<SpecException>(() => SweepLoader.Parse(yaml, "spec.yaml"));
        Assert.Equal(
            ["spec.yaml:4:20: base.pre_aggregators: foolsgold needs to know which client sent each input, but bucketing merges the inputs before it into anonymous rows"],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void FlTrustWithoutServerData_IsRejectedAtTheAggregator()
    {
        const string yaml = "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  aggregator: fltrust\n";
        var error = Assert.Throws<SpecException>(() => SweepLoader.Parse(yaml, "spec.yaml"));
        Assert.Equal(
            ["spec.yaml:4:15: base.aggregator: fltrust compares the updates with the server's own, which needs server_data (e.g. server_data: {size: 100, source: train})"],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void ServerData_Given_ReadIntoSpecAndSetupAndWrittenToSpecYaml()
    {
        const string yaml = "sweep: s\nbase:\n  seed: 4\n  aggregator: fltrust\n  server_data: { size: 50, source: test-holdout }\n";
        var run = Assert.Single(SweepLoader.Parse(yaml, "spec.yaml").Runs);
        Assert.Equal(new ServerDataSpec(50, Simulator.Setup.ServerDataSource.TestHoldout, 4), run.Spec.ServerData);
        Assert.Equal(new Simulator.Setup.ServerDataSettings(50, Simulator.Setup.ServerDataSource.TestHoldout, 4), run.Setup.ServerData);
        Assert.Contains("server_data:\n  size: 50\n  source: test-holdout\n  seed: 4\n", run.Spec.ToCanonicalYaml(), StringComparison.Ordinal);

        // spec.yaml reads back as the same run.
        var again = Assert.Single(SweepLoader.Parse("sweep: s\nbase:\n" + string.Concat(run.Spec.ToCanonicalYaml().Split('\n').Select(l => "  " + l + "\n")), "spec.yaml").Runs);
        Assert.Equal(run.Id, again.Id);
    }

    [Fact]
    public void ServerData_Absent_NotInSpecYaml()
    {
        var run = Assert.Single(SweepLoader.Parse("sweep: s\nbase:\n  aggregator: median\n", "spec.yaml").Runs);
        Assert.Null(run.Spec.ServerData);
        Assert.Null(run.Setup.ServerData);
        Assert.DoesNotContain("server_data", run.Spec.ToCanonicalYaml(), StringComparison.Ordinal);
    }

    [Fact]
    public void ServerData_BadValues_OneErrorEachWithPath()
    {
        const string yaml = "sweep: s\nbase:\n  server_data: { size: 0, source: validation, colour: red }\n";
        var error = Assert.Throws<SpecException>(() => SweepLoader.Parse(yaml, "spec.yaml"));
        var errors = error.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("spec.yaml:3:24: base.server_data.size: must be >= 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.yaml:3:35: base.server_data.source:", StringComparison.Ordinal) && e.Contains("test-holdout", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.yaml:3:47: base.server_data.colour: unknown key 'colour'", StringComparison.Ordinal));
    }
}
