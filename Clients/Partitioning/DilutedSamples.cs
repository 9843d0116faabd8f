namespace ByzantineSim.Clients.Partitioning;

/// <summary>
/// How a diluted partition's sample indices read (see <see cref="LabelDilution"/>): an index
/// below <see cref="CleanCount"/> is a training sample as stored; index i + c N (c &gt;= 1) is
/// the c-th noisy copy of sample i, whose label is uniform over all <see cref="Classes"/>, drawn
/// from a stream of <see cref="Seed"/> and the index alone, so it needs no table and is the same
/// on every thread and in every round.
/// </summary>
/// <param name="CleanCount">Samples in the training set N.</param>
/// <param name="Classes">Number of classes the noisy labels are drawn from.</param>
/// <param name="Seed">Root of the noisy labels' streams.</param>
public sealed record DilutedSamples(int CleanCount, int Classes, ulong Seed)
{
    /// <summary>True when <paramref name="sample"/> is a noisy copy.</summary>
    public bool IsNoisy(int sample) => sample >= CleanCount;

    /// <summary>The training sample whose image <paramref name="sample"/> shows.</summary>
    public int ImageOf(int sample) => sample % CleanCount;

    /// <summary>The label of <paramref name="sample"/>: the stored one, or a noisy copy's random label.</summary>
    public int LabelOf(int sample, ReadOnlySpan<int> labels) =>
        IsNoisy(sample) ? new DeterministicRandom(Core.Numerics.Seed.Derive(Seed, "label", sample)).Next(Classes) : labels[sample];
}
