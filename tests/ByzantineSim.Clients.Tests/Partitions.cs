using System.Collections.Immutable;

namespace ByzantineSim.Clients.Tests;

/// <summary>Label sets and checks shared by the partitioner tests.</summary>
internal static class Partitions
{
    /// <summary><paramref name="count"/> labels cycling through the classes 0 .. <paramref name="classes"/> - 1.</summary>
    public static int[] Labels(int count, int classes) => [.. Enumerable.Range(0, count).Select(i => i % classes)];

    /// <summary>A label-sorted data set: <paramref name="perClass"/> samples of class 0, then of class 1, and so on.</summary>
    public static int[] SortedLabels(int perClass, int classes) =>
        [.. Enumerable.Range(0, classes).SelectMany(c => Enumerable.Repeat(c, perClass))];

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
