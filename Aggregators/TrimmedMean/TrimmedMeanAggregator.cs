namespace ByzantineSim.Aggregators.TrimmedMean;

/// <summary>
/// Coordinate-wise trimmed mean (Yin et al., ICML 2018, arXiv 1803.01498); see
/// <see cref="TrimmedMean"/>. Requires n &gt; 2f so that at least one value per coordinate is kept.
/// </summary>
public sealed class TrimmedMeanAggregator(int f) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "trimmed-mean";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <inheritdoc />
    public string Requirement => "n > 2f";

    /// <inheritdoc />
    public bool Accepts(int n) => n > 2 * F;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        TrimmedMean.Aggregate(inputs, F, destination);
        return null;
    }
}
