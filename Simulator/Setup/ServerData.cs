using ByzantineSim.Clients.Data;

namespace ByzantineSim.Simulator.Setup;

/// <summary>Where the server's own data set (FLTrust's root data) is drawn from.</summary>
public enum ServerDataSource
{
    /// <summary>From the training set, before it is partitioned: the clients never hold these samples.</summary>
    Train,

    /// <summary>From the test set, which then evaluates on the rest.</summary>
    TestHoldout,
}

/// <summary>
/// A small clean data set the server holds, on which it computes its own update each round with
/// the run's model and training settings, for rules that compare the clients' updates with it.
/// </summary>
/// <param name="Size">Samples the server holds.</param>
/// <param name="Source">Where they are drawn from.</param>
/// <param name="Seed">Seed of the draw and of the server's minibatches.</param>
public sealed record ServerDataSettings(int Size, ServerDataSource Source, ulong Seed)
{
    /// <summary>
    /// Draws the server's samples (a seeded permutation of the source set) and removes them from
    /// it: from the training set before partitioning, or from the test set before evaluation.
    /// </summary>
    /// <exception cref="ArgumentException">The source set has no more samples than <see cref="Size"/>.</exception>
    public (DataSplit Data, Dataset Server) Split(DataSplit data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var source = Source == ServerDataSource.Train ? data.Train : data.Test;
        if (Size >= source.Count)
        {
            throw new ArgumentException($"server_data.size {Size} must be below the {source.Count} samples of {source.Name}");
        }

        var order = Enumerable.Range(0, source.Count).ToArray();
        new DeterministicRandom(Core.Numerics.Seed.Derive(Seed, "server-data")).FisherYates(order.AsSpan());
        var held = order[..Size];
        var rest = order[Size..];
        Array.Sort(held);
        Array.Sort(rest);
        var server = source.Subset(source.Name + "/server", held);
        var remaining = source.Subset(source.Name, rest);
        return (Source == ServerDataSource.Train ? data with { Train = remaining } : data with { Test = remaining }, server);
    }
}
