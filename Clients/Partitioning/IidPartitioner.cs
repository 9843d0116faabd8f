namespace ByzantineSim.Clients.Partitioning;

/// <summary>IID: a uniform random permutation cut into near-equal parts (sizes differ by at most one).</summary>
public sealed class IidPartitioner() : Partitioner(RegistryName)
{
    /// <summary>The name a spec's YAML uses to select this partitioner; its key in the partitioner registry.</summary>
    public const string RegistryName = "iid";

    /// <inheritdoc />
    public override Partition Split(ReadOnlySpan<int> labels, int classes, int clients, ulong seed)
    {
        RequireOnePerClient(labels.Length, clients);

        var order = Enumerable.Range(0, labels.Length).ToArray();
        new DeterministicRandom(seed).FisherYates(order.AsSpan());
        var parts = ImmutableArray.CreateBuilder<ImmutableArray<int>>(clients);
        for (int k = 0; k < clients; k++)
        {
            int start = (int)((long)labels.Length * k / clients);
            int end = (int)((long)labels.Length * (k + 1) / clients);
            var part = order[start..end];
            Array.Sort(part);
            parts.Add([.. part]);
        }

        return new Partition(parts.MoveToImmutable());
    }
}
