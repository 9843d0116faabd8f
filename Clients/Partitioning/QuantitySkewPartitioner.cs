using MathNet.Numerics.Distributions;

namespace ByzantineSim.Clients.Partitioning;

/// <summary>
/// Quantity skew: IID labels, but client sizes drawn from proportions ~ Dir(beta * 1_n)
/// (small beta: a few large clients and many small ones), each client keeping at least
/// <see cref="MinSamples"/> samples.
/// </summary>
/// <param name="beta">Concentration of the size proportions.</param>
/// <param name="minSamples">Smallest client.</param>
public sealed class QuantitySkewPartitioner(double beta, int minSamples) : Partitioner(RegistryName)
{
    /// <summary>The name a spec's YAML uses to select this partitioner; its key in the partitioner registry.</summary>
    public const string RegistryName = "quantity-skew";

    /// <summary>Concentration of the size proportions.</summary>
    public double Beta { get; } = beta;

    /// <summary>Smallest client.</summary>
    public int MinSamples { get; } = minSamples;

    /// <inheritdoc />
    public override Partition Split(ReadOnlySpan<int> labels, int classes, int clients, ulong seed)
    {
        RequireMinSamples(labels.Length, clients, MinSamples);
        long reserved = (long)clients * MinSamples;

        var random = new DeterministicRandom(seed);
        var proportions = new double[clients];
        double total = 0;
        for (int k = 0; k < clients; k++)
        {
            proportions[k] = Gamma.Sample(random, Beta, 1.0);
            total += proportions[k];
        }

        // Every client gets its minimum, the remainder is shared by the drawn proportions.
        long free = labels.Length - reserved;
        var sizes = new int[clients];
        double cumulative = 0;
        long assigned = 0;
        for (int k = 0; k < clients; k++)
        {
            cumulative += proportions[k];
            long upTo = k == clients - 1 ? free : (long)Math.Round(cumulative / total * free);
            sizes[k] = MinSamples + (int)(upTo - assigned);
            assigned = upTo;
        }

        var order = Enumerable.Range(0, labels.Length).ToArray();
        random.FisherYates(order.AsSpan());
        var parts = ImmutableArray.CreateBuilder<ImmutableArray<int>>(clients);
        int start = 0;
        foreach (int size in sizes)
        {
            parts.Add([.. order[start..(start + size)].Order()]);
            start += size;
        }

        return new Partition(parts.MoveToImmutable());
    }
}
