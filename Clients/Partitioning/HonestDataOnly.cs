namespace ByzantineSim.Clients.Partitioning;

/// <summary>
/// Splits the training set among the honest clients only and leaves the Byzantine clients
/// (the last <see cref="Byzantine"/> ids) without data, as in the experiments of Karimireddy,
/// He, Jaggi (ICLR 2022, arXiv 2006.09365), where the data set is divided among the n - f good
/// workers. Without it, a label-sorted split over all n clients hands whole classes to the
/// Byzantine clients and the honest ones never see them. Only attacks that do not train on
/// their own data can run with it (the spec reader checks that).
/// </summary>
/// <param name="inner">The partitioner that splits among the honest clients.</param>
/// <param name="byzantine">How many clients (the last ids) get no samples.</param>
public sealed class HonestDataOnly(IPartitioner inner, int byzantine) : IPartitioner
{
    /// <inheritdoc />
    public string Name => inner.Name;

    /// <summary>The partitioner this one wraps.</summary>
    public IPartitioner Inner => inner;

    /// <summary>How many clients (the last ids) get no samples.</summary>
    public int Byzantine { get; } = byzantine;

    /// <inheritdoc />
    public Partition Split(ReadOnlySpan<int> labels, int classes, int clients, ulong seed)
    {
        CheckHonest(clients);
        return WithEmptyByzantine(inner.Split(labels, classes, clients - Byzantine, seed));
    }

    /// <inheritdoc />
    public Partition Split(Data.Dataset train, int clients, ulong seed)
    {
        CheckHonest(clients);
        return WithEmptyByzantine(inner.Split(train, clients - Byzantine, seed));
    }

    private void CheckHonest(int clients)
    {
        if (Byzantine >= clients)
        {
            throw new ArgumentException($"{Byzantine} Byzantine clients leave no honest client of {clients} to hold the data");
        }
    }

    private Partition WithEmptyByzantine(Partition honest)
    {
        var parts = honest.Clients.AddRange(Enumerable.Repeat(ImmutableArray<int>.Empty, Byzantine));
        // Label noise, if any, stays on the honest ids it was drawn for; later ids read as clean.
        return honest with { Clients = parts };
    }
}
