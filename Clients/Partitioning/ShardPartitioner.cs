namespace ByzantineSim.Clients.Partitioning;

/// <summary>
/// Pathological label skew (McMahan et al. 2017): sort the samples by label, cut them into
/// clients x <see cref="ShardsPerClient"/> contiguous shards of equal size, and give each client
/// that many shards at random. With 2 shards per client most clients see two classes.
/// </summary>
/// <param name="shardsPerClient">Shards (about classes) per client.</param>
public sealed class ShardPartitioner(int shardsPerClient) : Partitioner(RegistryName)
{
    /// <summary>The name a spec's YAML uses to select this partitioner; its key in the partitioner registry.</summary>
    public const string RegistryName = "shards";

    /// <summary>Shards per client.</summary>
    public int ShardsPerClient { get; } = shardsPerClient;

    /// <inheritdoc />
    public override Partition Split(ReadOnlySpan<int> labels, int classes, int clients, ulong seed)
    {
        int shards = clients * ShardsPerClient;
        if (labels.Length < shards)
        {
            throw new ArgumentException($"{shards} shards need at least as many samples; the data set has {labels.Length}");
        }

        var sorted = LabelOrder(labels);
        var shardOrder = Enumerable.Range(0, shards).ToArray();
        new DeterministicRandom(seed).FisherYates(shardOrder.AsSpan());
        var parts = ImmutableArray.CreateBuilder<ImmutableArray<int>>(clients);
        for (int k = 0; k < clients; k++)
        {
            var part = new List<int>();
            for (int s = 0; s < ShardsPerClient; s++)
            {
                int shard = shardOrder[(k * ShardsPerClient) + s];
                int start = (int)((long)labels.Length * shard / shards);
                int end = (int)((long)labels.Length * (shard + 1) / shards);
                part.AddRange(sorted[start..end]);
            }

            parts.Add([.. part.Order()]);
        }

        return new Partition(parts.MoveToImmutable());
    }

    /// <summary>Sample indices sorted by label (stable: equal labels keep index order).</summary>
    public static int[] LabelOrder(ReadOnlySpan<int> labels)
    {
        var copy = labels.ToArray();
        return [.. Enumerable.Range(0, copy.Length).OrderBy(i => copy[i])];
    }
}
