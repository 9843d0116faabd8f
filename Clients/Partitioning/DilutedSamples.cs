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
    /// <summary>
    /// A noisy copy's label is drawn anew every time the copy is trained on (from the batch's own
    /// stream), instead of once for the run: the same expected loss without a fixed sample of
    /// random labels per image that the network could fit. <value>false</value>
    /// </summary>
    public bool FreshLabels { get; init; }

    /// <summary>True when <paramref name="sample"/> is a noisy copy.</summary>
    public bool IsNoisy(int sample) => sample >= CleanCount;

    /// <summary>The training sample whose image <paramref name="sample"/> shows.</summary>
    public int ImageOf(int sample) => sample % CleanCount;

    /// <summary>
    /// The label of <paramref name="sample"/>: the stored one, or a noisy copy's random label;
    /// with <see cref="FreshLabels"/> drawn from <paramref name="draw"/>, the stream of this use of
    /// the copy (its batch and position).
    /// </summary>
    public int LabelOf(int sample, ReadOnlySpan<int> labels, ulong draw = 0) =>
        !IsNoisy(sample) ? labels[sample]
        : FreshLabels ? new DeterministicRandom(Core.Numerics.Seed.Derive(draw, "fresh-label", sample)).Next(Classes)
        : new DeterministicRandom(Core.Numerics.Seed.Derive(Seed, "label", sample)).Next(Classes);
}
