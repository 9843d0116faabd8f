namespace ByzantineSim.Aggregators.Dnc;

/// <summary>
/// DnC (Shejwalkar, Houmansadr, NDSS 2021); see <see cref="Dnc"/>. Requires n &gt; 2f (the
/// paper's honest majority) and floor(c f) &lt; n. The coordinate draws come from the round's seed,
/// so a run is reproducible; the rows it drops are reported as malicious to
/// <see cref="AggregationContext.Verdicts"/>.
/// </summary>
public sealed class DncAggregator(int f, DncOptions options) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "dnc";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public DncOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => "n > 2f and floor(c f) < n";

    /// <inheritdoc />
    public bool Accepts(int n) => n > 2 * F && Options.Removed(F) < n;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        int n = inputs.Rows;
        AggregationException.ThrowUnlessAccepted(this, n);

        var kept = new bool[n];
        Dnc.Aggregate(inputs, Options.Removed(F), Options.Subsample, Options.Iterations, Seed.Derive(context.Seed, RegistryName), kept, destination);
        Numerics.Filtering.FlagExcluded(context.Verdicts, kept);
        return null;
    }
}
