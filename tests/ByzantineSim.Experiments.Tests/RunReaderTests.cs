namespace ByzantineSim.Experiments.Tests;

/// <summary>Cross-field checks of <see cref="RunReader"/> that need the bound plug-ins.</summary>
public class RunReaderTests
{
    [Fact]
    public void BucketingBeforeMonna_IsRejectedAtThePreAggregators() =>
        Assert.Equal(
            ["spec.yaml:4:20: base.pre_aggregators: monna trusts input 0 by its position, but bucketing reorders and merges the inputs before it"],
            Errors("sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  pre_aggregators: [bucketing]\n  aggregator: monna\n"));

    [Fact]
    public void NnmBeforeMonna_KeepsPositions_IsAccepted() =>
        Single("sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  pre_aggregators: [nnm]\n  aggregator: monna\n");

    [Fact]
    public void BucketingBeforeFoolsGold_IsRejectedAtThePreAggregators() =>
        Assert.Equal(
            ["spec.yaml:4:20: base.pre_aggregators: foolsgold needs to know which client sent each input, but bucketing merges the inputs before it into anonymous rows"],
            Errors("sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  pre_aggregators: [bucketing]\n  aggregator: foolsgold\n"));

    [Fact]
    public void FlTrustWithoutServerData_IsRejectedAtTheAggregator() =>
        Assert.Equal(
            ["spec.yaml:4:15: base.aggregator: fltrust compares the updates with the server's own, which needs server_data (e.g. server_data: {size: 100, source: train})"],
            Errors("sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  aggregator: fltrust\n"));

    [Fact]
    public void ServerData_Given_ReadIntoSpecAndSetupAndWrittenToSpecYaml()
    {
        var run = Single("sweep: s\nbase:\n  seed: 4\n  aggregator: fltrust\n  server_data: { size: 50, source: test-holdout }\n");
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
        var run = Single("sweep: s\nbase:\n  aggregator: median\n");
        Assert.Null(run.Spec.ServerData);
        Assert.Null(run.Setup.ServerData);
        Assert.DoesNotContain("server_data", run.Spec.ToCanonicalYaml(), StringComparison.Ordinal);
    }

    [Fact]
    public void ServerData_BadValues_OneErrorEachWithPath()
    {
        const string yaml = "sweep: s\nbase:\n  server_data: { size: 0, source: validation, colour: red }\n";
        var errors = Errors(yaml);
        Assert.Contains(errors, e => e.StartsWith("spec.yaml:3:24: base.server_data.size: must be >= 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.yaml:3:35: base.server_data.source:", StringComparison.Ordinal) && e.Contains("test-holdout", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.yaml:3:47: base.server_data.colour: unknown key 'colour'", StringComparison.Ordinal));
    }
}

/// <summary>The published data sets' checks and the augmentation keys in a spec.</summary>
public sealed class PublishedDataSpecTests() : TempFolderTest("published-spec-")
{
    [Fact]
    public void NaturalPartition_DataWithoutUsers_IsRejectedAtThePartition() =>
        Assert.Equal(
            ["spec.yaml:3:14: base.partition: natural needs a data set whose samples belong to users (femnist, shakespeare); this data set has none"],
            Errors("sweep: s\nbase:\n  partition: natural\n"));

    [Fact]
    public void Augmentation_OnShakespeareLines_IsRejected()
    {
        TestKit.PublishedFormats.WriteLeaf(Folder, TestKit.PublishedFormats.ShakespeareUsers(3, Clients.Data.LeafDataset.Alphabet), 3);
        string yaml = $"sweep: s\nbase:\n  data: {{ name: shakespeare, folder: '{Folder}' }}\n  partition: natural\n  clients: {{ n: 3 }}\n  training:\n    augmentation: {{ crop_padding: 4 }}\n";
        Assert.Equal(
            ["spec.yaml:7:19: base.training.augmentation: crop and flip need image samples [channels, height, width], the data's samples are [80]"],
            Errors(yaml));
    }

    [Fact]
    public void Augmentation_IsWrittenToSpecYamlOnlyWhenOn_AndReadsBack()
    {
        Clients.Data.GeneratedCifar.WriteCifar10(Folder, 2, 2);
        string yaml = $"sweep: s\nbase:\n  data: {{ name: cifar-10, folder: '{Folder}' }}\n  model: cnn_cifar\n  training:\n    augmentation: {{ crop_padding: 4, horizontal_flip: true }}\n";
        var run = Single(yaml);
        string canonical = run.Spec.ToCanonicalYaml();
        Assert.Contains("  augmentation:\n    crop_padding: 4\n    horizontal_flip: true\n", canonical, StringComparison.Ordinal);
        Assert.Equal(new Clients.Data.Augmentation(4, true), run.Setup.Training.Augmentation);
        Assert.Equal(run.Spec.Hash(), SweepLoader.ParseRun(run.Id, canonical, run.Labels).Spec.Hash());

        var plain = Single("sweep: s\nbase:\n  seed: 1\n");
        Assert.DoesNotContain("augmentation", plain.Spec.ToCanonicalYaml(), StringComparison.Ordinal);
    }

    [Fact]
    public void BatchNorm_IsWrittenToSpecYamlOnlyWhenGiven_AndReadsBack()
    {
        Clients.Data.GeneratedCifar.WriteCifar10(Folder, 2, 2);
        string yaml = $"sweep: s\nbase:\n  data: {{ name: cifar-10, folder: '{Folder}' }}\ngrid:\n  model: [resnet20, {{ name: resnet20, batch_norm: aggregated }}]\n";
        var runs = SweepLoader.Parse(yaml, "spec.yaml").Runs;
        Assert.Equal(2, runs.Length);
        Assert.Contains("model:\n  name: resnet20\n", runs[0].Spec.ToCanonicalYaml(), StringComparison.Ordinal);
        Assert.DoesNotContain("batch_norm", runs[0].Spec.ToCanonicalYaml(), StringComparison.Ordinal);
        Assert.Equal(Clients.Models.BatchNormMode.Batch, runs[0].Setup.Model.BatchNorm);

        string canonical = runs[1].Spec.ToCanonicalYaml();
        Assert.Contains("  batch_norm: aggregated\n", canonical, StringComparison.Ordinal);
        Assert.Equal(Clients.Models.BatchNormMode.Aggregated, runs[1].Setup.Model.BatchNorm);
        Assert.Equal(runs[1].Spec.Hash(), SweepLoader.ParseRun(runs[1].Id, canonical, runs[1].Labels).Spec.Hash());
    }

    [Fact]
    public void CifarFolderWithoutFiles_ErrorNamesTheFilesAndTheirSource()
    {
        string yaml = $"sweep: s\nbase:\n  data: {{ name: cifar-100, folder: '{Folder}', labels: coarse }}\n";
        Assert.Equal(
            [$"spec.yaml:3:36: base.data.folder: cifar-100 data not found in '{Folder}': missing train.bin, test.bin; download cifar-100-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and extract it"],
            Errors(yaml));
    }
}
