namespace ByzantineSim.Aggregators.Meamed;

/// <summary>
/// Mean around the median (Xie, Koyejo, Gupta, 2018, arXiv 1802.10116); see <see cref="Meamed"/>.
/// Requires n &gt; 2f, so that the median and the n - f values kept around it are honest-bracketed.
/// </summary>
public sealed class MeamedAggregator(int f) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "meamed";

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
        Meamed.Aggregate(inputs, F, destination);
        return null;
    }
}
