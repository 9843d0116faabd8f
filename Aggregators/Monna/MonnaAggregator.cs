namespace ByzantineSim.Aggregators.Monna;

/// <summary>
/// MoNNA (Farhadkhani et al., ICML 2023, arXiv 2209.10931); see <see cref="Monna"/>. Requires
/// n &gt; 2f and trusted &lt; n, and assumes the trusted input is honest.
/// </summary>
public sealed class MonnaAggregator(int f, MonnaOptions options) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "monna";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public MonnaOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => "n > 2f and trusted < n";

    /// <inheritdoc />
    public bool Accepts(int n) => n > 2 * F && Options.Trusted < n;

    /// <inheritdoc />
    public int? TrustedInput => Options.Trusted;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        if (!Accepts(inputs.Rows))
        {
            throw new AggregationException($"{Name} cannot aggregate {inputs.Rows} inputs: requires {Requirement} (f = {F}, trusted = {Options.Trusted})");
        }

        Monna.Aggregate(inputs, F, Options.Trusted, destination);
        return null;
    }
}
