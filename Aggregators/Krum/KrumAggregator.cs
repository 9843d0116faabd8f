namespace ByzantineSim.Aggregators.Krum;

/// <summary>
/// Krum (Blanchard et al., NeurIPS 2017, arXiv 1703.02757): returns the single input whose m
/// nearest neighbours are closest, m = n - f - 2 by default. Requires n > 2f + 2.
/// </summary>
public sealed class KrumAggregator(int f, KrumOptions options) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "krum";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public KrumOptions Options { get; } = options;

    /// <inheritdoc />
    /// <remarks>
    /// With an explicit neighbour count only 1 &lt;= neighbours &lt;= n - 1 is enforced (ByzFL's
    /// variant); the paper's guarantee still needs n &gt; 2f + 2.
    /// </remarks>
    public string Requirement => Options.Neighbours is null ? "n > 2f + 2" : "1 <= neighbours <= n - 1";

    /// <inheritdoc />
    public bool Accepts(int n) => Options.Neighbours is { } m ? m <= n - 1 : n > (2 * F) + 2;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        VectorMath.CheckDestination(inputs, destination);
        int selected = Krum.Select(inputs, Options.NeighbourCount(inputs.Rows, F));
        inputs[selected].CopyTo(destination);
        return null;
    }
}
