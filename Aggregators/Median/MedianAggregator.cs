namespace ByzantineSim.Aggregators.Median;

/// <summary>
/// Coordinate-wise median (Yin et al., ICML 2018, arXiv 1803.01498); see <see cref="Median"/>.
/// Requires n &gt; 2f: then the median of every coordinate is bracketed by honest values.
/// </summary>
public sealed class MedianAggregator(int f) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "median";

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
        Median.Aggregate(inputs, destination);
        return null;
    }
}
