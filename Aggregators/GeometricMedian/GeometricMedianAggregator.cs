namespace ByzantineSim.Aggregators.GeometricMedian;

/// <summary>
/// Geometric median by smoothed Weiszfeld (RFA: Pillutla, Kakade, Harchaoui, 2019,
/// arXiv 1912.13445); see <see cref="GeometricMedian"/>. Requires n &gt; 2f (breakdown point 1/2).
/// </summary>
public sealed class GeometricMedianAggregator(int f, GeometricMedianOptions options) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "geometric-median";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public GeometricMedianOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => "n > 2f";

    /// <inheritdoc />
    public bool Accepts(int n) => n > 2 * F;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        GeometricMedian.Aggregate(inputs, Options, destination);
        return null;
    }
}
