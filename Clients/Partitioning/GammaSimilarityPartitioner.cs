namespace ByzantineSim.Clients.Partitioning;

/// <summary>
/// Gamma-similarity (ByzFL; Karimireddy et al. 2022): a fraction gamma of the samples, drawn at
/// random, is split IID; the rest is sorted by label and cut into contiguous equal parts, one
/// per client. gamma = 1 is IID, gamma = 0 the extreme label split.
/// </summary>
/// <param name="gamma">Share of IID data in [0, 1].</param>
public sealed class GammaSimilarityPartitioner(double gamma) : Partitioner(RegistryName)
{
    /// <summary>The name a spec's YAML uses to select this partitioner; its key in the partitioner registry.</summary>
    public const string RegistryName = "gamma-similarity";

    /// <summary>Share of IID data.</summary>
    public double Gamma { get; } = gamma;

    /// <inheritdoc />
    public override Partition Split(ReadOnlySpan<int> labels, int classes, int clients, ulong seed)
    {
        RequireOnePerClient(labels.Length, clients);

        var random = new DeterministicRandom(seed);
        var order = Enumerable.Range(0, labels.Length).ToArray();
        random.FisherYates(order.AsSpan());
        int iidCount = (int)Math.Round(Gamma * labels.Length);
        var iid = order[..iidCount];
        var rest = order[iidCount..];
        var restLabels = labels.ToArray();
        var extreme = rest.OrderBy(i => restLabels[i]).ThenBy(i => i).ToArray();

        var parts = ImmutableArray.CreateBuilder<ImmutableArray<int>>(clients);
        for (int k = 0; k < clients; k++)
        {
            var part = Slice(iid, k, clients).Concat(Slice(extreme, k, clients)).Order();
            parts.Add([.. part]);
        }

        return new Partition(parts.MoveToImmutable());
    }

    private static ArraySegment<int> Slice(int[] values, int part, int parts)
    {
        int start = (int)((long)values.Length * part / parts);
        int end = (int)((long)values.Length * (part + 1) / parts);
        return new ArraySegment<int>(values, start, end - start);
    }
}
