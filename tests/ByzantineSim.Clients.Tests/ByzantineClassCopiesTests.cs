using static ByzantineSim.Clients.Tests.Partitions;

namespace ByzantineSim.Clients.Tests;

public class ByzantineClassCopiesTests
{
    [Fact]
    public void Split_FoolsGoldLayout_OneClassPerHonestClientAndEverySybilHoldsAllOfTheSourceClass()
    {
        // 10 classes of 30 samples, 15 clients of which 5 sybils (FoolsGold's A-5): the 10 honest
        // clients hold one class each (label-sorted split), every sybil holds all 30 samples of class 1.
        var labels = SortedLabels(30, 10);
        var partition = new ByzantineClassCopies(new GammaSimilarityPartitioner(0), 5, [1]).Split(labels, 10, 15, 7);

        Assert.Equal(15, partition.Clients.Length);
        for (int k = 0; k < 10; k++)
        {
            Assert.Equal(Enumerable.Range(30 * k, 30), partition.Clients[k]);
        }

        Assert.All(partition.Clients.Skip(10), c => Assert.Equal(Enumerable.Range(30, 30), c));
    }

    [Fact]
    public void Split_HonestClients_SameAsInnerSplitAmongHonestClients()
    {
        var labels = SortedLabels(20, 5);
        var inner = new IidPartitioner().Split(labels, 5, 8, 11);
        var wrapped = new ByzantineClassCopies(new IidPartitioner(), 2, [0, 3]).Split(labels, 5, 10, 11);
        Assert.Equal(inner.Clients, wrapped.Clients.Take(8));
        Assert.All(wrapped.Clients.Skip(8), c => Assert.Equal(Enumerable.Range(0, 20).Concat(Enumerable.Range(60, 20)), c));
    }

    [Fact]
    public void Split_ClassOutOfRange_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new ByzantineClassCopies(new IidPartitioner(), 2, [4]).Split(SortedLabels(10, 4), 4, 6, 1));
        Assert.Contains("0..3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_ByzantineClasses_WrapsOnlyWhenThereAreByzantineClientsAndRejectsByzantineDataFalse()
    {
        Assert.True(PartitionerCatalog.Registry.TryGet("iid", out var iid));
        var raw = new Dictionary<string, string> { ["byzantine_classes"] = "[1]" };
        var (bound, errors) = PartitionerCatalog.Bind(iid, raw, byzantine: 3);
        Assert.Empty(errors);
        Assert.Equal(1, Assert.Single(Assert.IsType<ByzantineClassCopies>(bound).Classes));
        Assert.IsType<IidPartitioner>(PartitionerCatalog.Bind(iid, raw, byzantine: 0).Partitioner);

        var both = new Dictionary<string, string> { ["byzantine_classes"] = "[1]", ["byzantine_data"] = "false" };
        var error = Assert.Single(PartitionerCatalog.Bind(iid, both, byzantine: 3).Errors);
        Assert.Contains("byzantine_data: false", error.Message, StringComparison.Ordinal);
    }
}
