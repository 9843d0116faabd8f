using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.Flame;

/// <summary>
/// FLAME (Nguyen et al., USENIX Security 2022, arXiv 2101.02281); see <see cref="Flame"/>. The
/// rule does not use f; its cluster must hold more than half the rows, so it needs an honest
/// majority, n &gt; 2f. The noise comes from the round's seed; the rows outside the cluster are
/// reported as malicious.
/// </summary>
public sealed class FlameAggregator(int f, FlameOptions options) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "flame";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public FlameOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => "n > 2f";

    /// <inheritdoc />
    public bool Accepts(int n) => n > 2 * F;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        int n = inputs.Rows;
        AggregationException.ThrowUnlessAccepted(this, n);

        var norms = Rows.NormsOf(inputs, context.RowNorms.Span);
        var kept = new bool[n];
        Flame.Select(inputs, kept);
        Filtering.FlagExcluded(context.Verdicts, kept);
        Flame.Aggregate(inputs, norms, kept, Options.Lambda, new DeterministicRandom(Seed.Derive(context.Seed, RegistryName)), destination);
        return null;
    }
}
