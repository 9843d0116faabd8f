namespace ByzantineSim.Aggregators.Caf;

/// <summary>
/// Covariance-bound agnostic filter (Allouah, Guerraoui, Stephan, "Towards Trustworthy Federated
/// Learning with Untrusted Participants", ICML 2025, arXiv 2505.01874); see <see cref="Caf"/>.
/// Requires n &gt; 2f, as ByzFL's <c>CAF</c> does.
/// </summary>
public sealed class CafAggregator(int f, CafOptions options) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "caf";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public CafOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => "n > 2f";

    /// <inheritdoc />
    public bool Accepts(int n) => n > 2 * F;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        AggregationException.ThrowUnlessAccepted(this, inputs.Rows);

        Caf.Aggregate(inputs, F, Options, destination);
        return null;
    }
}
