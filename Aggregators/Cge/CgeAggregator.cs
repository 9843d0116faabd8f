namespace ByzantineSim.Aggregators.Cge;

/// <summary>
/// CGE (Gupta, Liu, Vaidya, arXiv 2008.04699): the average (or sum) of the n - f inputs with the
/// smallest norms. Requires n > 2f (an honest majority); NaN/Inf inputs are dropped first.
/// </summary>
public sealed class CgeAggregator(int f, CgeOptions options) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "cge";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public CgeOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => "n > 2f";

    /// <inheritdoc />
    public bool Accepts(int n) => n > 2 * F;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        VectorMath.CheckDestination(inputs, destination);
        Cge.Aggregate(inputs, F, Options.Sum, destination, context.RowNorms.Span);
        return null;
    }
}
