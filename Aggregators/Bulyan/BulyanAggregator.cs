namespace ByzantineSim.Aggregators.Bulyan;

/// <summary>
/// Bulyan (El Mhamdi, Guerraoui, Rouault, ICML 2018, arXiv 1802.07927); see <see cref="Bulyan"/>.
/// Requires n &gt;= 4f + 3.
/// </summary>
public sealed class BulyanAggregator(int f) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "bulyan";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <inheritdoc />
    public string Requirement => "n >= 4f + 3";

    /// <inheritdoc />
    public bool Accepts(int n) => n >= (4 * F) + 3;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        AggregationException.ThrowUnlessAccepted(this, inputs.Rows);

        Bulyan.Aggregate(inputs, F, destination);
        return null;
    }
}
