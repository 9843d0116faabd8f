namespace ByzantineSim.Clients.Partitioning;

/// <summary>
/// What the built-in partitioners share: the registry name, and the checks that the training set
/// has enough samples for the clients, with one wording across partitioners. User partitioners
/// may implement <see cref="IPartitioner"/> directly.
/// </summary>
/// <param name="name">The registry name, <see cref="Name"/>.</param>
public abstract class Partitioner(string name) : IPartitioner
{
    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public abstract Partition Split(ReadOnlySpan<int> labels, int classes, int clients, ulong seed);

    /// <summary>Throws unless each of <paramref name="clients"/> clients can get at least one of <paramref name="samples"/> samples.</summary>
    protected static void RequireOnePerClient(int samples, int clients)
    {
        if (samples < clients)
        {
            throw new ArgumentException($"cannot give {clients} clients at least one of {samples} samples");
        }
    }

    /// <summary>The sample indices of each class, in increasing order: entry c lists the samples labelled c.</summary>
    protected static int[][] SamplesByClass(ReadOnlySpan<int> labels, int classes)
    {
        var counts = new int[classes];
        foreach (int label in labels)
        {
            counts[label]++;
        }

        var byClass = counts.Select(count => new int[count]).ToArray();
        Array.Clear(counts);
        for (int i = 0; i < labels.Length; i++)
        {
            byClass[labels[i]][counts[labels[i]]++] = i;
        }

        return byClass;
    }

    /// <summary>Throws unless <paramref name="samples"/> samples give each of <paramref name="clients"/> clients at least <paramref name="minSamples"/>.</summary>
    protected static void RequireMinSamples(int samples, int clients, int minSamples)
    {
        long needed = (long)clients * minSamples;
        if (needed > samples)
        {
            throw new ArgumentException($"{clients} clients with at least {minSamples} samples each need {needed} samples; the data set has {samples}");
        }
    }
}
