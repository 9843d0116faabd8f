using static ByzantineSim.Clients.Tests.Partitions;

namespace ByzantineSim.Clients.Tests;

public class HonestDataOnlyTests
{
    [Fact]
    public void Split_LabelSorted_HonestClientsShareEveryClassAndByzantineGetNothing()
    {
        // 10 classes of 100 samples, 25 clients of which 5 Byzantine: over all 25 clients the
        // last 5 would own classes 8 and 9; over the 20 honest ones every class is honest data.
        var (labels, partition) = SplitSorted(new HonestDataOnly(new GammaSimilarityPartitioner(0), 5), perClass: 100, classes: 10, clients: 25, seed: 3);
        Assert.All(partition.Clients.Skip(20), c => Assert.Empty(c));
        Assert.All(partition.Clients.Take(20), c => Assert.Equal(50, c.Length));
        var honestClasses = partition.Clients.Take(20).SelectMany(c => c).Select(i => labels[i]).Distinct().Order();
        Assert.Equal(Enumerable.Range(0, 10), honestClasses);
        Assert.Equal(Enumerable.Range(0, 1000), partition.Clients.SelectMany(c => c).Order());
    }

    [Fact]
    public void Split_SameAsInnerSplitAmongHonestClients()
    {
        var (inner, wrapped) = HonestSplitWithAndWithoutWrapper(iid => new HonestDataOnly(iid, 2), perClass: 60);
        Assert.Equal(inner.Clients.SelectMany(c => c), wrapped.Clients.Take(8).SelectMany(c => c));
    }

    [Fact]
    public void Split_LabelNoiseInside_StaysOnHonestIds()
    {
        var labels = SortedLabels(50, 4);
        var partition = new HonestDataOnly(new LabelNoise(new IidPartitioner(), 2, 0.5), 3).Split(labels, 4, 6, 5);
        Assert.NotEmpty(partition.NoisyLabelsOf(0));
        Assert.Empty(partition.NoisyLabelsOf(5));
    }

    [Fact]
    public void Split_NoHonestClientLeft_Throws()
    {
        Assert.Throws<ArgumentException>(() => new HonestDataOnly(new IidPartitioner(), 4).Split(SortedLabels(10, 2), 2, 4, 1));
    }

    [Fact]
    public void Bind_ByzantineDataFalse_WrapsOnlyWhenThereAreByzantineClients()
    {
        var raw = new Dictionary<string, string> { ["byzantine_data"] = "false" };
        Assert.IsType<HonestDataOnly>(PartitionerCatalog.Bind(Iid, raw, byzantine: 5).Partitioner);
        Assert.IsType<IidPartitioner>(PartitionerCatalog.Bind(Iid, raw, byzantine: 0).Partitioner);
        Assert.IsType<IidPartitioner>(PartitionerCatalog.Bind(Iid, new Dictionary<string, string>(), byzantine: 5).Partitioner);
    }
}
