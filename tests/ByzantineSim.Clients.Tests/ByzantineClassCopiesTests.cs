using static ByzantineSim.Clients.Tests.Partitions;

namespace ByzantineSim.Clients.Tests;

public class ByzantineClassCopiesTests
{
    [Fact]
    public void Split_FoolsGoldLayout_OneClassPerHonestClientAndEverySybilHoldsAllOfTheSourceClass()
    {
        // 10 classes of 30 samples, 15 clients of which 5 sybils (FoolsGold's A-5): the 10 honest
        // clients hold one class each (label-sorted split), every sybil holds all 30 samples of class 1.
        var (_, partition) = SplitSorted(new ByzantineClassCopies(new GammaSimilarityPartitioner(0), 5, [1]), perClass: 30, classes: 10, clients: 15, seed: 7);
        for (int k = 0; k < 10; k++)
        {
            Assert.Equal(Enumerable.Range(30 * k, 30), partition.Clients[k]);
        }

        Assert.All(partition.Clients.Skip(10), c => Assert.Equal(Enumerable.Range(30, 30), c));
    }

    [Fact]
    public void Split_HonestClients_SameAsInnerSplitAmongHonestClients()
    {
        var (inner, wrapped) = HonestSplitWithAndWithoutWrapper(iid => new ByzantineClassCopies(iid, 2, [0, 3]), perClass: 20);
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
        var raw = new Dictionary<string, string> { ["byzantine_classes"] = "[1]" };
        var (bound, errors) = PartitionerCatalog.Bind(Iid, raw, byzantine: 3);
        Assert.Empty(errors);
        Assert.Equal(1, Assert.Single(Assert.IsType<ByzantineClassCopies>(bound).Classes));
        Assert.IsType<IidPartitioner>(PartitionerCatalog.Bind(Iid, raw, byzantine: 0).Partitioner);

        var both = new Dictionary<string, string> { ["byzantine_classes"] = "[1]", ["byzantine_data"] = "false" };
        var error = Assert.Single(PartitionerCatalog.Bind(Iid, both, byzantine: 3).Errors);
        Assert.Contains("byzantine_data: false", error.Message, StringComparison.Ordinal);
    }
}
