using System.Collections.Immutable;
using ByzantineSim.Core.Plugins;

namespace ByzantineSim.Clients.Tests;

/// <summary>Label sets and checks shared by the partitioner tests.</summary>
internal static class Partitions
{
    /// <summary><paramref name="count"/> labels cycling through the classes 0 .. <paramref name="classes"/> - 1.</summary>
    public static int[] Labels(int count, int classes) => [.. Enumerable.Range(0, count).Select(i => i % classes)];

    /// <summary>A label-sorted data set: <paramref name="perClass"/> samples of class 0, then of class 1, and so on.</summary>
    public static int[] SortedLabels(int perClass, int classes) =>
        [.. Enumerable.Range(0, classes).SelectMany(c => Enumerable.Repeat(c, perClass))];

    /// <summary>
    /// Splits <see cref="SortedLabels"/>(<paramref name="perClass"/>, <paramref name="classes"/>)
    /// among <paramref name="clients"/> clients and asserts that every client got a list; returns
    /// the labels with the partition.
    /// </summary>
    public static (int[] Labels, Partition Partition) SplitSorted(IPartitioner partitioner, int perClass, int classes, int clients, ulong seed)
    {
        var labels = SortedLabels(perClass, classes);
        var partition = partitioner.Split(labels, classes, clients, seed);
        Assert.Equal(clients, partition.Clients.Length);
        return (labels, partition);
    }

    /// <summary>
    /// The wrappers' "honest clients split as without Byzantine clients" setting: 5 label-sorted
    /// classes of <paramref name="perClass"/> samples split IID among 8 clients, and the same data
    /// split among 10 clients (2 Byzantine) by <paramref name="wrap"/> around the IID split, seed 11.
    /// </summary>
    public static (Partition Inner, Partition Wrapped) HonestSplitWithAndWithoutWrapper(Func<IPartitioner, IPartitioner> wrap, int perClass)
    {
        var labels = SortedLabels(perClass, 5);
        return (new IidPartitioner().Split(labels, 5, 8, 11), wrap(new IidPartitioner()).Split(labels, 5, 10, 11));
    }

    /// <summary>The IID partitioner's registry entry, the inner split the wrappers' binding tests wrap.</summary>
    public static PluginDescriptor<IPartitioner> Iid =>
        PartitionerCatalog.Registry.TryGet(IidPartitioner.RegistryName, out var iid) ? iid : throw new InvalidOperationException("iid is not registered");

    /// <summary>Asserts that each of the samples 0 .. <paramref name="count"/> - 1 belongs to exactly one client.</summary>
    public static void AssertEverySampleOnce(Partition partition, int count)
    {
        var all = partition.Clients.SelectMany(c => c).ToList();
        Assert.Equal(count, all.Count);
        Assert.Equal(Enumerable.Range(0, count), all.Order());
    }

    /// <summary>
    /// Splits <see cref="Labels"/>(<paramref name="count"/>, <paramref name="classes"/>) among
    /// <paramref name="clients"/> clients, asserts that every sample went to one client, and
    /// returns the clients' class histograms.
    /// </summary>
    public static ImmutableArray<ImmutableArray<int>> HistogramsOfSplit(IPartitioner partitioner, int count, int classes, int clients, ulong seed)
    {
        var labels = Labels(count, classes);
        var partition = partitioner.Split(labels, classes, clients, seed);
        AssertEverySampleOnce(partition, count);
        return partition.ClassHistograms(labels, classes);
    }
}
