namespace ByzantineSim.Aggregators.MultiKrum;

/// <summary>
/// Multi-Krum (Blanchard et al., NeurIPS 2017, arXiv 1703.02757); see <see cref="MultiKrum"/>.
/// Requires n &gt; 2f + 2 (Krum's condition) and 1 &lt;= m &lt;= n; an explicit neighbour count must
/// satisfy 1 &lt;= neighbours &lt;= n - 1.
/// </summary>
public sealed class MultiKrumAggregator(int f, MultiKrumOptions options) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "multi-krum";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public MultiKrumOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => "n > 2f + 2, m <= n and neighbours <= n - 1";

    /// <inheritdoc />
    public bool Accepts(int n) =>
        n > (2 * F) + 2 && Options.SelectedCount(n, F) is >= 1 and var m && m <= n && Options.NeighbourCount(n, F) <= n - 1;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        int n = inputs.Rows;
        AggregationException.ThrowUnlessAccepted(this, n);

        MultiKrum.Aggregate(inputs, F, Options.SelectedCount(n, F), Options.NeighbourCount(n, F), Options.Iterative, destination);
        return null;
    }
}
