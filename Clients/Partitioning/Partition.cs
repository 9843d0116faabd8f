using System.Runtime.InteropServices;

namespace ByzantineSim.Clients.Partitioning;

/// <summary>
/// The assignment of training samples to clients: client k owns the sample indices
/// <c>Clients[k]</c>. Every sample is owned by at most one client, except the copies that
/// <see cref="ByzantineClassCopies"/> gives the Byzantine clients. <see cref="NoisyLabels"/>
/// optionally replaces some labels of some clients (honest-but-unreliable clients);
/// <see cref="Dilution"/>, when set, says how to read the indices of noisy copies added to them.
/// </summary>
/// <param name="Clients">Sample indices per client, in increasing order.</param>
public sealed record Partition(ImmutableArray<ImmutableArray<int>> Clients)
{
    /// <summary>Per client, replacement labels by sample index (empty for clean clients).</summary>
    public ImmutableArray<ImmutableDictionary<int, int>> NoisyLabels { get; init; } = [];

    /// <summary>
    /// How indices at or beyond the training set's size read (noisy copies of
    /// <see cref="LabelDilution"/>), or null when every index is a stored sample. <value>null</value>
    /// </summary>
    public DilutedSamples? Dilution { get; init; }

    /// <summary>True when client <paramref name="client"/> holds noisy copies.</summary>
    public bool IsDiluted(int client) =>
        Dilution is { } dilution && client < Clients.Length && !Clients[client].IsEmpty && dilution.IsNoisy(Clients[client][^1]);

    /// <summary>The replacement labels of client <paramref name="client"/> (empty when it is clean).</summary>
    public ImmutableDictionary<int, int> NoisyLabelsOf(int client) =>
        client < NoisyLabels.Length ? NoisyLabels[client] : ImmutableDictionary<int, int>.Empty;

    /// <summary>Per-client class histograms (client x class counts), after label noise and dilution.</summary>
    public ImmutableArray<ImmutableArray<int>> ClassHistograms(ReadOnlySpan<int> labels, int classes)
    {
        var result = ImmutableArray.CreateBuilder<ImmutableArray<int>>(Clients.Length);
        for (int client = 0; client < Clients.Length; client++)
        {
            result.Add(ClassHistogram(client, labels, classes));
        }

        return result.MoveToImmutable();
    }

    /// <summary>Client <paramref name="client"/>'s class histogram, after label noise and dilution; computed when asked, never stored.</summary>
    public ImmutableArray<int> ClassHistogram(int client, ReadOnlySpan<int> labels, int classes)
    {
        var noisy = NoisyLabelsOf(client);
        var counts = new int[classes];
        foreach (int index in Clients[client])
        {
            counts[noisy.TryGetValue(index, out int label) ? label : Dilution is { } dilution ? dilution.LabelOf(index, labels) : labels[index]]++;
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(counts);
    }
}

/// <summary>Splits a labelled training set among clients.</summary>
public interface IPartitioner
{
    /// <summary>The name this partitioner is registered under, which a spec's YAML uses to select it.</summary>
    string Name { get; }

    /// <summary>Assigns sample indices to <paramref name="clients"/> clients, deterministically from <paramref name="seed"/>.</summary>
    Partition Split(ReadOnlySpan<int> labels, int classes, int clients, ulong seed);

    /// <summary>
    /// Splits <paramref name="train"/>; what the simulator calls. Partitioners that need more
    /// than the labels (the samples' users, <see cref="Data.Dataset.Users"/>) override it.
    /// </summary>
    Partition Split(Data.Dataset train, int clients, ulong seed) => Split(train.Labels, train.Classes, clients, seed);
}
