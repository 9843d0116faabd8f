namespace ByzantineSim.Clients.Partitioning;

/// <summary>
/// Per-client label noise for honest-but-unreliable clients: in each of the first
/// <see cref="Clients"/> clients (ids 0, 1, ...: honest, since Byzantine ids come last), a
/// fraction <see cref="Fraction"/> of the samples, drawn at random, gets a label drawn uniformly
/// from the other classes. Applied on top of any partitioner.
/// </summary>
/// <param name="inner">The partitioner whose split gets noisy labels.</param>
/// <param name="clients">How many clients are noisy.</param>
/// <param name="fraction">Share of each noisy client's labels replaced.</param>
public sealed class LabelNoise(IPartitioner inner, int clients, double fraction) : IPartitioner
{
    /// <inheritdoc />
    public string Name => inner.Name;

    /// <summary>The partitioner this one wraps.</summary>
    public IPartitioner Inner => inner;

    /// <summary>How many clients are noisy.</summary>
    public int Clients { get; } = clients;

    /// <summary>Share of each noisy client's labels replaced.</summary>
    public double Fraction { get; } = fraction;

    /// <inheritdoc />
    public Partition Split(ReadOnlySpan<int> labels, int classes, int clients, ulong seed) =>
        AddNoise(inner.Split(labels, classes, clients, seed), labels, classes, clients, seed);

    /// <inheritdoc />
    public Partition Split(Data.Dataset train, int clients, ulong seed) =>
        AddNoise(inner.Split(train, clients, seed), train.Labels, train.Classes, clients, seed);

    private Partition AddNoise(Partition partition, ReadOnlySpan<int> labels, int classes, int clients, ulong seed)
    {
        var noisy = ImmutableArray.CreateBuilder<ImmutableDictionary<int, int>>(clients);
        for (int client = 0; client < clients; client++)
        {
            if (client >= Clients || classes < 2)
            {
                noisy.Add(ImmutableDictionary<int, int>.Empty);
                continue;
            }

            var random = new DeterministicRandom(Seed.Derive(seed, "label-noise", client));
            var samples = partition.Clients[client].ToArray();
            random.FisherYates(samples.AsSpan());
            var replaced = ImmutableDictionary.CreateBuilder<int, int>();
            foreach (int sample in samples.AsSpan(0, (int)Math.Round(Fraction * samples.Length)))
            {
                // Uniform over the other classes: draw from classes - 1 and skip the true one.
                int label = random.Next(classes - 1);
                replaced[sample] = label >= labels[sample] ? label + 1 : label;
            }

            noisy.Add(replaced.ToImmutable());
        }

        return partition with { NoisyLabels = noisy.MoveToImmutable() };
    }
}
