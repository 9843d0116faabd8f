namespace ByzantineSim.Clients.Partitioning;

/// <summary>
/// Splits the training set among the honest clients with the inner partitioner and gives every
/// Byzantine client (the last <see cref="Byzantine"/> ids) its own copy of all training samples
/// of <see cref="Classes"/>, the data layout of FoolsGold's MNIST experiments (Fung, Yoon,
/// Beschastnikh, RAID 2020, arXiv 1808.04866; authors' code DistributedML/FoolsGold,
/// <c>ML/data/mnist/parse_mnist.py</c> <c>slice_federated</c> writes one file per digit, and
/// <c>ML/code/ML_main.py</c> gives each sybil the whole relabelled source-class file): the
/// Byzantine samples are shared with the honest client that holds those classes, so these are
/// the only samples a partition may give to more than one client.
/// </summary>
/// <param name="inner">The partitioner that splits the training set among the honest clients.</param>
/// <param name="byzantine">How many clients (the last ids) get the copies.</param>
/// <param name="classes">The classes whose samples every Byzantine client holds.</param>
public sealed class ByzantineClassCopies(IPartitioner inner, int byzantine, ImmutableArray<int> classes) : IPartitioner
{
    /// <inheritdoc />
    public string Name => inner.Name;

    /// <summary>The partitioner this one wraps.</summary>
    public IPartitioner Inner => inner;

    /// <summary>How many clients (the last ids) hold the copies.</summary>
    public int Byzantine { get; } = byzantine;

    /// <summary>The classes whose samples every Byzantine client holds.</summary>
    public ImmutableArray<int> Classes { get; } = classes;

    /// <inheritdoc />
    public Partition Split(ReadOnlySpan<int> labels, int classes, int clients, ulong seed)
    {
        Check(classes, clients);
        return WithCopies(inner.Split(labels, classes, clients - Byzantine, seed), labels);
    }

    /// <inheritdoc />
    public Partition Split(Data.Dataset train, int clients, ulong seed)
    {
        Check(train.Classes, clients);
        return WithCopies(inner.Split(train, clients - Byzantine, seed), train.Labels);
    }

    private void Check(int classes, int clients)
    {
        if (Byzantine >= clients)
        {
            throw new ArgumentException($"{Byzantine} Byzantine clients leave no honest client of {clients} to split the data among");
        }

        if (Classes.IsDefaultOrEmpty || Classes.Any(c => c < 0 || c >= classes))
        {
            throw new ArgumentException($"byzantine_classes [{string.Join(", ", Classes.IsDefault ? [] : Classes)}] must name classes in 0..{classes - 1}");
        }
    }

    private Partition WithCopies(Partition honest, ReadOnlySpan<int> labels)
    {
        var wanted = Classes.ToHashSet();
        var copies = ImmutableArray.CreateBuilder<int>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (wanted.Contains(labels[i]))
            {
                copies.Add(i);
            }
        }

        var copy = copies.ToImmutable();
        // Label noise, if any, stays on the honest ids it was drawn for; the copies read as clean.
        return honest with { Clients = honest.Clients.AddRange(Enumerable.Repeat(copy, Byzantine)) };
    }
}
